package org.bulwark.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bulwark serve} in a child JVM: it serves RESP until SIGTERM, then shuts down cleanly
 * (exit 0, messages.log says so), and what a client wrote is there on the next start.
 */
class ServeCommandTest
{
    private static final long TIMEOUT_MS = 60_000;
    private static final Pattern SERVING = Pattern.compile("serving RESP on 127\\.0\\.0\\.1:(\\d+) ");

    @TempDir
    Path dir;

    @Test
    void servesUntilSigtermThenStopsCleanly() throws Exception
    {
        final Path config = CliRun.memberConfig(dir, "pool.size = 8m", "journal.fileSize = 4m", "resp.port = 0");
        for (int run = 0; run < 2; run++)
        {
            final Path stdout = dir.resolve("serve-" + run + ".out");
            final Process process = start(config, stdout);
            try
            {
                final int port = awaitPort(process, stdout);
                try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                    .timeoutMillis(10_000).build()))
                {
                    if (run == 0)
                    {
                        assertEquals("OK", jedis.set("survives", "the restart"));
                    }
                    else
                    {
                        assertEquals("the restart", jedis.get("survives"));
                    }
                }
                process.destroy(); // SIGTERM
                assertTrue(process.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS), "serve did not stop on SIGTERM");
                final String output = Files.readString(stdout, StandardCharsets.UTF_8);
                assertEquals(0, process.exitValue(), output);
                assertTrue(output.contains("bulwark: stopped cleanly"), output);
                assertTrue(Files.readString(dir.resolve("data").resolve("messages.log")).contains("shut down cleanly"));
            }
            finally
            {
                process.destroyForcibly();
            }
        }
    }

    private static Process start(final Path config, final Path stdout) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : System.getProperty("bulwark.jvm.flags", "").split("\\s+"))
        {
            if (!flag.isBlank())
            {
                command.add(flag);
            }
        }
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
            BulwarkCli.class.getName(), "serve", "--config", config.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
    }

    private static int awaitPort(final Process process, final Path stdout) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String output = Files.exists(stdout) ? Files.readString(stdout, StandardCharsets.UTF_8) : "";
            final Matcher matcher = SERVING.matcher(output);
            if (matcher.find())
            {
                return Integer.parseInt(matcher.group(1));
            }
            if (!process.isAlive())
            {
                fail("serve exited with " + process.exitValue() + ": " + output);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("serve did not report its port within " + TIMEOUT_MS + " ms");
    }
}
