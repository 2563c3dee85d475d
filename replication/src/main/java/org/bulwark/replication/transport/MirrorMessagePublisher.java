package org.bulwark.replication.transport;

import io.aeron.ConcurrentPublication;
import io.aeron.ReservedValueSupplier;
import io.aeron.logbuffer.BufferClaim;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.replication.auth.MirrorKey;
import org.bulwark.replication.protocol.AckMessage;
import org.bulwark.replication.protocol.HelloMessage;
import org.bulwark.replication.protocol.JournalMessage;
import org.bulwark.replication.protocol.MessageType;
import org.bulwark.replication.protocol.MirrorRole;
import org.bulwark.replication.protocol.NotActiveMessage;
import org.bulwark.replication.protocol.PositionMessage;
import org.bulwark.replication.protocol.RefuseMessage;
import org.bulwark.replication.protocol.StatusMessage;

/**
 * Encodes mirror messages onto a link's (concurrent) publication. Small fixed-size messages are written
 * straight into Aeron's log with {@code tryClaim}; JOURNAL goes as a vectored offer of its header and the
 * caller's bytes; HELLO and REFUSE, which are rare, through a scratch buffer. Every method returns false
 * when Aeron would not take the message (not connected, back-pressured, closed): the caller tries again
 * later. Only {@link #ack} may be called from threads other than the mirror agent's: it claims with a
 * per-thread {@link BufferClaim}.
 */
final class MirrorMessagePublisher
{
    /**
     * Loaded now rather than by the first vectored offer that takes a rare path (seen on the hot path, in
     * the middle of a run: some 9 KB of class loading and a pause on the mirror agent's thread).
     */
    static final Class<?> PRELOADED = ReservedValueSupplier.class;

    private final ConcurrentPublication publication;
    private final MirrorLinkCounters counters;
    private final MirrorKey key;
    private final byte[] mirrorName;
    private final byte[] memberName;
    private final long incarnation;

    private final BufferClaim claim = new BufferClaim();
    private final ThreadLocal<BufferClaim> ackClaims = ThreadLocal.withInitial(BufferClaim::new);
    private final UnsafeBuffer journalHeader = new UnsafeBuffer(new byte[JournalMessage.DATA_OFFSET]);
    private final UnsafeBuffer scratch = new UnsafeBuffer(
        new byte[Math.max(HelloMessage.MAX_LENGTH, RefuseMessage.TEXT_OFFSET + RefuseMessage.MAX_TEXT_BYTES)]);

    MirrorMessagePublisher(
        final ConcurrentPublication publication, final MirrorLinkCounters counters, final MirrorKey key,
        final MirrorLinkSettings settings)
    {
        this.publication = publication;
        this.counters = counters;
        this.key = key;
        this.mirrorName = HelloMessage.nameBytes(settings.mirrorName(), "mirror name");
        this.memberName = HelloMessage.nameBytes(settings.memberName(), "member name");
        this.incarnation = settings.incarnation();
    }

    /**
     * @return the most journal bytes one JOURNAL message can carry.
     */
    int maxJournalBytes()
    {
        return publication.maxMessageLength() - JournalMessage.DATA_OFFSET;
    }

    boolean hello(final long term, final MirrorRole role, final long journalEnd, final long termStart, final int flags)
    {
        final int length = HelloMessage.encode(scratch, 0, term, incarnation, role, journalEnd, termStart, flags,
            mirrorName, memberName, MirrorKey.nonce(HelloMessage.NONCE_LENGTH), key);
        return offered(publication.offer(scratch, 0, length), length);
    }

    boolean status(final long term, final MirrorRole role, final long journalEnd, final long durablePosition,
        final int flags, final long sendTimeMs)
    {
        if (!claimed(StatusMessage.LENGTH, claim))
        {
            return false;
        }
        StatusMessage.encode(claim.buffer(), claim.offset(), term, role, journalEnd, durablePosition, flags,
            sendTimeMs);
        return committed(claim);
    }

    boolean journal(final long term, final long position, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (length <= 0 || length > maxJournalBytes())
        {
            throw new IllegalArgumentException("a JOURNAL message carries 1 to " + maxJournalBytes() +
                " journal bytes, not " + length + " (position " + position + ")");
        }
        JournalMessage.encodeHeader(journalHeader, 0, term, position, length);
        final long result = publication.offer(journalHeader, 0, JournalMessage.DATA_OFFSET, buffer, offset, length);
        if (offered(result, JournalMessage.DATA_OFFSET + length))
        {
            counters.add(MirrorLinkCounter.JOURNAL_BYTES_SENT, length);
            return true;
        }
        return false;
    }

    /**
     * Thread-safe: the journal writer acknowledges from its own thread.
     */
    boolean ack(final long term, final long receivedPosition, final long writtenPosition, final long durablePosition)
    {
        final BufferClaim ackClaim = ackClaims.get();
        if (!claimed(AckMessage.LENGTH, ackClaim))
        {
            return false;
        }
        AckMessage.encode(ackClaim.buffer(), ackClaim.offset(), term, receivedPosition, writtenPosition,
            durablePosition);
        return committed(ackClaim);
    }

    boolean position(final MessageType type, final long term, final long position)
    {
        if (!claimed(PositionMessage.LENGTH, claim))
        {
            return false;
        }
        PositionMessage.encode(claim.buffer(), claim.offset(), type, term, position);
        return committed(claim);
    }

    boolean notActive(final long term)
    {
        if (!claimed(NotActiveMessage.LENGTH, claim))
        {
            return false;
        }
        NotActiveMessage.encode(claim.buffer(), claim.offset(), term);
        return committed(claim);
    }

    boolean refuse(final long term, final int reasonCode, final String text)
    {
        final int length = RefuseMessage.encode(scratch, 0, term, reasonCode, text);
        return offered(publication.offer(scratch, 0, length), length);
    }

    private boolean claimed(final int length, final BufferClaim bufferClaim)
    {
        if (publication.tryClaim(length, bufferClaim) > 0)
        {
            return true;
        }
        counters.add(MirrorLinkCounter.SENDS_FAILED, 1);
        return false;
    }

    private boolean committed(final BufferClaim bufferClaim)
    {
        final int length = bufferClaim.length();
        bufferClaim.commit();
        counters.sent(length);
        return true;
    }

    private boolean offered(final long result, final int length)
    {
        if (result > 0)
        {
            counters.sent(length);
            return true;
        }
        counters.add(MirrorLinkCounter.SENDS_FAILED, 1);
        return false;
    }
}
