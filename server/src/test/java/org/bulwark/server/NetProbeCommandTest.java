package org.bulwark.server;

import org.HdrHistogram.Histogram;
import org.bulwark.probes.HostFacts;
import org.bulwark.probes.Latency;
import org.bulwark.probes.MirrorRecommendation;
import org.bulwark.probes.NetEndpoint;
import org.bulwark.probes.NetIdle;
import org.bulwark.probes.NetProbeResult;
import org.bulwark.probes.NetProbeSettings;
import org.bulwark.probes.NetResponder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bulwark probe net} through the command line (SPEC P-2), with a few hundred pings on loopback:
 * the report, the JSON, --write-config on a member's configuration file (and its refusal of loopback
 * figures), a responder for a while, an unanswered port, and option errors. Every driver directory of
 * this JVM is gone after each test. No timings are asserted (the timeout only guards against a hang).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetProbeCommandTest
{
    private static final String[] QUICK = {"--messages", "200", "--rate", "5000", "--stream", "100ms"};

    @TempDir
    Path dir;

    @AfterEach
    void noDriverDirectoryIsLeft() throws Exception
    {
        final String prefix = "bulwark-probe-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> entries = Files.list(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" :
            System.getProperty("java.io.tmpdir"))))
        {
            assertEquals(List.of(), entries.filter(p -> p.getFileName().toString().startsWith(prefix))
                .collect(Collectors.toList()));
        }
    }

    private static String[] args(final String... args)
    {
        return Stream.concat(Stream.of(args), Stream.of(QUICK)).toArray(String[]::new);
    }

    @Test
    void probesALocalResponder()
    {
        final CliRun run = CliRun.run("", args("probe", "net", "--local"));

        assertEquals(0, run.code(), run.errors() + run.output());
        assertTrue(run.output().contains("loopback"), run.output());
        assertTrue(run.output().contains("round trip"), run.output());
        assertTrue(run.output().contains("from the time its ping was due on the schedule"), run.output());
        assertTrue(run.output().contains("mirror.qosTimeoutMs = "), run.output());
        assertTrue(run.output().contains("mirror.compression = none"), run.output());
    }

    @Test
    void writeConfigSetsTheMirrorKeys() throws Exception
    {
        final Path config = CliRun.memberConfig(dir, "# keep me", "mirror.qosTimeoutMs = 500", "pool.size = 4m");
        final List<String> old = Files.readAllLines(config);
        final NetProbeResult result = linkResult();
        final MirrorRecommendation recommendation = MirrorRecommendation.from(result);
        final ByteArrayOutputStream echo = new ByteArrayOutputStream();

        NetProbeCommand.writeConfig(config, result, recommendation,
            new PrintStream(echo, true, StandardCharsets.UTF_8));

        final List<String> updated = Files.readAllLines(config);
        final String qos = "mirror.qosTimeoutMs = " + recommendation.qosTimeoutMs();
        assertTrue(updated.contains(qos), updated.toString());
        assertTrue(recommendation.qosTimeoutMs() >= MirrorRecommendation.QOS_FLOOR_PHYSICAL_MS, qos);
        final String printed = echo.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("wrote " + qos + " and mirror.compression = none to " + config), printed);
        assertEquals(old.size() + 2, updated.size(), "the QoS line replaced, a comment and the compression added");
        assertTrue(updated.contains("# keep me") && updated.contains("pool.size = 4m"), updated.toString());
        assertTrue(updated.contains("mirror.compression = none"), updated.toString());
        assertEquals(old, Files.readAllLines(dir.resolve("bulwark.conf.bak")));
        final InstanceConfig loaded = InstanceConfig.load(config);
        assertEquals("none", loaded.mirrorCompression());
        assertFalse(printed.contains("warning"), printed);
    }

    /**
     * A made-up result of a 1 Gbit/s-class link between two physical hosts, round trips of 200 µs.
     */
    private static NetProbeResult linkResult()
    {
        final Histogram roundTripNs = Latency.newHistogram();
        for (int i = 0; i < 1_000; i++)
        {
            Latency.record(roundTripNs, TimeUnit.MICROSECONDS.toNanos(200));
        }
        final long streamNs = TimeUnit.SECONDS.toNanos(2);
        final long bytes = 600_000_000L;
        return new NetProbeResult(new NetEndpoint("db2", 6390), "10.0.0.2", false, NetProbeSettings.defaults(),
            NetProbeSettings.DEFAULT_RATE_PER_SECOND, roundTripNs, bytes / 1024, bytes, streamNs, 128 * 1024,
            new HostFacts(false, "made up"), false, 2, 0.1);
    }

    @Test
    void writeConfigRefusesLoopbackFigures() throws Exception
    {
        final Path config = CliRun.memberConfig(dir, "mirror.qosTimeoutMs = 500");
        final List<String> old = Files.readAllLines(config);

        assertUsage("option --write-config cannot go with --local: a responder in this process measures this " +
            "host's loopback", "probe", "net", "--local", "--write-config", config.toString());
        assertEquals(old, Files.readAllLines(config));

        // a HOST that turns out to be this one: measured and reported, but not written
        try (NetResponder responder = NetResponder.start(new NetEndpoint("127.0.0.1", 0), NetIdle.BACKOFF,
            TimeUnit.SECONDS.toNanos(5), null))
        {
            final String target = "127.0.0.1:" + responder.endpoint().port();
            final CliRun run = CliRun.run("", args("probe", "net", target, "--write-config", config.toString()));
            assertEquals(BulwarkCli.EXIT_FAILED, run.code(), run.output() + run.errors());
            assertTrue(run.output().contains("mirror.qosTimeoutMs = "), "the report is printed: " + run.output());
            assertTrue(run.errors().contains("--write-config " + config + " left unchanged: the responder at udp " +
                target + " (127.0.0.1) is on this host, so these are loopback figures"), run.errors());
        }
        assertEquals(old, Files.readAllLines(config));
        assertFalse(Files.exists(dir.resolve("bulwark.conf.bak")));
    }

    @Test
    void jsonForMachines()
    {
        final CliRun run = CliRun.run("", args("probe", "net", "--local", "--json", "--size", "64", "--idle", "yield"));
        assertEquals(0, run.code(), run.errors());
        assertTrue(run.output().startsWith("{\"target\":\"127.0.0.1:"), run.output());
        assertTrue(run.output().contains("\"roundTrip\":{\"pings\":200,"), run.output());
        assertTrue(run.output().contains("\"recommendation\":{\"qosTimeoutMs\":"), run.output());
        assertTrue(run.output().contains("\"idle\":\"yield\""), run.output());
        assertTrue(run.errors().contains("a responder in this process"), run.errors());
    }

    @Test
    void aResponderAnswersForItsDurationAndAPingerReachesIt() throws Exception
    {
        final int port = freeUdpPort();
        final CliRun[] responder = new CliRun[1];
        final Thread listening = new Thread(() -> responder[0] = CliRun.run("", "probe", "net", "--listen",
            "127.0.0.1:" + port, "--for", "5s"));
        listening.start();
        try
        {
            // the pinger waits up to its timeout for the responder to come up: no sleep needed
            final CliRun pinger = CliRun.run("", args("probe", "net", "127.0.0.1:" + port, "--timeout", "20s"));
            assertEquals(0, pinger.code(), pinger.errors());
            assertTrue(pinger.output().contains("Network probe of udp 127.0.0.1:" + port), pinger.output());
        }
        finally
        {
            listening.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertFalse(listening.isAlive());
        assertEquals(0, responder[0].code(), responder[0].errors());
        assertTrue(responder[0].output().contains("answering probes on udp 127.0.0.1:" + port), responder[0].output());
        // 200 measured pings and 50 warm-up ones, then the pinger's BYE
        assertTrue(responder[0].output().contains("probe from 127.0.0.1 finished, done: 250 pings echoed"),
            responder[0].output());
        assertTrue(responder[0].output().contains("responder stopped"), responder[0].output());
    }

    @Test
    void anUnansweredPortFailsNamingHostAndPort() throws Exception
    {
        final int port = freeUdpPort();
        final CliRun run = CliRun.run("", args("probe", "net", "127.0.0.1:" + port, "--timeout", "300ms"));
        assertEquals(BulwarkCli.EXIT_FAILED, run.code(), run.output());
        assertTrue(run.errors().contains("no responder answered at udp 127.0.0.1:" + port + " within 300 ms"),
            run.errors());
    }

    @Test
    void optionErrorsExitTwoAndSayWhatWasWrong()
    {
        assertUsage("needs exactly one of HOST[:PORT], --listen or --local", "probe", "net");
        assertUsage("needs exactly one of", "probe", "net", "db2", "--local");
        assertUsage("option --messages needs a whole number, not 'many'", "probe", "net", "db2", "--messages", "many");
        assertUsage("option --messages must be 1 to 10000000, not 0", "probe", "net", "db2", "--messages", "0");
        assertUsage("option --size must be 24 to 65536, not 8", "probe", "net", "db2", "--size", "8");
        assertUsage("option --idle takes backoff, yield or sleep, not 'spin'", "probe", "net", "db2", "--idle", "spin");
        assertUsage("option --timeout needs a positive duration such as 500ms, 30s, 5m or 1h, not 'soon'",
            "probe", "net", "db2", "--timeout", "soon");
        assertUsage("host 'db2:x' : 'x' is not a port".replace(" : ", ": "), "probe", "net", "db2:x");
        assertUsage("--listen 'x:70000': '70000' is not a port (0..65535)", "probe", "net", "--listen", "x:70000");
        assertUsage("option --for belongs to probe net --listen", "probe", "net", "db2", "--for", "5s");
        assertUsage("--write-config belong to the pinger", "probe", "net", "--listen", "7000", "--write-config", "f");
        assertUsage("option --stream needs a value", "probe", "net", "db2", "--stream");
    }

    @Test
    void durationsTakeUnits()
    {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), NetProbeCommand.durationNs("500ms", "--for"));
        assertEquals(TimeUnit.SECONDS.toNanos(30), NetProbeCommand.durationNs("30s", "--for"));
        assertEquals(TimeUnit.SECONDS.toNanos(30), NetProbeCommand.durationNs("30", "--for"));
        assertEquals(TimeUnit.MINUTES.toNanos(5), NetProbeCommand.durationNs("5m", "--for"));
        assertEquals(TimeUnit.HOURS.toNanos(1), NetProbeCommand.durationNs("1h", "--for"));
        assertThrows(IllegalArgumentException.class, () -> NetProbeCommand.durationNs("0s", "--for"));
        assertThrows(IllegalArgumentException.class, () -> NetProbeCommand.durationNs("-1", "--for"));
    }

    private static void assertUsage(final String expected, final String... args)
    {
        final CliRun run = CliRun.run("", args);
        assertEquals(BulwarkCli.EXIT_USAGE, run.code(), String.join(" ", args) + ": " + run.output() + run.errors());
        assertTrue(run.errors().contains(expected), run.errors());
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
