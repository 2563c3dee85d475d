package org.bulwark.server.resp;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real Redis tools against the RESP server (SPEC V-2): {@code redis-cli} for PING, SET, GET and
 * an error, and a short {@code redis-benchmark} of SET and GET. They come from the redis-tools
 * package, which {@code scripts/install-test-tools.sh} installs when they are missing; where that
 * is impossible the test is skipped, saying why.
 */
class RedisToolsTest
{
    private static final long TOOL_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(2);

    @TempDir
    Path dir;

    @Test
    void redisCliAndRedisBenchmarkWork() throws Exception
    {
        final Path cli = require("redis-cli");
        final Path benchmark = require("redis-benchmark");
        try (RespFixture member = RespFixture.start(dir))
        {
            final String port = Integer.toString(member.port());
            assertEquals("PONG", run(cli.toString(), "-p", port, "PING").strip());
            assertEquals("OK", run(cli.toString(), "-p", port, "SET", "tool-key", "from redis-cli").strip());
            assertEquals("from redis-cli", run(cli.toString(), "-p", port, "GET", "tool-key").strip());
            final String error = run(cli.toString(), "-p", port, "GGET", "nothing", "here");
            assertTrue(error.startsWith("(error) UNDEFINED ^nothing(\"here\")") ||
                error.strip().startsWith("UNDEFINED ^nothing(\"here\")"), error);
            final String unknown = run(cli.toString(), "-p", port, "NOSUCHCOMMAND");
            assertTrue(unknown.contains("ERR unknown command 'NOSUCHCOMMAND'"), unknown);

            final String result = run(benchmark.toString(), "-p", port, "-t", "set,get", "-n", "2000", "-q");
            System.out.println(result);
            assertTrue(result.contains("SET: ") && result.contains("GET: ") &&
                result.contains("requests per second"), result);
            assertFalse(result.contains("ERR") || result.contains("Error"), result);
        }
    }

    private static Path require(final String tool) throws Exception
    {
        Path path = find(tool);
        if (null == path)
        {
            final Path script = Path.of("..", "scripts", "install-test-tools.sh").toAbsolutePath().normalize();
            String why = script + " is missing";
            if (Files.isRegularFile(script))
            {
                try
                {
                    run("bash", script.toString());
                    why = "it ran, but did not provide " + tool;
                }
                catch (final IllegalStateException ex)
                {
                    why = ex.getMessage();
                }
            }
            path = find(tool);
            if (null == path)
            {
                final String reason = tool + " is not installed and could not be installed (" + why + "); run " +
                    "scripts/install-test-tools.sh as root (apt-get install redis-tools)";
                System.out.println("SKIPPED: " + reason);
                Assumptions.abort(reason);
            }
        }
        return path;
    }

    private static Path find(final String tool)
    {
        final List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "")
            .split(":")));
        directories.add("/usr/bin");
        for (final String directory : directories)
        {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool)))
            {
                return Path.of(directory, tool);
            }
        }
        return null;
    }

    /**
     * @return the command's output; it must exit 0 within the timeout.
     */
    private static String run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final boolean ended = process.waitFor(TOOL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (!ended)
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended || process.exitValue() != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + (ended ? " exited with " +
                process.exitValue() : " did not end within " + TOOL_TIMEOUT_MS + " ms") + ": " + output.strip());
        }
        return output;
    }
}
