package org.bulwark.probes;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.Header;
import io.aeron.status.ChannelEndpointStatus;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The duty cycle of {@code bulwark probe net --listen}: subscribes on a UDP endpoint, answers each
 * pinger (one Aeron session each) on a publication to the port the pinger named in its HELLO: pings
 * are echoed byte for byte, stream messages are counted and acknowledged by count. See
 * {@link NetProbeMessages} for the messages.
 */
final class NetResponderAgent implements Agent
{
    private static final int FRAGMENT_LIMIT = 64;
    private static final long SWEEP_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final Function<NetEndpoint, ExclusivePublication> replyChannels;
    private final Subscription subscription;
    private final NetEndpoint endpoint;
    private final HostFacts host;
    private final long answerTimeoutNs;
    private final NanoClock clock;
    private final PrintStream log;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
    private final Int2ObjectHashMap<Session> sessions = new Int2ObjectHashMap<>();
    private final IdleStrategy retryIdle = NetIdle.backoff();
    private final UnsafeBuffer controlBuffer =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(NetProbeMessages.HEADER_LENGTH, 64));
    private long nextSweepNs;
    private long sessionsServed;

    /**
     * One pinger.
     */
    private static final class Session
    {
        final int sessionId;
        final String peerHost;
        final int replyPort;
        final long nonce;
        ExclusivePublication reply;
        boolean welcomed;
        long welcomeDeadlineNs;
        long pingsEchoed;
        long dataMessages;
        long dataBytes;
        boolean ackDue;
        boolean finalAckDue;
        boolean finished;

        Session(final int sessionId, final String peerHost, final int replyPort, final long nonce)
        {
            this.sessionId = sessionId;
            this.peerHost = peerHost;
            this.replyPort = replyPort;
            this.nonce = nonce;
        }

        NetEndpoint replyEndpoint()
        {
            return new NetEndpoint(peerHost, replyPort);
        }
    }

    /**
     * Subscribe on {@code listen} (port 0: any free port; see {@link #endpoint()}).
     *
     * @param answerTimeoutNs how long an answer may wait for a pinger's reply channel to connect or to
     *                        take it, before the pinger is given up.
     * @param log             where each pinger's arrival and summary are printed, or null.
     * @throws ProbeException naming the endpoint when it cannot be bound.
     */
    NetResponderAgent(final Aeron aeron, final NetEndpoint listen, final HostFacts host, final long answerTimeoutNs,
        final NanoClock clock, final PrintStream log) throws ProbeException
    {
        this(aeron, listen, host, answerTimeoutNs, clock, log,
            reply -> aeron.addExclusivePublication(channel(reply), NetProbeMessages.REPLY_STREAM_ID));
    }

    /**
     * @param replyChannels opens the publication answering a pinger at the endpoint given (a test makes it fail).
     */
    NetResponderAgent(final Aeron aeron, final NetEndpoint listen, final HostFacts host, final long answerTimeoutNs,
        final NanoClock clock, final PrintStream log, final Function<NetEndpoint, ExclusivePublication> replyChannels)
        throws ProbeException
    {
        this.replyChannels = replyChannels;
        this.host = host;
        this.answerTimeoutNs = answerTimeoutNs;
        this.clock = clock;
        this.log = log;
        Subscription subscribed = null;
        try
        {
            subscribed = aeron.addSubscription(channel(listen), NetProbeMessages.REQUEST_STREAM_ID);
            this.endpoint = boundEndpoint(subscribed, listen, clock, answerTimeoutNs);
            this.subscription = subscribed;
        }
        catch (final AeronException ex)
        {
            CloseHelper.quietClose(subscribed);
            throw new ProbeException("cannot listen on udp " + listen + ": " + reason(ex), ex);
        }
        catch (final ProbeException ex)
        {
            CloseHelper.quietClose(subscribed);
            throw ex;
        }
    }

    /**
     * The driver's words for what went wrong, without Aeron's prefixes and the stack position:
     * "ERROR - channel error - Address already in use (at ...)" becomes "Address already in use".
     */
    static String reason(final AeronException ex)
    {
        String message = String.valueOf(ex.getMessage());
        final int error = message.lastIndexOf("error - ");
        if (error >= 0)
        {
            message = message.substring(error + "error - ".length());
        }
        final int at = message.indexOf(" (at ");
        return at > 0 ? message.substring(0, at) : message;
    }

    static String channel(final NetEndpoint endpoint)
    {
        return "aeron:udp?endpoint=" + endpoint.aeronEndpoint();
    }

    /**
     * Wait (bounded) until the subscription's socket is bound, and read the port it got.
     */
    static NetEndpoint boundEndpoint(final Subscription subscription, final NetEndpoint asked, final NanoClock clock,
        final long timeoutNs) throws ProbeException
    {
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        final IdleStrategy idle = NetIdle.backoff();
        while (true)
        {
            final long status = subscription.channelStatus();
            if (status == ChannelEndpointStatus.ERRORED)
            {
                throw new ProbeException("cannot bind udp " + asked + " (in use, or not an address of this host?)");
            }
            if (status == ChannelEndpointStatus.ACTIVE)
            {
                final List<String> addresses = subscription.localSocketAddresses();
                if (!addresses.isEmpty())
                {
                    final String bound = addresses.get(0);
                    return asked.withPort(Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1)));
                }
                if (asked.port() != 0)
                {
                    return asked;
                }
            }
            if (clock.nanoTime() > deadlineNs)
            {
                throw new ProbeException("udp " + asked + " was not bound within " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
            idle.idle();
        }
    }

    /**
     * @return the endpoint subscribed on, with the port actually bound.
     */
    NetEndpoint endpoint()
    {
        return endpoint;
    }

    /**
     * @return pingers that said HELLO so far.
     */
    long sessionsServed()
    {
        return sessionsServed;
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        int work = subscription.poll(assembler, FRAGMENT_LIMIT);
        if (!sessions.isEmpty())
        {
            work += serviceSessions(nowNs);
        }
        return work;
    }

    @Override
    public void onClose()
    {
        for (final Session session : sessions.values())
        {
            finish(session, "the responder stopped");
        }
        sessions.clear();
        CloseHelper.quietClose(subscription);
    }

    @Override
    public String roleName()
    {
        return "probe-net-responder";
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int sessionId = header.sessionId();
        final byte type = NetProbeMessages.type(buffer, offset, length);
        if (type == NetProbeMessages.HELLO)
        {
            onHello(sessionId, buffer, offset);
            return;
        }
        final Session session = sessions.get(sessionId);
        if (null == session || session.finished)
        {
            return; // not introduced (or given up): nothing to answer on
        }
        switch (type)
        {
            case NetProbeMessages.PING:
                echo(session, buffer, offset, length);
                break;
            case NetProbeMessages.DATA:
                session.dataMessages++;
                session.dataBytes += length;
                session.ackDue = true;
                break;
            case NetProbeMessages.END:
                // every DATA before END has arrived (one stream is delivered in order): the counts are final
                session.finalAckDue = true;
                break;
            case NetProbeMessages.BYE:
                finish(session, "done");
                break;
            default:
                break;
        }
    }

    private void onHello(final int sessionId, final DirectBuffer buffer, final int offset)
    {
        final Image image = subscription.imageBySessionId(sessionId);
        final Session old = sessions.remove(sessionId);
        if (null != old)
        {
            finish(old, "it said HELLO again");
        }
        if (null == image)
        {
            return;
        }
        final String source = image.sourceIdentity();
        String peerHost = source.substring(0, Math.max(0, source.lastIndexOf(':')));
        if (peerHost.startsWith("[") && peerHost.endsWith("]"))
        {
            peerHost = peerHost.substring(1, peerHost.length() - 1);
        }
        final int replyPort = NetProbeMessages.port(buffer, offset);
        if (peerHost.isEmpty() || replyPort < 1 || replyPort > 65_535)
        {
            print("probe from " + source + " ignored: its HELLO names reply port " + replyPort);
            return;
        }
        if (NetProbeMessages.version(buffer, offset) != NetProbeMessages.VERSION)
        {
            print("probe from " + source + " speaks protocol version " + NetProbeMessages.version(buffer, offset) +
                ", this responder " + NetProbeMessages.VERSION + ": its pinger will say so and stop");
        }
        final Session session = new Session(sessionId, peerHost, replyPort, NetProbeMessages.number(buffer, offset));
        session.welcomeDeadlineNs = clock.nanoTime() + answerTimeoutNs;
        sessions.put(sessionId, session);
        sessionsServed++;
    }

    private int serviceSessions(final long nowNs)
    {
        int work = 0;
        final boolean sweep = nowNs - nextSweepNs >= 0;
        if (sweep)
        {
            nextSweepNs = nowNs + SWEEP_INTERVAL_NS;
        }
        final Iterator<Session> iterator = sessions.values().iterator();
        while (iterator.hasNext())
        {
            final Session session = iterator.next();
            if (!session.finished)
            {
                work += serviceSession(session, nowNs);
                if (sweep && !session.finished && null == subscription.imageBySessionId(session.sessionId))
                {
                    finish(session, "it went away");
                }
            }
            if (session.finished)
            {
                iterator.remove();
            }
        }
        return work;
    }

    private int serviceSession(final Session session, final long nowNs)
    {
        if (null == session.reply)
        {
            // a blocking round trip to the driver, once per pinger: fine outside the steady state
            try
            {
                session.reply = replyChannels.apply(session.replyEndpoint());
            }
            catch (final AeronException ex)
            {
                // once, not on every duty cycle: the pinger reports that no answer came
                finish(session, "its reply channel udp " + session.replyEndpoint() + " could not be opened: " +
                    reason(ex));
            }
            return 1;
        }
        if (!session.welcomed)
        {
            NetProbeMessages.encode(controlBuffer, NetProbeMessages.WELCOME,
                host.virtual() ? NetProbeMessages.FLAG_VIRTUAL_HOST : 0, 0, session.nonce, 0);
            if (session.reply.offer(controlBuffer, 0, NetProbeMessages.HEADER_LENGTH) > 0)
            {
                session.welcomed = true;
                print("probe from " + session.peerHost + ": answering to udp " + session.replyEndpoint());
                return 1;
            }
            if (nowNs - session.welcomeDeadlineNs > 0)
            {
                finish(session, "its reply port udp " + session.replyEndpoint() + " did not connect within " +
                    TimeUnit.NANOSECONDS.toMillis(answerTimeoutNs) + " ms (a firewall?)");
            }
            return 0;
        }
        if (session.finalAckDue || session.ackDue)
        {
            // acknowledgements are cumulative: one that cannot go now is replaced by the next one
            NetProbeMessages.encode(controlBuffer, NetProbeMessages.ACK,
                session.finalAckDue ? NetProbeMessages.FLAG_FINAL : 0, 0, session.dataMessages, session.dataBytes);
            if (session.reply.offer(controlBuffer, 0, NetProbeMessages.HEADER_LENGTH) > 0)
            {
                session.finalAckDue = false;
                session.ackDue = false;
                return 1;
            }
        }
        return 0;
    }

    /**
     * Echo a ping; back-pressure is waited out for at most the answer timeout, then the pinger is
     * given up (it will report that its pings went unanswered).
     */
    private void echo(final Session session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!session.welcomed)
        {
            return;
        }
        final long deadlineNs = clock.nanoTime() + answerTimeoutNs;
        retryIdle.reset();
        while (true)
        {
            final long result = session.reply.offer(buffer, offset, length);
            if (result > 0)
            {
                session.pingsEchoed++;
                return;
            }
            if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED ||
                result == Publication.MAX_POSITION_EXCEEDED || clock.nanoTime() - deadlineNs > 0)
            {
                finish(session, "an echo could not be sent (" + Publication.errorString(result) + ")");
                return;
            }
            retryIdle.idle();
        }
    }

    private void finish(final Session session, final String why)
    {
        if (session.finished)
        {
            return;
        }
        session.finished = true;
        CloseHelper.quietClose(session.reply);
        print(String.format(Locale.ROOT, "probe from %s finished, %s: %,d pings echoed, %,d stream messages " +
            "(%.1f MB) counted", session.peerHost, why, session.pingsEchoed, session.dataMessages,
            session.dataBytes / 1e6));
    }

    private void print(final String line)
    {
        if (null != log)
        {
            log.println(line);
            log.flush();
        }
    }
}
