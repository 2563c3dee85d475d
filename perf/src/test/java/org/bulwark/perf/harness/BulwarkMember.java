package org.bulwark.perf.harness;

import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.bulwark.server.resp.RespServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Bulwark member in a test's directory with its RESP server on a free loopback port, as the
 * server module's tests start one: durable synchronous commits, a small pool and journal.
 */
final class BulwarkMember implements AutoCloseable
{
    private final Instance instance;
    private final RespServer server;

    private BulwarkMember(final Instance instance, final RespServer server)
    {
        this.instance = instance;
        this.server = server;
    }

    /**
     * @param settings extra configuration lines ({@code key = value}).
     */
    static BulwarkMember start(final Path dir, final String... settings) throws Exception
    {
        final List<String> lines = new ArrayList<>(List.of("data.directory = " + dir.resolve("data"),
            "pool.size = 16m", "journal.fileSize = 16m", "journal.bufferSize = 1m", "resp.port = 0"));
        lines.addAll(List.of(settings));
        lines.add("");
        Files.createDirectories(dir);
        final Path file = dir.resolve("bulwark.conf");
        Files.writeString(file, String.join("\n", lines));
        final InstanceConfig config = InstanceConfig.load(file);
        final Instance instance = Instance.open(config, new InstanceOptions());
        try
        {
            return new BulwarkMember(instance, new RespServer(instance, config.respConfig()).start());
        }
        catch (final Exception | Error ex)
        {
            instance.close();
            throw ex;
        }
    }

    String target()
    {
        return "resp://127.0.0.1:" + server.port();
    }

    @Override
    public void close() throws IOException
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
}
