package org.bulwark.perf.harness;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HarnessOptionsTest
{
    private static final String RESP = "resp://127.0.0.1:6380";

    @Test
    void defaults()
    {
        final HarnessOptions o = HarnessOptions.parse("--target", RESP);
        assertEquals("resp", o.target.system);
        assertEquals(1, o.clients);
        assertEquals(TimeUnit.SECONDS.toNanos(30), o.durationNs);
        assertEquals(TimeUnit.SECONDS.toNanos(5), o.warmupNs);
        assertTrue(o.closedLoop());
        assertEquals("set=100", o.mix.toString());
        assertEquals(100, o.valueBytes);
        assertEquals(100_000, o.keys);
        assertEquals(0, o.waitReplicas);
        assertEquals(1, o.ioThreads);
        assertFalse(o.preload);
        assertEquals("resp-127.0.0.1-6380-c1", o.label);
    }

    @Test
    void everyOption()
    {
        final HarnessOptions o = HarnessOptions.parse("--target", RESP, "--password", "pw", "--clients", "8",
            "--duration", "1.5s", "--warmup", "250ms", "--rate", "2000", "--mix", "set=50, get=30,incr=10,multi=10",
            "--value-bytes", "0", "--keys", "10", "--wait-replicas", "1", "--wait-timeout-ms", "50", "--preload",
            "--io-threads", "2", "--label", "run.1", "--out", "/tmp/x", "--seed", "-7");
        assertEquals("pw", o.password);
        assertEquals(8, o.clients);
        assertEquals(1_500_000_000L, o.durationNs);
        assertEquals(250_000_000L, o.warmupNs);
        assertEquals(2000, o.rateOpsPerSec);
        assertEquals("set=50,get=30,incr=10,multi=10", o.mix.toString());
        assertEquals(0, o.valueBytes);
        assertEquals(10, o.keys);
        assertEquals(1, o.waitReplicas);
        assertEquals(50, o.waitTimeoutMs);
        assertTrue(o.preload);
        assertEquals(2, o.ioThreads);
        assertEquals("run.1", o.label);
        assertEquals(-7, o.seed);
        assertEquals(TimeUnit.MINUTES.toNanos(2), HarnessOptions.duration("duration", "2m", false));
        assertEquals(0, HarnessOptions.duration("warmup", "0s", true));
    }

    @Test
    void defaultLabelNamesRateAndDatabase()
    {
        assertEquals("resp-localhost-6379-c4-r1000",
            HarnessOptions.parse("--target", "resp://localhost:6379", "--clients", "4", "--rate", "1000").label);
        assertEquals("postgresql-127.0.0.1-5432-bench-c2", HarnessOptions.parse("--target",
            "jdbc:postgresql://127.0.0.1:5432/bench?user=u&password=secret", "--clients", "2").label);
    }

    @Test
    void printableTargetDropsThePassword()
    {
        final TargetAddress t = TargetAddress.parse("jdbc:postgresql://db:5432/bench?user=u&password=secret&ssl=false");
        assertEquals("jdbc:postgresql://db:5432/bench?user=u&ssl=false", t.printable());
        assertEquals("bench", t.database);
        assertEquals(5432, t.port);
    }

    @Test
    void helpReturnsNull()
    {
        assertNull(HarnessOptions.parse("--help"));
        assertNull(HarnessOptions.parse("--target", RESP, "-h"));
    }

    @Test
    void badOptionsNameOptionValueAndWhatIsAllowed()
    {
        error("--target is required", "--clients", "2");
        error("unknown option '--client'", "--target", RESP, "--client", "2");
        error("option '--clients' needs a value", "--target", RESP, "--clients");
        error("option '--clients' is given twice", "--target", RESP, "--clients", "1", "--clients", "2");
        error("--clients: 0 is out of range; allowed: a whole number from 1 to 10000", "--target", RESP,
            "--clients", "0");
        error("--clients: 'two' is not allowed; allowed: a whole number from 1 to 10000", "--target", RESP,
            "--clients", "two");
        error("--duration: '30' is not a duration; allowed: a number with the unit ms, s or m", "--target", RESP,
            "--duration", "30");
        error("--duration: '0s' is too short; allowed: 1ms or more", "--target", RESP, "--duration", "0s");
        error("--warmup: '5h' is not a duration", "--target", RESP, "--warmup", "5h");
        error("--rate: 'fast' is not allowed; allowed: max or a whole number from 1 to 10000000", "--target", RESP,
            "--rate", "fast");
        error("--rate: 0 is out of range", "--target", RESP, "--rate", "0");
        error("--mix: unknown operation 'del' in 'set=1,del=1'; allowed: set, get, incr, multi", "--target", RESP,
            "--mix", "set=1,del=1");
        error("--mix: 'set' in 'set' is not name=weight", "--target", RESP, "--mix", "set");
        error("--mix: 'get' appears twice", "--target", RESP, "--mix", "get=1,get=2");
        error("--mix: weight 'x' of 'get' in 'get=x' is not a whole number", "--target", RESP, "--mix", "get=x");
        error("--mix: the weights in 'set=0' add up to 0", "--target", RESP, "--mix", "set=0");
        error("--keys: 1000000000 is out of range; allowed: a whole number from 1 to 999999999", "--target", RESP,
            "--keys", "1000000000");
        error("--value-bytes: -1 is out of range", "--target", RESP, "--value-bytes", "-1");
        error("--label: 'a/b' is not allowed", "--target", RESP, "--label", "a/b");
        error("--wait-timeout-ms: only with --wait-replicas", "--target", RESP, "--wait-timeout-ms", "5");
        error("--wait-replicas: 0 is out of range; allowed: a whole number from 1 to 1000", "--target", RESP,
            "--wait-replicas", "0");
    }

    @Test
    void badTargets()
    {
        error("--target: 'redis://h:1': allowed: resp://HOST:PORT (Bulwark or Redis) or jdbc:postgresql://",
            "--target", "redis://h:1");
        error("--target: 'resp://localhost': give a port from 1 to 65535", "--target", "resp://localhost");
        error("--target: 'resp://u:p@h:1': put no user or password in a resp:// target: use --password",
            "--target", "resp://u:p@h:1");
        error("--target: 'jdbc:postgresql://h:5432?user=u': name the database", "--target",
            "jdbc:postgresql://h:5432?user=u");
        error("--wait-replicas: only for resp:// targets", "--target", "jdbc:postgresql://h:5432/db",
            "--wait-replicas", "1");
        error("--io-threads: only for resp:// targets", "--target", "jdbc:postgresql://h:5432/db",
            "--io-threads", "2");
    }

    @Test
    void executeReportsBadOptionsWithExitStatus2()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = LoadHarness.execute(new String[] {"--target", RESP, "--rate", "-5"},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("run-harness: --rate: -5 is out of range"),
            err.toString(StandardCharsets.UTF_8));

        final ByteArrayOutputStream help = new ByteArrayOutputStream();
        assertEquals(0, LoadHarness.execute(new String[] {"--help"}, new PrintStream(help, true,
            StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(help.toString(StandardCharsets.UTF_8).startsWith("usage: perf/run-harness.sh"));
    }

    private static void error(final String expectedStart, final String... args)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> HarnessOptions.parse(args));
        assertTrue(ex.getMessage().startsWith(expectedStart), () -> "expected a message starting with '" +
            expectedStart + "' but got '" + ex.getMessage() + "'");
    }
}
