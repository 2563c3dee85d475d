package org.bulwark.server.resp;

import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A member in a temporary directory with its RESP server on a free port, and clients for it.
 */
final class RespFixture implements AutoCloseable
{
    static final int TIMEOUT_MS = 10_000;

    final Instance instance;
    final RespServer server;
    final RespConfig config;

    private RespFixture(final Instance instance, final RespServer server, final RespConfig config)
    {
        this.instance = instance;
        this.server = server;
        this.config = config;
    }

    /**
     * @param settings extra configuration lines ({@code key = value}).
     */
    static RespFixture start(final Path dir, final String... settings) throws Exception
    {
        return start(dir, new InstanceOptions(), settings);
    }

    /**
     * @param options instance options (a fault-injecting file layer, for instance).
     */
    static RespFixture start(final Path dir, final InstanceOptions options, final String... settings) throws Exception
    {
        final List<String> lines = new ArrayList<>(List.of("data.directory = " + dir.resolve("data"),
            "pool.size = 8m", "journal.fileSize = 4m", "journal.bufferSize = 1m", "resp.port = 0"));
        lines.addAll(List.of(settings));
        lines.add("");
        final Path file = dir.resolve("bulwark.conf");
        Files.writeString(file, String.join("\n", lines));
        final InstanceConfig config = InstanceConfig.load(file);
        final Instance instance = Instance.open(config, options);
        try
        {
            final RespConfig resp = config.respConfig();
            return new RespFixture(instance, new RespServer(instance, resp).start(), resp);
        }
        catch (final Exception | Error ex)
        {
            instance.close();
            throw ex;
        }
    }

    int port()
    {
        return server.port();
    }

    Jedis jedis()
    {
        return new Jedis(new HostAndPort("127.0.0.1", port()), DefaultJedisClientConfig.builder()
            .timeoutMillis(TIMEOUT_MS).build());
    }

    RawClient raw() throws Exception
    {
        return new RawClient(port());
    }

    @Override
    public void close() throws java.io.IOException
    {
        try
        {
            server.close();
        }
        finally
        {
            instance.close();
        }
    }

    /**
     * A native command for Jedis's sendCommand.
     */
    static ProtocolCommand command(final String name)
    {
        final byte[] raw = name.getBytes(StandardCharsets.US_ASCII);
        return () -> raw;
    }

    static String text(final Object reply)
    {
        return reply instanceof byte[] ? new String((byte[])reply, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    /**
     * Wait for a condition, failing with {@code what} at the deadline (no sleep-and-hope).
     */
    static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + TIMEOUT_MS + " ms waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
