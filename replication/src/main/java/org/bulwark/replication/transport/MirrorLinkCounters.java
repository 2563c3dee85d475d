package org.bulwark.replication.transport;

import org.bulwark.replication.protocol.RejectReason;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A link's counters, readable from any thread. Updated by the mirror agent's thread and, for ACKs, by
 * whichever thread sends them, hence atomic adds.
 */
public final class MirrorLinkCounters
{
    private static final MirrorLinkCounter[] COUNTERS = MirrorLinkCounter.values();
    private static final RejectReason[] REASONS = RejectReason.values();

    private final AtomicLongArray values = new AtomicLongArray(COUNTERS.length + REASONS.length);

    public long get(final MirrorLinkCounter counter)
    {
        return values.get(counter.ordinal());
    }

    /**
     * @return how many received messages were thrown away for this reason.
     */
    public long rejected(final RejectReason reason)
    {
        return values.get(COUNTERS.length + reason.ordinal());
    }

    void add(final MirrorLinkCounter counter, final long delta)
    {
        values.getAndAdd(counter.ordinal(), delta);
    }

    void sent(final int messageBytes)
    {
        values.getAndIncrement(MirrorLinkCounter.MESSAGES_SENT.ordinal());
        values.getAndAdd(MirrorLinkCounter.BYTES_SENT.ordinal(), messageBytes);
    }

    void received(final int messageBytes)
    {
        values.getAndIncrement(MirrorLinkCounter.MESSAGES_RECEIVED.ordinal());
        values.getAndAdd(MirrorLinkCounter.BYTES_RECEIVED.ordinal(), messageBytes);
    }

    /**
     * @return how many messages were rejected for this reason, this one included.
     */
    long reject(final RejectReason reason)
    {
        values.getAndIncrement(MirrorLinkCounter.REJECTED.ordinal());
        return values.incrementAndGet(COUNTERS.length + reason.ordinal());
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (final MirrorLinkCounter counter : COUNTERS)
        {
            text.append(text.length() == 0 ? "" : ", ").append(counter.name().toLowerCase(Locale.ROOT)).append('=')
                .append(get(counter));
        }
        for (final RejectReason reason : REASONS)
        {
            final long count = rejected(reason);
            if (count > 0)
            {
                text.append(", rejected ").append(reason.name().toLowerCase(Locale.ROOT)).append('=').append(count);
            }
        }
        return text.toString();
    }
}
