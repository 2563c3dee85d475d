package org.bulwark.probes;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.Configuration;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.Header;
import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The pinger of {@code bulwark probe net HOST} (SPEC P-2), in three steps on one thread:
 * <ol>
 * <li>Handshake: wait for the Aeron connection to the responder, send HELLO naming the reply port,
 *     wait for WELCOME. Either wait ends after the timeout with an error naming the responder.</li>
 * <li>Throughput: one-way stream of messages as fast as Aeron's flow control lets them go, for the
 *     stream duration; the responder acknowledges counts as they arrive, and END asks for the final
 *     count. Throughput is what the final acknowledgement confirms over the time from the first
 *     message to its arrival: all of it delivered, none of it merely buffered. This is the shape of
 *     mirroring's journal stream (data one way, acknowledgements back), with the same flow control.</li>
 * <li>Round trips: warm-up pings, then the measured ones, sent on a fixed schedule at the rate asked
 *     (lowered if pings would take more than a tenth of the stream's bandwidth, see {@link #pingRate})
 *     whether or not earlier ones were answered (open loop). Each ping carries the time it was due on
 *     that schedule, not the time it went, and the echo's arrival minus that goes into an HdrHistogram:
 *     a stall of this pinger, of Aeron's back-pressure or of the network delays every ping due during
 *     it, and each counts its whole wait, so no coordinated omission hides it (see
 *     {@link PingSchedule}).</li>
 * </ol>
 */
public final class NetPinger
{
    private static final int FRAGMENT_LIMIT = 64;
    /** Pings may take at most this share of the bandwidth the stream measured (see {@link #pingRate}). */
    static final double PING_SHARE_OF_STREAM = 0.1;
    /** During the stream, drain acknowledgements after this many messages even while none is refused. */
    private static final int POLL_EVERY_MESSAGES = 64;

    private final Aeron aeron;
    private final NetEndpoint target;
    private final NetProbeSettings settings;
    private final HostFacts localHost;
    private final NanoClock clock;
    private final IdleStrategy idle;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onReply);
    private final UnsafeBuffer buffer;
    private final Histogram roundTripNs = Latency.newHistogram();

    private long nonce;
    private boolean welcomed;
    private byte responderVersion;
    private boolean responderVirtual;
    private PingSchedule pings;
    private long lastEchoNs;
    private long ackedMessages;
    private long ackedBytes;
    private long lastAckNs;
    private boolean finalAck;
    private long finalAckNs;

    NetPinger(final Aeron aeron, final NetEndpoint target, final NetProbeSettings settings, final HostFacts localHost,
        final NanoClock clock)
    {
        this.aeron = aeron;
        this.target = target;
        this.settings = settings;
        this.localHost = localHost;
        this.clock = clock;
        this.idle = settings.idle().newStrategy();
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(settings.sizeBytes(), 64), 64));
        for (int i = NetProbeMessages.HEADER_LENGTH; i < settings.sizeBytes(); i++)
        {
            buffer.putByte(i, (byte)(i * 31 + 7)); // not all zeros: nothing on the way gets an easy ride
        }
    }

    /**
     * Probe {@code target} with a driver of its own under {@link ProbeDriver#defaultBase()}.
     *
     * @throws ProbeException naming the responder when it cannot be reached or stops answering.
     */
    public static NetProbeResult probe(final NetEndpoint target, final NetProbeSettings settings)
        throws ProbeException
    {
        return probe(ProbeDriver.defaultBase(), target, settings, HostFacts.system());
    }

    static NetProbeResult probe(final Path driverBase, final NetEndpoint target, final NetProbeSettings settings,
        final HostFacts localHost) throws ProbeException
    {
        try (ProbeDriver driver = ProbeDriver.launch(driverBase, "pinger", settings.idle()))
        {
            return new NetPinger(driver.aeron(), target, settings, localHost, SystemNanoClock.INSTANCE).run();
        }
    }

    NetProbeResult run() throws ProbeException
    {
        final InetAddress address = resolve();
        final String anyAddress = address instanceof Inet6Address ? "::" : "0.0.0.0";
        final NetEndpoint responder = new NetEndpoint(address.getHostAddress(), target.port());
        ExclusivePublication request = null;
        Subscription replies = null;
        try
        {
            request = aeron.addExclusivePublication(NetResponderAgent.channel(responder),
                NetProbeMessages.REQUEST_STREAM_ID);
            final NetEndpoint replyEndpoint = new NetEndpoint(anyAddress, settings.replyPort());
            replies = aeron.addSubscription(NetResponderAgent.channel(replyEndpoint), NetProbeMessages.REPLY_STREAM_ID);
            final int replyPort =
                NetResponderAgent.boundEndpoint(replies, replyEndpoint, clock, settings.timeoutNs()).port();
            handshake(request, replies, replyPort);
            final long streamStartNs = clock.nanoTime();
            final long streamMessages = stream(request, replies);
            final long streamNs = finalAckNs - streamStartNs;
            final int pingRate = pingRate(settings, ackedBytes * 1e9 / Math.max(1, streamNs));
            roundTrips(request, replies, pingRate);
            NetProbeMessages.encode(buffer, NetProbeMessages.BYE, (short)0, 0, 0, 0);
            request.offer(buffer, 0, NetProbeMessages.HEADER_LENGTH); // a courtesy: the responder also notices we left
            return new NetProbeResult(target, address.getHostAddress(), isLocal(address), settings, pingRate,
                roundTripNs, streamMessages, ackedBytes, streamNs, windowBytes(), localHost, responderVirtual,
                Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        catch (final AeronException ex)
        {
            throw new ProbeException("probe of udp " + target + " failed: " + NetResponderAgent.reason(ex), ex);
        }
        finally
        {
            CloseHelper.quietCloseAll(request, replies);
        }
    }

    /**
     * The rate pings go at: the one asked, lowered if need be so that pings and echoes take at most
     * {@link #PING_SHARE_OF_STREAM} of what the stream carried. Sent open loop, pings faster than the
     * link carries them would queue without end, and the round trips would measure the queue.
     */
    static int pingRate(final NetProbeSettings settings, final double streamBytesPerSecond)
    {
        final double fitting = PING_SHARE_OF_STREAM * streamBytesPerSecond / settings.sizeBytes();
        return (int)Math.max(1, Math.min(settings.ratePerSecond(), fitting));
    }

    /**
     * Aeron's flow-control window for this probe's streams: the receiver's initial window, at most half
     * a term.
     */
    static int windowBytes()
    {
        return Math.min(Configuration.initialWindowLength(), ProbeDriver.TERM_LENGTH_BYTES / 2);
    }

    private InetAddress resolve() throws ProbeException
    {
        try
        {
            return InetAddress.getByName(target.host());
        }
        catch (final UnknownHostException ex)
        {
            throw new ProbeException("unknown host '" + target.host() + "' (" + ex.getMessage() + ")", ex);
        }
    }

    /**
     * @return true if the address is this host's: loopback, the wildcard, or an address of one of its interfaces.
     */
    static boolean isLocal(final InetAddress address)
    {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress())
        {
            return true;
        }
        try
        {
            return null != NetworkInterface.getByInetAddress(address);
        }
        catch (final SocketException ex)
        {
            return false;
        }
    }

    private void handshake(final ExclusivePublication request, final Subscription replies, final int replyPort)
        throws ProbeException
    {
        final long startNs = clock.nanoTime();
        idle.reset();
        while (!request.isConnected())
        {
            if (clock.nanoTime() - startNs > settings.timeoutNs())
            {
                throw new ProbeException("no responder answered at udp " + target + " within " + millis() +
                    " ms (is 'bulwark probe net --listen " + target.port() + "' running there, and UDP port " +
                    target.port() + " open to this host?)");
            }
            idle.idle();
        }
        nonce = ThreadLocalRandom.current().nextLong();
        NetProbeMessages.encode(buffer, NetProbeMessages.HELLO, (short)0, replyPort, nonce, 0);
        offer(request, NetProbeMessages.HEADER_LENGTH);
        idle.reset();
        while (!welcomed)
        {
            if (replies.poll(assembler, FRAGMENT_LIMIT) == 0)
            {
                if (clock.nanoTime() - startNs > settings.timeoutNs())
                {
                    throw new ProbeException("the responder at udp " + target + " was reached, but its answers to " +
                        "UDP port " + replyPort + " of this host did not arrive within " + millis() + " ms (a " +
                        "firewall? --reply-port chooses the port)");
                }
                idle.idle();
            }
        }
        if (responderVersion != NetProbeMessages.VERSION)
        {
            throw new ProbeException("the responder at udp " + target + " speaks probe protocol version " +
                responderVersion + ", this pinger " + NetProbeMessages.VERSION + ": run the same Bulwark on both");
        }
    }

    private void roundTrips(final ExclusivePublication request, final Subscription replies, final int ratePerSecond)
        throws ProbeException
    {
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        final int length = settings.sizeBytes();
        final long startNs = clock.nanoTime();
        pings = new PingSchedule(startNs, intervalNs, settings.warmupMessages(),
            (long)settings.warmupMessages() + settings.messages(), roundTripNs);
        lastEchoNs = startNs;
        idle.reset();
        while (!pings.complete())
        {
            final long nowNs = clock.nanoTime();
            int work = 0;
            if (pings.due(nowNs))
            {
                // the time it was due, not nowNs: a ping held back by back-pressure or a late wake-up counts
                // the wait in its round trip (see PingSchedule)
                NetProbeMessages.encode(buffer, NetProbeMessages.PING, (short)0, 0, pings.nextSequence(),
                    pings.dueNs());
                final long result = request.offer(buffer, 0, length);
                if (result > 0)
                {
                    if (pings.sentPings() == pings.echoes())
                    {
                        lastEchoNs = nowNs; // nothing was outstanding: the wait for an answer starts now
                    }
                    pings.sent();
                    work++;
                }
                else
                {
                    checkRefusal(result);
                }
            }
            work += replies.poll(assembler, FRAGMENT_LIMIT);
            if (work > 0)
            {
                idle.reset();
            }
            else
            {
                final long unanswered = pings.sentPings() - pings.echoes();
                if (unanswered > 0 && nowNs - lastEchoNs > settings.timeoutNs())
                {
                    throw new ProbeException("the responder at udp " + target + " stopped answering: " +
                        unanswered + " of " + pings.sentPings() + " pings unanswered for " + millis() + " ms");
                }
                idle.idle();
            }
        }
    }

    /**
     * @return stream messages sent (and acknowledged).
     */
    private long stream(final ExclusivePublication request, final Subscription replies) throws ProbeException
    {
        final int length = settings.sizeBytes();
        NetProbeMessages.encode(buffer, NetProbeMessages.DATA, (short)0, 0, 0, 0);
        final long startNs = clock.nanoTime();
        final long endNs = startNs + settings.streamNs();
        lastAckNs = startNs;
        long sent = 0;
        idle.reset();
        while (true)
        {
            final long nowNs = clock.nanoTime();
            if (nowNs - endNs >= 0)
            {
                break;
            }
            buffer.putLong(NetProbeMessages.NUMBER_OFFSET, sent, NetProbeMessages.ORDER);
            final long result = request.offer(buffer, 0, length);
            if (result > 0)
            {
                sent++;
                if (sent % POLL_EVERY_MESSAGES == 0)
                {
                    replies.poll(assembler, FRAGMENT_LIMIT);
                }
                idle.reset();
            }
            else
            {
                checkRefusal(result);
                if (replies.poll(assembler, FRAGMENT_LIMIT) == 0)
                {
                    checkAcks(nowNs, sent);
                    idle.idle();
                }
            }
        }
        NetProbeMessages.encode(buffer, NetProbeMessages.END, (short)0, 0, sent, sent * length);
        offer(request, NetProbeMessages.HEADER_LENGTH);
        awaitFinalAck(request, replies, sent);
        if (ackedMessages != sent || ackedBytes != sent * length)
        {
            throw new ProbeException("the responder at udp " + target + " counted " + ackedMessages + " stream " +
                "messages (" + ackedBytes + " bytes) of " + sent + " (" + sent * length + " bytes) sent");
        }
        return sent;
    }

    /**
     * Wait for the answer to END for at most the timeout from sending it. The wait needs a deadline of its
     * own: every message may be acknowledged already, so the silence {@link #checkAcks} looks for never
     * comes when the responder dies or gives the session up between its last count and the final one.
     */
    private void awaitFinalAck(final ExclusivePublication request, final Subscription replies, final long sent)
        throws ProbeException
    {
        final long deadlineNs = clock.nanoTime() + settings.timeoutNs();
        idle.reset();
        while (!finalAck)
        {
            if (replies.poll(assembler, FRAGMENT_LIMIT) == 0)
            {
                final long nowNs = clock.nanoTime();
                if (!request.isConnected() || !replies.isConnected())
                {
                    throw new ProbeException("lost the connection to the responder at udp " + target + " while " +
                        "waiting for its final count of the stream (" + ackedMessages + " of " + sent +
                        " messages acknowledged)");
                }
                checkAcks(nowNs, sent);
                if (nowNs - deadlineNs > 0)
                {
                    throw new ProbeException("the responder at udp " + target + " did not answer the end of the " +
                        "stream with its final count within " + millis() + " ms (" + ackedMessages + " of " + sent +
                        " messages acknowledged)");
                }
                idle.idle();
            }
        }
    }

    private void checkAcks(final long nowNs, final long sent) throws ProbeException
    {
        if (ackedMessages < sent && nowNs - lastAckNs > settings.timeoutNs())
        {
            throw new ProbeException("the responder at udp " + target + " stopped acknowledging the stream: " +
                ackedMessages + " of " + sent + " messages acknowledged, none for " + millis() + " ms");
        }
    }

    /**
     * Offer a control message, waiting out back-pressure for at most the timeout.
     */
    private void offer(final ExclusivePublication request, final int length) throws ProbeException
    {
        final long startNs = clock.nanoTime();
        idle.reset();
        while (true)
        {
            final long result = request.offer(buffer, 0, length);
            if (result > 0)
            {
                return;
            }
            checkRefusal(result);
            if (clock.nanoTime() - startNs > settings.timeoutNs())
            {
                throw new ProbeException("the responder at udp " + target + " took nothing for " + millis() + " ms");
            }
            idle.idle();
        }
    }

    /**
     * Back-pressure is waited out by the caller; anything else means the responder is gone.
     */
    private void checkRefusal(final long result) throws ProbeException
    {
        if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED ||
            result == Publication.MAX_POSITION_EXCEEDED)
        {
            throw new ProbeException("lost the connection to the responder at udp " + target + " (" +
                Publication.errorString(result) + ")");
        }
    }

    private void onReply(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        switch (NetProbeMessages.type(buffer, offset, length))
        {
            case NetProbeMessages.WELCOME:
                if (NetProbeMessages.number(buffer, offset) == nonce)
                {
                    welcomed = true;
                    responderVersion = NetProbeMessages.version(buffer, offset);
                    responderVirtual =
                        (NetProbeMessages.flags(buffer, offset) & NetProbeMessages.FLAG_VIRTUAL_HOST) != 0;
                }
                break;
            case NetProbeMessages.PING:
                onEcho(NetProbeMessages.number(buffer, offset), NetProbeMessages.value(buffer, offset));
                break;
            case NetProbeMessages.ACK:
                if (NetProbeMessages.number(buffer, offset) > ackedMessages)
                {
                    ackedMessages = NetProbeMessages.number(buffer, offset);
                    ackedBytes = NetProbeMessages.value(buffer, offset);
                    lastAckNs = clock.nanoTime();
                }
                if ((NetProbeMessages.flags(buffer, offset) & NetProbeMessages.FLAG_FINAL) != 0)
                {
                    finalAck = true;
                    finalAckNs = clock.nanoTime();
                }
                break;
            default:
                break;
        }
    }

    private void onEcho(final long sequence, final long dueNs)
    {
        final long nowNs = clock.nanoTime();
        lastEchoNs = nowNs;
        if (null != pings)
        {
            pings.echo(sequence, dueNs, nowNs);
        }
    }

    private long millis()
    {
        return TimeUnit.NANOSECONDS.toMillis(settings.timeoutNs());
    }
}
