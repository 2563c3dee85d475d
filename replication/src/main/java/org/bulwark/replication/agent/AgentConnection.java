package org.bulwark.replication.agent;

import org.bulwark.common.log.MessageLog;
import org.bulwark.replication.auth.MirrorKey;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One client of the agent, on a thread of its own: the handshake, then requests and replies until the
 * client closes, stays idle too long, or breaks the protocol.
 */
final class AgentConnection implements Runnable
{
    private final FrameChannel channel;
    private final AgentConfig config;
    private final MirrorKey key;
    private final AgentCommands commands;
    private final MessageLog log;
    private final Consumer<AgentConnection> onEnd;
    private final CountDownLatch ended = new CountDownLatch(1);

    AgentConnection(final FrameChannel channel, final AgentConfig config, final MirrorKey key,
        final AgentCommands commands, final MessageLog log, final Consumer<AgentConnection> onEnd)
    {
        this.channel = channel;
        this.config = config;
        this.key = key;
        this.commands = commands;
        this.log = log;
        this.onEnd = onEnd;
    }

    FrameChannel channel()
    {
        return channel;
    }

    void awaitEnd(final long timeoutMs) throws InterruptedException
    {
        ended.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run()
    {
        final String peer = channel.peer();
        try
        {
            final String member;
            try
            {
                member = AgentHandshake.accept(channel, key, System.nanoTime() +
                    TimeUnit.MILLISECONDS.toNanos(config.handshakeTimeoutMs()));
            }
            catch (final AgentHandshake.RefusedException ex)
            {
                log.warning(AgentCommands.SUBSYSTEM, "refused connection from " + peer + ": " + ex.getMessage());
                return;
            }
            final String client = member + " from " + peer;
            log.info(AgentCommands.SUBSYSTEM, "authenticated " + client);
            serve(client);
        }
        catch (final SocketTimeoutException ex)
        {
            log.info(AgentCommands.SUBSYSTEM, "closed connection from " + peer + ": " + ex.getMessage());
        }
        catch (final EOFException ex)
        {
            // the client hung up: the normal end of a connection
        }
        catch (final IOException | RuntimeException ex)
        {
            log.warning(AgentCommands.SUBSYSTEM, "connection from " + peer + " ended: " + ex.getMessage());
        }
        finally
        {
            channel.close();
            onEnd.accept(this);
            ended.countDown();
        }
    }

    private void serve(final String client) throws IOException
    {
        while (true)
        {
            final byte[] request = channel.read(System.nanoTime() +
                TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs()), AgentProtocol.MAX_REQUEST_BYTES);
            channel.write(commands.execute(request, client));
        }
    }
}
