package org.bulwark.server.terminal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 client for the terminal: one request at a time, replies as {@code
 * String} (simple and bulk strings), {@code Long}, {@code List<Object>} or {@code null}; an error
 * reply is thrown as {@link ErrorReply}. Not for throughput: the server's clients are Redis
 * libraries; this one only saves the terminal a dependency.
 */
public final class RespClient implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String address;

    /**
     * An error reply: {@link #code()} is its first word ({@code UNDEFINED}, {@code ERR}, ...).
     */
    public static final class ErrorReply extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        ErrorReply(final String line)
        {
            super(line);
        }

        public String code()
        {
            final String line = getMessage();
            final int blank = line.indexOf(' ');
            return blank < 0 ? line : line.substring(0, blank);
        }

        public String detail()
        {
            final String line = getMessage();
            final int blank = line.indexOf(' ');
            return blank < 0 ? "" : line.substring(blank + 1);
        }
    }

    public RespClient(final String host, final int port, final int timeoutMs) throws IOException
    {
        this.address = host + ":" + port;
        socket = new Socket();
        try
        {
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            socket.setTcpNoDelay(true);
        }
        catch (final IOException ex)
        {
            socket.close();
            throw new IOException("cannot connect to the member's RESP port " + address + ": " + ex.getMessage(), ex);
        }
        in = new BufferedInputStream(socket.getInputStream());
        out = new BufferedOutputStream(socket.getOutputStream());
    }

    public String address()
    {
        return address;
    }

    /**
     * Send one command and read its reply.
     */
    public Object call(final String... arguments) throws IOException
    {
        out.write(('*' + Integer.toString(arguments.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (final String argument : arguments)
        {
            final byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
            out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write('\r');
            out.write('\n');
        }
        out.flush();
        return read();
    }

    private Object read() throws IOException
    {
        final int type = in.read();
        if (type < 0)
        {
            throw new EOFException("the member at " + address + " closed the connection");
        }
        final String line = line();
        switch (type)
        {
            case '+':
                return line;
            case '-':
                throw new ErrorReply(line);
            case ':':
                return Long.parseLong(line);
            case '$':
            {
                final int length = Integer.parseInt(line);
                if (length < 0)
                {
                    return null;
                }
                final byte[] bytes = in.readNBytes(length);
                if (bytes.length != length || in.read() != '\r' || in.read() != '\n')
                {
                    throw new EOFException("the member at " + address + " sent a truncated bulk string");
                }
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*':
            {
                final int count = Integer.parseInt(line);
                if (count < 0)
                {
                    return null;
                }
                final List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++)
                {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("the member at " + address + " sent a reply of unknown type '" + (char)type +
                    "': " + line);
        }
    }

    private String line() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new EOFException("the member at " + address + " closed the connection in a reply");
            }
            if (b == '\r')
            {
                if (in.read() != '\n')
                {
                    throw new IOException("the member at " + address + " sent a line without its \\n");
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
