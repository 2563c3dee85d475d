package org.bulwark.replication.agent;

import org.bulwark.common.log.MessageLog;
import org.bulwark.replication.auth.MirrorKey;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The agent (SPEC M-3): a TCP server on its own port, one per host, that serves the members on its
 * host to the members of their mirrors on other hosts. Blocking sockets and a thread per connection,
 * at most {@link AgentConfig#maxConnections()} at once: a handful of peers ask a few questions a
 * second, and a thread that blocks on a slow disk or a dying process stalls only its own peer.
 *
 * <p>The accepting thread wakes every second to close connections whose reply has been stuck in a
 * write for longer than the idle timeout (a blocking write has no timeout of its own).
 */
public final class AgentServer implements AutoCloseable
{
    private static final int ACCEPT_WAKE_MS = 1_000;

    private final AgentConfig config;
    private final MirrorKey key;
    private final MessageLog log;
    private final AgentCommands commands;
    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final Set<AgentConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private AgentServer(final AgentConfig config, final MirrorKey key, final MessageLog log,
        final LongSupplier clockMs, final ServerSocket serverSocket)
    {
        this.config = config;
        this.key = key;
        this.log = log;
        this.commands = new AgentCommands(config, log, clockMs);
        this.serverSocket = serverSocket;
        this.acceptor = new Thread(this::acceptLoop, "bulwark-agent-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Bind and start serving.
     *
     * @throws IOException naming the address if it cannot be bound.
     */
    public static AgentServer start(final AgentConfig config, final MirrorKey key, final MessageLog log)
        throws IOException
    {
        return start(config, key, log, System::currentTimeMillis);
    }

    /**
     * @param clockMs the wall clock that heartbeats are compared with (tests pass their own).
     */
    public static AgentServer start(final AgentConfig config, final MirrorKey key, final MessageLog log,
        final LongSupplier clockMs) throws IOException
    {
        config.validate();
        final ServerSocket socket = new ServerSocket();
        try
        {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(config.bindHost(), config.port()), 50);
            socket.setSoTimeout(ACCEPT_WAKE_MS);
        }
        catch (final IOException ex)
        {
            socket.close();
            throw new IOException("agent cannot listen on " + config.bindHost() + ":" + config.port() + ": " +
                ex.getMessage(), ex);
        }
        final AgentServer server = new AgentServer(config, key, log, clockMs, socket);
        final StringBuilder members = new StringBuilder();
        for (final ServedMember member : config.members())
        {
            members.append(members.length() == 0 ? "" : "; ").append(member.name()).append(" (data ")
                .append(member.dataDirectory()).append(", journal ").append(member.journalDirectory()).append(')');
        }
        log.info(AgentCommands.SUBSYSTEM, "agent listening on " + config.bindHost() + ":" + server.port() +
            ", serving " + members + "; hung after " + config.hungAfterMs() + " ms, at most " +
            config.maxConnections() + " connections");
        server.acceptor.start();
        return server;
    }

    /**
     * @return the port it listens on (the one chosen when configured as 0).
     */
    public int port()
    {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final Socket socket;
            try
            {
                socket = serverSocket.accept();
            }
            catch (final SocketTimeoutException ex)
            {
                closeStuckWriters();
                continue;
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    log.severe(AgentCommands.SUBSYSTEM, "accept failed: " + ex.getMessage());
                }
                continue;
            }
            admit(socket);
            closeStuckWriters();
        }
    }

    private void admit(final Socket socket)
    {
        final String remote = String.valueOf(socket.getRemoteSocketAddress());
        try
        {
            socket.setTcpNoDelay(true);
            final FrameChannel channel = new FrameChannel(socket, remote);
            if (connections.size() >= config.maxConnections() || closed)
            {
                final String reason = closed ? "the agent is shutting down" : "the agent serves " +
                    config.maxConnections() + " connections already";
                log.warning(AgentCommands.SUBSYSTEM, "refused connection from " + remote + ": " + reason);
                AgentHandshake.refuseAtOnce(channel, reason);
                channel.close();
                return;
            }
            final AgentConnection connection = new AgentConnection(channel, config, key, commands, log,
                connections::remove);
            connections.add(connection);
            final Thread thread = new Thread(connection, "bulwark-agent-" + remote);
            thread.setDaemon(true);
            thread.start();
        }
        catch (final IOException | RuntimeException ex)
        {
            log.warning(AgentCommands.SUBSYSTEM, "connection from " + remote + " failed at once: " + ex.getMessage());
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // already broken
            }
        }
    }

    private void closeStuckWriters()
    {
        final long nowNs = System.nanoTime();
        for (final AgentConnection connection : connections)
        {
            final long since = connection.channel().writingSinceNs();
            if (0 != since && nowNs - since > TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs()))
            {
                log.warning(AgentCommands.SUBSYSTEM, "closing connection from " + connection.channel().peer() +
                    ": a reply has not been taken for " + config.idleTimeoutMs() + " ms");
                connection.channel().close();
            }
        }
    }

    /**
     * @return connections being served now.
     */
    public int connectionCount()
    {
        return connections.size();
    }

    /**
     * Stop listening, close every connection and wait (bounded) for their threads.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            serverSocket.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
        for (final AgentConnection connection : connections)
        {
            connection.channel().close();
        }
        try
        {
            acceptor.join(5_000);
            for (final AgentConnection connection : connections)
            {
                connection.awaitEnd(5_000);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        log.info(AgentCommands.SUBSYSTEM, "agent stopped");
    }
}
