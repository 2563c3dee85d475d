package org.bulwark.perf.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A RESP server for tests that answers {@code +OK} to every command and, once, freezes for a while
 * before answering command number {@code stallAt} (counted over all connections from 1): a server
 * stall, deterministic in where it happens.
 */
final class FakeRespServer implements AutoCloseable
{
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket listener;
    private final long stallAt;
    private final long stallMs;
    private final AtomicLong commands = new AtomicLong();
    private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FakeRespServer(final long stallAt, final long stallMs) throws IOException
    {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.stallAt = stallAt;
        this.stallMs = stallMs;
        this.acceptor = new Thread(this::accept, "fake-resp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return listener.getLocalPort();
    }

    long commands()
    {
        return commands.get();
    }

    private void accept()
    {
        try
        {
            while (true)
            {
                final Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                sockets.add(socket);
                final Thread serving = new Thread(() -> serve(socket), "fake-resp-serve");
                serving.setDaemon(true);
                serving.start();
            }
        }
        catch (final IOException ex)
        {
            // closed
        }
    }

    private void serve(final Socket socket)
    {
        final RespReplyScanner scanner = new RespReplyScanner(); // a request is a RESP array too
        final ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        final byte[] chunk = new byte[64 << 10];
        try (InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream())
        {
            int read;
            while ((read = in.read(chunk)) > 0)
            {
                buffer.put(chunk, 0, read);
                int pos = 0;
                int end;
                while ((end = scanner.scan(buffer, pos, buffer.position())) >= 0)
                {
                    if (commands.incrementAndGet() == stallAt)
                    {
                        Thread.sleep(stallMs); // the stall under test
                    }
                    out.write(OK);
                    pos = end;
                }
                out.flush();
                buffer.flip().position(pos);
                buffer.compact();
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException
    {
        listener.close();
        for (final Socket socket : sockets)
        {
            socket.close();
        }
    }
}
