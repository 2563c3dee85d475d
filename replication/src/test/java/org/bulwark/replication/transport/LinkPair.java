package org.bulwark.replication.transport;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.replication.auth.MirrorKey;
import org.bulwark.replication.protocol.MirrorRole;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Two failover members' links in one JVM, each with a driver of its own, over UDP on loopback: "a"
 * (the primary in most tests) and "b". Drivers live under a base directory of the test's own, removed on
 * close; everything the links log is kept for assertions.
 */
final class LinkPair implements AutoCloseable
{
    static final String MIRROR = "MIRRORA";
    static final int STREAM_ID = 1001;
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(15);
    static final MirrorKey KEY = MirrorKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    final Path base;
    final ByteArrayOutputStream logText = new ByteArrayOutputStream();
    final MessageLog log = MessageLog.console(new PrintStream(logText, true, StandardCharsets.UTF_8), Severity.INFO);
    final MirrorEndpoint endpointA;
    final MirrorEndpoint endpointB;
    final MirrorDriver driverA;
    final MirrorDriver driverB;
    final RecordingHandler heardByA = new RecordingHandler();
    RecordingHandler heardByB = new RecordingHandler();
    final MirrorLink a;
    MirrorLink b;
    private final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 200_000);

    LinkPair(final String idleStrategyName, final MirrorKey keyOfB, final String mirrorOfB) throws IOException
    {
        this(idleStrategyName, keyOfB, mirrorOfB, context -> {});
    }

    /**
     * @param customiseB changes b's driver context (fault injection).
     */
    LinkPair(final String idleStrategyName, final MirrorKey keyOfB, final String mirrorOfB,
        final Consumer<MediaDriver.Context> customiseB) throws IOException
    {
        base = Files.createDirectories(DriverDirectories.defaultBase().resolve(
            "bulwark-transport-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        final int[] ports = freePorts(2);
        endpointA = new MirrorEndpoint("127.0.0.1", ports[0]);
        endpointB = new MirrorEndpoint("127.0.0.1", ports[1]);
        driverA = MirrorDriver.launch(base, "a", idleStrategyName, log);
        driverB = MirrorDriver.launch(base, "b", idleStrategyName, log, customiseB);
        a = new MirrorLink(driverA.aeron(), MirrorLinkSettings.of(MIRROR, "a", endpointA, endpointB, STREAM_ID), KEY,
            heardByA, log);
        b = openB(keyOfB, mirrorOfB, 0x0B0B);
    }

    LinkPair() throws IOException
    {
        this(MirrorIdleStrategies.BACKOFF, KEY, MIRROR);
    }

    /**
     * A driver customisation that drops every frame b's driver sends or receives while {@code partitioned}
     * holds: b goes silent as a killed or cut-off host would, without saying goodbye.
     */
    static Consumer<MediaDriver.Context> partitionable(final AtomicBoolean partitioned)
    {
        final LossGenerator drop = (address, buffer, length) -> partitioned.get();
        return context -> context
            .sendChannelEndpointSupplier((channel, status, ctx) ->
                new DebugSendChannelEndpoint(channel, status, ctx, drop, drop))
            .receiveChannelEndpointSupplier((channel, dispatcher, status, ctx) ->
                new DebugReceiveChannelEndpoint(channel, dispatcher, status, ctx, drop, drop));
    }

    /**
     * (Re)open b's link with a new incarnation and a fresh handler.
     */
    MirrorLink openB(final MirrorKey key, final String mirror, final long incarnation)
    {
        heardByB = new RecordingHandler();
        return openB(key, mirror, incarnation, heardByB);
    }

    MirrorLink openB(final MirrorKey key, final String mirror, final long incarnation,
        final MirrorMessageHandler handler)
    {
        b = new MirrorLink(driverB.aeron(), new MirrorLinkSettings(mirror, "b", incarnation, endpointB, endpointA,
            STREAM_ID), key, handler, log);
        return b;
    }

    /**
     * Both say HELLO (again and again: sends fail until Aeron connects) until each has authenticated the other.
     */
    void handshake()
    {
        pollUntil(() ->
        {
            if (!b.peerAuthenticated())
            {
                a.sendHello(1, MirrorRole.PRIMARY, 0, 0, 0);
            }
            if (!a.peerAuthenticated())
            {
                b.sendHello(1, MirrorRole.BACKUP, 0, 0, 0);
            }
            return a.peerAuthenticated() && b.peerAuthenticated();
        }, "both links authenticate their peer");
    }

    /**
     * Poll both links until the condition holds, failing after {@link #DEADLINE_NS}.
     */
    void pollUntil(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + TimeUnit.NANOSECONDS.toSeconds(DEADLINE_NS) +
                    " s waiting until " + what + "; a: " + a.counters() + "; b: " + b.counters() + "\nlog:\n" +
                    logText());
            }
            final int work = a.poll(10) + (null == b ? 0 : b.poll(10));
            idle.idle(work);
        }
    }

    String logText()
    {
        return logText.toString(StandardCharsets.UTF_8);
    }

    /**
     * @return distinct UDP ports free on loopback a moment ago (all bound at once, so none repeats).
     */
    static int[] freePorts(final int count) throws IOException
    {
        final DatagramSocket[] sockets = new DatagramSocket[count];
        try
        {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        }
        finally
        {
            CloseHelper.closeAll(sockets);
        }
    }

    /**
     * Close links and drivers, and check the drivers left nothing behind.
     */
    @Override
    public void close() throws IOException
    {
        CloseHelper.closeAll(a, b, driverA, driverB);
        try (Stream<Path> left = Files.list(base))
        {
            final long count = left.count();
            if (count != 0)
            {
                throw new AssertionError(count + " driver directories left behind in " + base);
            }
        }
        finally
        {
            IoUtil.delete(base.toFile(), true);
        }
    }
}
