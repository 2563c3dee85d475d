package org.bulwark.server.resp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client that writes raw bytes and reads replies as text, for malformed input and for looking at
 * the exact RESP2/RESP3 encoding.
 */
final class RawClient implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(final int port) throws IOException
    {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(RespFixture.TIMEOUT_MS);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    RawClient send(final String text) throws IOException
    {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    RawClient send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
        return this;
    }

    /**
     * @return a request array of bulk strings.
     */
    static String request(final String... args)
    {
        final StringBuilder text = new StringBuilder("*").append(args.length).append("\r\n");
        for (final String arg : args)
        {
            text.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                .append("\r\n");
        }
        return text.toString();
    }

    /**
     * @return one reply line, without CRLF (the type byte included); null at the end of the stream.
     */
    String line() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n')
            {
                final byte[] raw = bytes.toByteArray();
                final int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
                return new String(raw, 0, length, StandardCharsets.UTF_8);
            }
            bytes.write(b);
        }
    }

    /**
     * @return one whole reply as its lines joined with '|', e.g. {@code $3|abc} or {@code *2|:1|:2}.
     */
    String reply() throws IOException
    {
        final StringBuilder text = new StringBuilder();
        readReply(text);
        return text.toString();
    }

    private void readReply(final StringBuilder text) throws IOException
    {
        final String line = line();
        if (null == line)
        {
            throw new IOException("connection closed by the server");
        }
        text.append(text.length() == 0 ? "" : "|").append(line);
        final char type = line.charAt(0);
        if (type == '$' || type == '=')
        {
            final int length = Integer.parseInt(line.substring(1));
            if (length >= 0)
            {
                final byte[] data = in.readNBytes(length + 2);
                text.append('|').append(new String(data, 0, length, StandardCharsets.UTF_8));
            }
        }
        else if (type == '*' || type == '%')
        {
            final int count = Integer.parseInt(line.substring(1)) * (type == '%' ? 2 : 1);
            for (int i = 0; i < count; i++)
            {
                readReply(text);
            }
        }
    }

    /**
     * @return true if the server closed the connection (end of stream within the timeout).
     */
    boolean closedByServer() throws IOException
    {
        try
        {
            return in.read() < 0;
        }
        catch (final java.net.SocketException ex)
        {
            return true; // reset
        }
    }

    void shutdownOutput() throws IOException
    {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
