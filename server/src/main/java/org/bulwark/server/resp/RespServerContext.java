package org.bulwark.server.resp;

import org.bulwark.common.log.MessageLog;
import org.bulwark.server.Instance;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every connection of one {@link RespServer} shares: the instance, the settings, the command
 * table, the executor for blocking requests and the counters INFO shows.
 */
final class RespServerContext
{
    private final Instance instance;
    private final RespConfig config;
    private final CommandTable commands = CommandTable.standard();
    private final ExecutorService blockingExecutor;
    private final AtomicLong clientIds = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong connectionsTotal = new AtomicLong();
    private final long startMs = System.currentTimeMillis();
    private volatile int port;
    private final String transport;

    RespServerContext(final Instance instance, final RespConfig config, final ExecutorService blockingExecutor,
        final String transport)
    {
        this.instance = instance;
        this.config = config;
        this.blockingExecutor = blockingExecutor;
        this.transport = transport;
    }

    Instance instance()
    {
        return instance;
    }

    RespConfig config()
    {
        return config;
    }

    CommandTable commands()
    {
        return commands;
    }

    ExecutorService blockingExecutor()
    {
        return blockingExecutor;
    }

    MessageLog log()
    {
        return instance.log();
    }

    long nextClientId()
    {
        return clientIds.incrementAndGet();
    }

    void connectionOpened()
    {
        connections.incrementAndGet();
        connectionsTotal.incrementAndGet();
    }

    void connectionClosed()
    {
        connections.decrementAndGet();
    }

    int connections()
    {
        return connections.get();
    }

    long connectionsTotal()
    {
        return connectionsTotal.get();
    }

    long uptimeMs()
    {
        return System.currentTimeMillis() - startMs;
    }

    int port()
    {
        return port;
    }

    void port(final int port)
    {
        this.port = port;
    }

    String transport()
    {
        return transport;
    }
}
