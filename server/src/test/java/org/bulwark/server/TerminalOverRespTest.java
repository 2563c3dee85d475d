package org.bulwark.server;

import org.agrona.concurrent.status.AtomicCounter;
import org.bulwark.server.metrics.CounterDescriptor;
import org.bulwark.server.resp.RespServer;
import org.bulwark.server.terminal.LineSource;
import org.bulwark.server.terminal.RespBackend;
import org.bulwark.server.terminal.TerminalBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC V-3 on a running member: the terminal over the member's RESP port ({@link RespBackend})
 * prints exactly what it prints in-process for the same script, and a session that ends inside a
 * transaction leaves nothing of it behind on the member.
 */
class TerminalOverRespTest
{
    @TempDir
    Path dir;

    @Test
    void theGoldenScriptPrintsTheSameOverResp() throws Exception
    {
        final InstanceConfig config = InstanceConfig.load(CliRun.memberConfig(dir, "resp.port = 0",
            "metrics.intervalMs = 10"));
        try (Instance instance = Instance.open(config, new InstanceOptions());
            RespServer server = new RespServer(instance, config.respConfig()).start())
        {
            final String output = runScript(server, TerminalCommandTest.GOLDEN_SCRIPT);
            assertEquals(TerminalCommandTest.GOLDEN_OUTPUT, output);

            final String open = runScript(server, "tstart set ^open=1 write $tlevel");
            assertTrue(open.startsWith("1\n"), open);
            assertTrue(open.contains("rolled back"), open);
            assertEquals("0\n", runScript(server, "write $data(^open)"));

            // Commits over RESP are acknowledged from the journal's durability callback, and their
            // latency reaches the commit histogram from there (published every metrics.intervalMs).
            final AtomicCounter samples = instance.metrics().counter(CounterDescriptor.COMMIT_LATENCY_COUNT);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (samples.get() == 0 && System.nanoTime() - deadlineNs < 0)
            {
                Thread.sleep(5); // polled against the deadline above
            }
            assertTrue(samples.get() > 0, "no commit latency was recorded for commits over RESP");
        }
    }

    private static String runScript(final RespServer server, final String script) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (TerminalBackend backend = RespBackend.connect("127.0.0.1", server.port(), "default", "");
            LineSource lines = LineSource.script(new BufferedReader(new StringReader(script))))
        {
            assertEquals(BulwarkCli.EXIT_OK, new TerminalCommand(out, null, false).run(backend, lines, false));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
