package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness's RESP client against a server that stalls once for 200 ms: at a fixed rate every op
 * that was due during the stall records the time it waited; in a closed loop only the op in flight
 * does. The bounds asserted follow from the schedule, not from how fast this machine is: the stall
 * is a lower bound on the waits, and in a closed loop one client fits at most ten 100 ms ops into a
 * second.
 */
class CoordinatedOmissionTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int STALL_AT = 300;
    private static final long STALL_MS = 200;

    @TempDir
    Path dir;

    @Test
    void aStallAtAFixedRateShowsInEveryOpDueDuringIt() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(STALL_AT, STALL_MS))
        {
            final HarnessResult result = run(server, "--rate", "1000");
            final Histogram latency = result.latencyNs;
            assertEquals(1_000, result.totals.ops, "every op due in the second is sent and recorded");
            assertEquals(0, result.totals.unfinished);
            assertTrue(latency.getMaxValue() >= STALL_MS * MS, "max " + latency.getMaxValue());
            // Op STALL_AT + i was due i ms after op STALL_AT was sent and cannot be sent before the
            // stall ends: it waited at least 200 - i ms, so the ops with i = 0..100 waited 100 ms or more.
            final long waited100Ms = latency.getCountBetweenValues(latency.lowestEquivalentValue(100 * MS),
                latency.getMaxValue());
            assertTrue(waited100Ms >= 101, waited100Ms + " ops of 100 ms or more");
        }
    }

    @Test
    void aClosedLoopRecordsTheStallOnceAndHidesTheRest() throws Exception
    {
        try (FakeRespServer server = new FakeRespServer(STALL_AT, STALL_MS))
        {
            final HarnessResult result = run(server, "--rate", "max");
            final Histogram latency = result.latencyNs;
            assertTrue(result.totals.ops > STALL_AT, result.totals.ops + " ops");
            assertTrue(latency.getMaxValue() >= STALL_MS * MS, "max " + latency.getMaxValue());
            final long waited100Ms = latency.getCountBetweenValues(latency.lowestEquivalentValue(100 * MS),
                latency.getMaxValue());
            assertTrue(waited100Ms >= 1 && waited100Ms <= 11, waited100Ms + " ops of 100 ms or more");
        }
    }

    @Test
    void opsAnsweredAfterTheMeasuredTimeAreNotThroughput() throws Exception
    {
        // Command 700 (the op due at 699 ms) stalls until 1.3 s, past the end of the measured second, and
        // the ops due after it cannot be sent before it replies: at most 699 replies arrive in the second.
        try (FakeRespServer server = new FakeRespServer(700, 600))
        {
            final HarnessResult result = run(server, "--rate", "1000");
            assertEquals(1_000, result.totals.ops, "every op due in the second is answered, in the drain");
            assertTrue(result.totals.throughputOpsPerSec(result.durationS) <= 699,
                result.totals.throughputOpsPerSec(result.durationS) + " ops/s");
            final String json = Files.readString(result.json);
            assertTrue(json.contains("\"offeredOpsPerSec\": 1000.000,"), json);
            final Matcher throughput = Pattern.compile("\"throughputOpsPerSec\": ([0-9.]+),").matcher(json);
            assertTrue(throughput.find() && Double.parseDouble(throughput.group(1)) <= 699, json);
        }
    }

    private HarnessResult run(final FakeRespServer server, final String... more) throws Exception
    {
        final String[] args = {"--target", "resp://127.0.0.1:" + server.port(), "--clients", "1",
            "--duration", "1s", "--warmup", "0s", "--out", dir.toString(), "--label", "stall", "--seed", "1"};
        final String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return LoadHarness.run(HarnessOptions.parse(all), new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8));
    }
}
