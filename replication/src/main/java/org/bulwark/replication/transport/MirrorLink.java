package org.bulwark.replication.transport;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.ConcurrentPublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.bulwark.common.log.MessageLog;
import org.bulwark.replication.auth.MirrorKey;
import org.bulwark.replication.protocol.MessageType;
import org.bulwark.replication.protocol.MirrorRole;

/**
 * One failover member's side of the mirror link (SPEC M-5): a subscription on its own endpoint and a
 * publication to its peer's, on one stream. From primary to backup it carries the journal, from backup to
 * primary the acknowledgements; control messages share both directions.
 * <p>
 * Threads: one mirror agent thread polls and sends everything, except {@link #sendAck}, which any thread
 * may call (the backup's journal writer acknowledges what it wrote or synced). Counters are readable from
 * any thread. Steady state ({@link #sendJournal}, {@link #sendAck}, {@link #sendStatus} and their receipt)
 * allocates nothing.
 * <p>
 * Trust: the peer is believed once it sent a HELLO proven with the mirror key, and only on the Aeron
 * session that HELLO came on (a restarted peer must say HELLO again). Liveness: {@link #lastHeardNs()} moves with every accepted message; the mirror's
 * own heartbeats (STATUS) and timeouts decide whether the peer is alive, {@link #peerConnected()} only
 * says what Aeron sees.
 */
public final class MirrorLink implements AutoCloseable
{
    private final MirrorLinkSettings settings;
    private final NanoClock clock;
    private final MirrorLinkCounters counters = new MirrorLinkCounters();
    private final Subscription subscription;
    private final ConcurrentPublication publication;
    private final FragmentAssembler assembler;
    private final MirrorMessageAdapter adapter;
    private final MirrorMessagePublisher publisher;

    public MirrorLink(final Aeron aeron, final MirrorLinkSettings settings, final MirrorKey key,
        final MirrorMessageHandler handler, final MessageLog log)
    {
        this(aeron, settings, key, handler, log, SystemNanoClock.INSTANCE);
    }

    /**
     * @param log   where rejected messages and authentications are logged, or null for standard error.
     * @param clock stamps {@link #lastHeardNs()} when {@link #poll(int)} is used.
     * @throws IllegalStateException naming the endpoint when Aeron cannot receive or send there.
     */
    public MirrorLink(final Aeron aeron, final MirrorLinkSettings settings, final MirrorKey key,
        final MirrorMessageHandler handler, final MessageLog log, final NanoClock clock)
    {
        this.settings = settings;
        this.clock = clock;
        final String linkName = settings.memberName() + " on " + settings.self() + " <-> " + settings.peer();
        this.adapter = new MirrorMessageAdapter(handler, key, settings.mirrorName(), counters, log, linkName,
            clock.nanoTime());
        this.assembler = new FragmentAssembler(adapter);
        try
        {
            subscription = aeron.addSubscription(channel(settings.self()), settings.streamId());
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException("mirror link " + linkName + ": cannot receive on " + settings.self() +
                " (stream " + settings.streamId() + "): " + ex.getMessage(), ex);
        }
        try
        {
            publication = aeron.addPublication(channel(settings.peer()), settings.streamId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(subscription);
            throw new IllegalStateException("mirror link " + linkName + ": cannot send to " + settings.peer() +
                " (stream " + settings.streamId() + "): " + ex.getMessage(), ex);
        }
        this.publisher = new MirrorMessagePublisher(publication, counters, key, settings);
    }

    /**
     * Deliver up to {@code fragmentLimit} fragments' worth of messages to the handler, stamped with the
     * link's clock, read once. Never throws for what arrives; an exception thrown by the handler is caught
     * by Aeron, which ends this poll, consumes the message and logs the exception through the driver's
     * error handler.
     *
     * @return the fragments read (0 when idle).
     */
    public int poll(final int fragmentLimit)
    {
        return poll(clock.nanoTime(), fragmentLimit);
    }

    /**
     * @param nowNs the agent's time of this duty cycle: what {@link #lastHeardNs()} becomes if anything arrives.
     */
    public int poll(final long nowNs, final int fragmentLimit)
    {
        adapter.nowNs(nowNs);
        return subscription.poll(assembler, fragmentLimit);
    }

    /**
     * Say who this member is, with a fresh nonce and a MAC over it all. Send it when the link comes up and
     * again until the peer answers: the peer accepts nothing else from this member before it.
     */
    public boolean sendHello(
        final long term, final MirrorRole role, final long journalEnd, final long termStart, final int flags)
    {
        return publisher.hello(term, role, journalEnd, termStart, flags);
    }

    public boolean sendStatus(final long term, final MirrorRole role, final long journalEnd, final long durablePosition,
        final int flags, final long sendTimeMs)
    {
        return publisher.status(term, role, journalEnd, durablePosition, flags, sendTimeMs);
    }

    /**
     * Send journal bytes (whole records) starting at journal stream {@code position}; they are copied once,
     * into Aeron's log, so the caller may reuse its buffer when this returns.
     *
     * @param length 1 to {@link #maxJournalBytes()}.
     * @return false when not connected or back-pressured: nothing was sent, try again later.
     */
    public boolean sendJournal(
        final long term, final long position, final DirectBuffer buffer, final int offset, final int length)
    {
        return publisher.journal(term, position, buffer, offset, length);
    }

    /**
     * Thread-safe: may be called from any thread, the journal writer's included.
     */
    public boolean sendAck(
        final long term, final long receivedPosition, final long writtenPosition, final long durablePosition)
    {
        return publisher.ack(term, receivedPosition, writtenPosition, durablePosition);
    }

    public boolean sendCatchup(final long term, final long fromPosition)
    {
        return publisher.position(MessageType.CATCHUP, term, fromPosition);
    }

    public boolean sendTakeover(final long term, final long finalPosition)
    {
        return publisher.position(MessageType.TAKEOVER, term, finalPosition);
    }

    public boolean sendNotActive(final long term)
    {
        return publisher.notActive(term);
    }

    /**
     * @param reasonCode one of {@code RefuseMessage.REASON_*}.
     * @param text       what went wrong, cut to {@code RefuseMessage.MAX_TEXT_BYTES} bytes of UTF-8.
     */
    public boolean sendRefuse(final long term, final int reasonCode, final String text)
    {
        return publisher.refuse(term, reasonCode, text);
    }

    /**
     * @return true while Aeron sees both directions up: the peer receives what this member publishes and
     *         this member receives from the peer. Goes false within about {@link
     *         MirrorDriver#PUBLICATION_CONNECTION_TIMEOUT_NS} or {@link MirrorDriver#IMAGE_LIVENESS_TIMEOUT_NS}
     *         of the peer's end.
     */
    public boolean peerConnected()
    {
        return publication.isConnected() && subscription.isConnected();
    }

    /**
     * @return true once a valid HELLO arrived (on the session whose messages are now accepted).
     */
    public boolean peerAuthenticated()
    {
        return adapter.authenticated();
    }

    /**
     * @return the incarnation in the peer's last valid HELLO (meaningless before {@link #peerAuthenticated()}).
     */
    public long peerIncarnation()
    {
        return adapter.peerIncarnation();
    }

    /**
     * @return the member name in the peer's last valid HELLO, or null before one.
     */
    public String peerMemberName()
    {
        return adapter.peerMemberName();
    }

    /**
     * @return the poll time at which the last accepted message from the peer arrived; the link's creation
     *         time until one does (so that a peer never heard from times out like one gone silent).
     */
    public long lastHeardNs()
    {
        return adapter.lastHeardNs();
    }

    /**
     * @return the most journal bytes one {@link #sendJournal} can carry (an eighth of the term, less a header).
     */
    public int maxJournalBytes()
    {
        return publisher.maxJournalBytes();
    }

    public MirrorLinkCounters counters()
    {
        return counters;
    }

    public MirrorLinkSettings settings()
    {
        return settings;
    }

    /**
     * Close the publication and the subscription. Stop the threads that send ACKs first.
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(publication, subscription);
    }

    private static String channel(final MirrorEndpoint endpoint)
    {
        return new ChannelUriStringBuilder().media("udp").endpoint(endpoint.aeronEndpoint()).build();
    }
}
