package org.bulwark.probes;

import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.AeronException;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The network probe end to end in one JVM: a responder and a pinger, each with its own embedded driver,
 * over UDP on loopback with a few hundred pings and a short stream. Asserts counts, order, the
 * recommendation's floor, the JSON, the error naming an unanswered endpoint, and that every driver
 * directory is gone afterwards. No timings are asserted (the timeout only guards against a hang).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetProbeTest
{
    private static final HostFacts PHYSICAL = new HostFacts(false, "test: physical");
    private static final HostFacts VIRTUAL = new HostFacts(true, "test: virtual");
    private static final int MESSAGES = 300;
    private static final int SIZE_BYTES = 256;
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private Path base;

    @BeforeEach
    void driverBase() throws Exception
    {
        base = Files.createDirectories(ProbeDriver.defaultBase().resolve(
            "bulwark-net-probe-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
    }

    @AfterEach
    void everyDriverDirectoryIsGone() throws Exception
    {
        try (Stream<Path> left = Files.list(base))
        {
            assertEquals(List.of(), left.collect(Collectors.toList()), "driver directories left behind");
        }
        finally
        {
            IoUtil.delete(base.toFile(), true);
        }
    }

    private static NetProbeSettings settings(final long timeoutNs)
    {
        return new NetProbeSettings(MESSAGES, SIZE_BYTES, 5_000, TimeUnit.MILLISECONDS.toNanos(200), timeoutNs,
            NetIdle.BACKOFF, 0);
    }

    @Test
    void probesAResponderOnLoopback() throws Exception
    {
        final NetProbeResult result;
        final Path responderDirectory;
        try (NetResponder responder = NetResponder.start(base, new NetEndpoint("127.0.0.1", 0), NetIdle.BACKOFF,
            ANSWER_TIMEOUT_NS, VIRTUAL, null))
        {
            responderDirectory = responder.driverDirectory();
            assertTrue(Files.isDirectory(responderDirectory));
            assertTrue(responder.endpoint().port() > 0, responder.endpoint().toString());
            result = NetPinger.probe(base, responder.endpoint(), settings(ANSWER_TIMEOUT_NS), PHYSICAL);
        }
        assertFalse(Files.exists(responderDirectory), responderDirectory.toString());

        assertEquals(MESSAGES, result.pings());
        assertTrue(result.percentileNs(50) > 0);
        assertTrue(result.percentileNs(50) <= result.percentileNs(90));
        assertTrue(result.percentileNs(90) <= result.percentileNs(99));
        assertTrue(result.percentileNs(99) <= result.percentileNs(99.9));
        assertTrue(result.percentileNs(99.9) <= result.roundTripNs().highestEquivalentValue(result.maxNs()));
        assertTrue(result.streamMessages() > 0);
        assertEquals(result.streamMessages() * SIZE_BYTES, result.streamBytes());
        assertTrue(result.streamNs() > 0);
        assertTrue(result.sameHost());
        assertTrue(result.responderVirtual(), "the responder's host facts travel in its WELCOME");

        final MirrorRecommendation recommendation = MirrorRecommendation.from(result);
        assertEquals(MirrorRecommendation.QOS_FLOOR_VIRTUAL_MS, recommendation.qosFloorMs(),
            "one virtual end makes the floor a VM's");
        assertTrue(recommendation.qosTimeoutMs() >= recommendation.qosFloorMs());
        assertEquals("none", recommendation.compression(), "nothing to compress on one host");

        final String text = NetProbeReport.text(result, recommendation);
        assertTrue(text.contains("mirror.qosTimeoutMs = " + recommendation.qosTimeoutMs()), text);
        assertTrue(text.contains("mirror.compression = none"), text);
        assertTrue(text.contains("loopback"), text);

        final Object json = JsonReader.parse(NetProbeReport.json(result, recommendation), "the probe's JSON");
        assertEquals(responderEndpoint(result), ((Map<?, ?>)json).get("target"));
        assertEquals(Boolean.TRUE, ((Map<?, ?>)json).get("sameHost"));
        final Map<String, Object> roundTrip = member(json, "roundTrip");
        assertEquals((double)MESSAGES, roundTrip.get("pings"));
        double previous = 0;
        for (final String field : new String[]{"p50Us", "p90Us", "p99Us", "p999Us", "maxUs"})
        {
            final double value = (Double)roundTrip.get(field);
            assertTrue(value >= previous, field + " " + value + " after " + previous);
            previous = value;
        }
        final Map<String, Object> stream = member(json, "stream");
        assertEquals((double)result.streamMessages(), stream.get("messages"));
        assertTrue((Double)stream.get("mbPerSecond") > 0);
        final Map<String, Object> advice = member(json, "recommendation");
        assertEquals((double)recommendation.qosTimeoutMs(), advice.get("qosTimeoutMs"));
        assertTrue((Double)advice.get("qosTimeoutMs") >= MirrorRecommendation.QOS_FLOOR_PHYSICAL_MS);
        assertEquals("none", advice.get("compression"));
        assertEquals(Boolean.FALSE, member(json, "machine").get("virtual"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> member(final Object value, final String name)
    {
        final Object member = ((Map<String, Object>)value).get(name);
        assertTrue(member instanceof Map, name + " is not an object: " + member);
        return (Map<String, Object>)member;
    }

    private static String responderEndpoint(final NetProbeResult result)
    {
        return result.target().toString();
    }

    @Test
    void largeMessagesAreFragmentedAndReassembled() throws Exception
    {
        final int sizeBytes = NetProbeSettings.MAX_SIZE_BYTES;
        try (NetResponder responder = NetResponder.start(base, new NetEndpoint("127.0.0.1", 0), NetIdle.YIELD,
            ANSWER_TIMEOUT_NS, PHYSICAL, null))
        {
            final NetProbeResult result = NetPinger.probe(base, responder.endpoint(), new NetProbeSettings(60,
                sizeBytes, 1_000, TimeUnit.MILLISECONDS.toNanos(100), ANSWER_TIMEOUT_NS, NetIdle.YIELD, 0), PHYSICAL);
            assertEquals(60, result.pings());
            assertEquals(result.streamMessages() * sizeBytes, result.streamBytes());
            assertEquals(MirrorRecommendation.QOS_FLOOR_PHYSICAL_MS, MirrorRecommendation.from(result).qosFloorMs());
        }
    }

    @Test
    void aPortWithoutAResponderFailsWithinTheDeadlineNamingHostAndPort() throws Exception
    {
        final int port;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            port = socket.getLocalPort();
        }
        final ProbeException ex = assertThrows(ProbeException.class, () -> NetPinger.probe(base,
            new NetEndpoint("127.0.0.1", port), settings(TimeUnit.MILLISECONDS.toNanos(300)), PHYSICAL));
        assertTrue(ex.getMessage().startsWith("no responder answered at udp 127.0.0.1:" + port + " within 300 ms"),
            ex.getMessage());
    }

    @Test
    void aPortInUseIsNamedAndTheDriverIsCleanedUp() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            final NetEndpoint taken = new NetEndpoint("127.0.0.1", socket.getLocalPort());
            final ProbeException ex = assertThrows(ProbeException.class, () -> NetResponder.start(base, taken,
                NetIdle.BACKOFF, ANSWER_TIMEOUT_NS, PHYSICAL, null));
            assertTrue(ex.getMessage().startsWith("cannot listen on udp " + taken + ": "), ex.getMessage());
            assertFalse(ex.getMessage().contains("(at "), "no stack position in the message: " + ex.getMessage());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aResponderThatNeverSendsTheFinalCountFailsThePingerWithinItsDeadline() throws Exception
    {
        try (ProbeDriver responderDriver = ProbeDriver.launch(base, "responder"))
        {
            final Subscription requests = responderDriver.aeron().addSubscription(
                NetResponderAgent.channel(new NetEndpoint("127.0.0.1", 0)), NetProbeMessages.REQUEST_STREAM_ID);
            final NetEndpoint endpoint = NetResponderAgent.boundEndpoint(requests, new NetEndpoint("127.0.0.1", 0),
                SystemNanoClock.INSTANCE, ANSWER_TIMEOUT_NS);
            final MuteAtEndResponderAgent mute = new MuteAtEndResponderAgent(responderDriver.aeron(), requests);
            final List<Throwable> errors = new CopyOnWriteArrayList<>();
            try (AgentRunner runner = new AgentRunner(NetIdle.backoff(), errors::add, null, mute))
            {
                AgentRunner.startOnThread(runner);
                // without a deadline of its own the pinger waits for the final count forever, deaf to interrupts:
                // the timeout above runs this test on a thread of its own to fail rather than hang the build
                final ProbeException ex = assertThrows(ProbeException.class, () -> NetPinger.probe(base, endpoint,
                    settings(TimeUnit.SECONDS.toNanos(1)), PHYSICAL));
                assertTrue(ex.getMessage().startsWith("the responder at udp " + endpoint + " did not answer the end " +
                    "of the stream with its final count within 1000 ms ("), ex.getMessage());
                assertTrue(mute.endSeen(), "the pinger's END arrived");
            }
            finally
            {
                requests.close();
            }
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void aReplyChannelThatCannotBeOpenedFinishesTheSessionOnce() throws Exception
    {
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final AtomicInteger attempts = new AtomicInteger();
        try (ProbeDriver responderDriver = ProbeDriver.launch(base, "responder"))
        {
            final NetResponderAgent agent = new NetResponderAgent(responderDriver.aeron(),
                new NetEndpoint("127.0.0.1", 0), PHYSICAL, ANSWER_TIMEOUT_NS, SystemNanoClock.INSTANCE,
                new PrintStream(log, true, StandardCharsets.UTF_8), reply ->
                {
                    attempts.incrementAndGet();
                    throw new AeronException("channel error - no route to " + reply + " (at X.java:1)");
                });
            try (AgentRunner runner = new AgentRunner(NetIdle.backoff(), errors::add, null, agent))
            {
                AgentRunner.startOnThread(runner);
                final ProbeException ex = assertThrows(ProbeException.class, () -> NetPinger.probe(base,
                    agent.endpoint(), settings(TimeUnit.SECONDS.toNanos(1)), PHYSICAL));
                assertTrue(ex.getMessage().contains("did not arrive within 1000 ms"), ex.getMessage());
            }
        }
        assertEquals(List.of(), errors, "no error on every duty cycle");
        assertEquals(1, attempts.get(), "one attempt per pinger");
        final String printed = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, printed.lines().count(), printed);
        assertTrue(printed.startsWith("probe from 127.0.0.1 finished, its reply channel udp 127.0.0.1:"), printed);
        assertTrue(printed.contains(" could not be opened: no route to 127.0.0.1:"), printed);
    }

    @Test
    void directoriesOfDeadProbesAreDeletedByTheNextOne() throws Exception
    {
        final Path dead = Files.createDirectories(base.resolve(ProbeDriver.DIRECTORY_PREFIX + "999999999-pinger-1"));
        Files.writeString(dead.resolve("cnc.dat"), "left by a killed probe");
        age(dead);
        final Path recent = Files.createDirectories(base.resolve(ProbeDriver.DIRECTORY_PREFIX + "999999999-pinger-2"));
        final Path unrelated = Files.createDirectories(base.resolve("someone-else"));
        age(unrelated);
        try (ProbeDriver driver = ProbeDriver.launch(base, "pinger"))
        {
            assertFalse(Files.exists(dead));
            assertTrue(Files.exists(recent), "changed within a minute: perhaps a probe still starting");
            assertTrue(Files.exists(unrelated));
            assertTrue(Files.isDirectory(driver.directory()));
        }
        Files.delete(unrelated);
        Files.delete(recent);
    }

    @Test
    void aLiveDriverUnderAPidThisNamespaceDoesNotKnowIsKept() throws Exception
    {
        // a probe in a container of its own, sharing /dev/shm: its PID means nothing here, its heartbeat does
        final Path foreign = base.resolve(ProbeDriver.DIRECTORY_PREFIX + "999999999-responder-1");
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(foreign.toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(NetIdle.backoff())
            .publicationTermBufferLength(ProbeDriver.TERM_LENGTH_BYTES)
            .ipcTermBufferLength(ProbeDriver.TERM_LENGTH_BYTES)))
        {
            assertEquals(foreign.toString(), driver.aeronDirectoryName());
            age(foreign);
            try (ProbeDriver probe = ProbeDriver.launch(base, "pinger"))
            {
                assertTrue(Files.exists(foreign.resolve("cnc.dat")), "a driver with a heartbeat is alive");
                assertTrue(Files.isDirectory(probe.directory()));
            }
        }
    }

    /**
     * Make a directory and its files look untouched for two minutes.
     */
    private static void age(final Path directory) throws Exception
    {
        final FileTime old = FileTime.fromMillis(System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(2));
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : files.collect(Collectors.toList()))
            {
                Files.setLastModifiedTime(file, old);
            }
        }
        Files.setLastModifiedTime(directory, old);
    }
}
