package org.bulwark.perf.harness;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness against a real Bulwark member started in-process (with a password, so AUTH is
 * exercised): about a second closed loop and a second at a fixed rate, two clients, every op of
 * the mix; then the files it wrote. Plus what happens with error replies and failed connections.
 */
class LoadHarnessSmokeTest
{
    private static final String PASSWORD = "s3cret";
    private static final String MIX = "set=25,get=25,incr=25,multi=25";
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\": (-?[0-9.]+)");

    @TempDir
    static Path dir;
    private static BulwarkMember member;

    @BeforeAll
    static void startMember() throws Exception
    {
        member = BulwarkMember.start(dir.resolve("member"), "auth.password = " + PASSWORD);
    }

    @AfterAll
    static void stopMember() throws Exception
    {
        if (null != member)
        {
            member.close();
        }
    }

    @Test
    void closedLoopWithPreload() throws Exception
    {
        final HarnessResult result = run("closed", "--rate", "max", "--preload", "--keys", "500",
            "--warmup", "200ms", "--duration", "1s");
        checkFiles(result, "closed", 0);
    }

    @Test
    void fixedRate() throws Exception
    {
        final HarnessResult result = run("rate", "--rate", "300", "--warmup", "0s", "--duration", "1s");
        checkFiles(result, "rate", 300);
        // 300 ops/s for a second: every op due is sent and recorded, however slow the member is.
        assertEquals(300, result.totals.ops);
        final String json = Files.readString(result.json);
        assertTrue(json.contains("\"issueLagUs\": {") && json.contains("\"serviceUs\": {"), json);
    }

    @Test
    void errorRepliesAreCountedAndTheRunGoesOn() throws Exception
    {
        // A member has no replicas yet: WAIT 1 reports 0, so every write op is an error.
        final HarnessResult waited = run("wait", "--mix", "set=100", "--wait-replicas", "1", "--wait-timeout-ms",
            "10", "--warmup", "0s", "--duration", "300ms");
        assertTrue(waited.totals.ops > 0);
        assertEquals(waited.totals.ops, waited.totals.errors);
        // Errors are not throughput: nothing was done.
        final String json = Files.readString(waited.json);
        assertEquals(0.0, number(json, "throughputOpsPerSec"), json);
        assertEquals(0, (long)number(json, "okOps"), json);
        assertEquals(waited.totals.errors, (long)number(json, "errors"), json);

        // Without AUTH every command is refused (-NOAUTH).
        final HarnessResult refused = LoadHarness.run(HarnessOptions.parse("--target", member.target(),
            "--clients", "2", "--warmup", "0s", "--duration", "300ms", "--out", dir.resolve("out").toString(),
            "--label", "noauth"), quiet());
        assertTrue(refused.totals.ops > 0);
        assertEquals(refused.totals.ops, refused.totals.errors);
    }

    @Test
    void repliesLongerThanTheReadBufferAreRead() throws Exception
    {
        final HarnessResult large = run("large-set", "--mix", "set=100", "--value-bytes", "100000", "--keys", "4",
            "--preload", "--warmup", "0s", "--duration", "200ms");
        assertEquals(0, large.totals.errors);
        // GETs of those 100 kB values on connections sized for 10-byte values.
        final HarnessResult read = run("large-get", "--mix", "get=100", "--value-bytes", "10", "--keys", "4",
            "--warmup", "0s", "--duration", "200ms");
        assertTrue(read.totals.ops > 0);
        assertEquals(0, read.totals.errors);
    }

    @Test
    void aFailedConnectionEndsTheRunNamingTheTarget() throws Exception
    {
        final int freePort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            freePort = socket.getLocalPort();
        }
        final HarnessException refused = assertThrows(HarnessException.class, () -> LoadHarness.run(
            HarnessOptions.parse("--target", "resp://127.0.0.1:" + freePort, "--duration", "1s", "--out",
            dir.resolve("out").toString()), quiet()));
        assertTrue(refused.getMessage().startsWith("resp://127.0.0.1:" + freePort + ": connection 1 of 1 failed: "),
            refused.getMessage());

        final HarnessException wrongPassword = assertThrows(HarnessException.class, () -> LoadHarness.run(
            HarnessOptions.parse("--target", member.target(), "--password", "wrong", "--duration", "1s", "--out",
            dir.resolve("out").toString()), quiet()));
        assertTrue(wrongPassword.getMessage().startsWith(member.target() + ": connection 1 of 1 failed: AUTH failed: " +
            "WRONGPASS"), wrongPassword.getMessage());

        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, LoadHarness.execute(new String[] {"--target", "resp://127.0.0.1:" + freePort, "--out",
            dir.resolve("out").toString()}, quiet(), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("run-harness: resp://127.0.0.1:" + freePort +
            ": connection 1 of 1 failed"), err.toString(StandardCharsets.UTF_8));
    }

    private static HarnessResult run(final String label, final String... more) throws Exception
    {
        final List<String> args = new ArrayList<>(Arrays.asList(more));
        final String[] defaults = {"--target", member.target(), "--password", PASSWORD, "--clients", "2", "--mix", MIX,
            "--keys", "1000", "--out", dir.resolve("out").toString(), "--label", label};
        for (int i = 0; i < defaults.length; i += 2)
        {
            if (!args.contains(defaults[i]))
            {
                args.add(defaults[i]);
                args.add(defaults[i + 1]);
            }
        }
        return LoadHarness.run(HarnessOptions.parse(args.toArray(new String[0])), quiet());
    }

    private static void checkFiles(final HarnessResult result, final String label, final long rate) throws Exception
    {
        final Path out = dir.resolve("out");
        assertEquals(out.resolve(label + ".json"), result.json);

        final String json = Files.readString(result.json);
        for (final String field : List.of("label", "target", "system", "clients", "rateTarget", "durationS", "mix",
            "ops", "errors", "throughputOpsPerSec", "latencyUs", "p50", "p90", "p99", "p999", "max", "mean",
            "startedAt", "machine", "cpus", "os", "java"))
        {
            assertTrue(json.contains("\"" + field + "\": "), field + " missing from " + json);
        }
        assertTrue(json.contains("\"label\": \"" + label + "\""), json);
        assertTrue(json.contains("\"target\": \"" + member.target() + "\""), json);
        assertTrue(!json.contains(PASSWORD), json);
        assertTrue(json.contains("\"system\": \"resp\""), json);
        assertTrue(json.contains("\"mix\": {\"set\": 25, \"get\": 25, \"incr\": 25, \"multi\": 25}"), json);
        final long ops = (long)number(json, "ops");
        assertTrue(ops > 0, json);
        assertEquals(result.totals.ops, ops);
        assertEquals(0, (long)number(json, "errors"), json);
        assertEquals(2, (long)number(json, "clients"));
        assertEquals(rate, (long)number(json, "rateTarget"));
        assertTrue(number(json, "throughputOpsPerSec") > 0, json);
        assertTrue(number(json, "p50") > 0 && number(json, "p50") <= number(json, "p99"), json);

        long logged = 0;
        int intervals = 0;
        final HistogramLogReader reader = new HistogramLogReader(result.hlog.toFile());
        EncodableHistogram interval;
        while (null != (interval = reader.nextIntervalHistogram()))
        {
            logged += ((org.HdrHistogram.Histogram)interval).getTotalCount();
            intervals++;
        }
        assertTrue(intervals >= 1, "intervals in the log");
        assertEquals(ops, logged, "latencies in the log");

        final byte[] png = Files.readAllBytes(result.png);
        assertArrayEquals(new byte[] {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(png, 8));
        assertTrue(png.length > 10_000, png.length + " bytes of PNG");
        final BufferedImage image = ImageIO.read(result.png.toFile());
        assertEquals(1000, image.getWidth());
        assertEquals(600, image.getHeight());

        assertTrue(result.summaryLine().startsWith(label + ": " + String.format("%,d", ops) + " ops, 0 errors"),
            result.summaryLine());
    }

    private static double number(final String json, final String name)
    {
        final Matcher m = NUMBER_FIELD.matcher(json);
        while (m.find())
        {
            if (m.group(1).equals(name))
            {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError(name + " not in " + json);
    }

    private static PrintStream quiet()
    {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
