package org.bulwark.replication.protocol;

import org.agrona.MutableDirectBuffer;

/**
 * STATUS, either way: the heartbeat, with the sender's role and journal positions.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (type 2, version, term)               ...
 *  +---------------------------------------------------------------+  12
 *  |            Journal end (after the last record written)        |
 *  |                                                               |
 *  +---------------------------------------------------------------+  20
 *  |           Durable position (durable or committed there)       |
 *  |                                                               |
 *  +---------------------------------------------------------------+  28
 *  |                  Send time (epoch milliseconds)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+  36
 *  |                             Flags                             |
 *  +---------------+-----------------------------------------------+  40
 *  |     Role      |                   Reserved                    |
 *  +---------------+-----------------------------------------------+  44
 * </pre>
 */
public final class StatusMessage extends MessageFlyweight
{
    public static final int JOURNAL_END_OFFSET = HEADER_LENGTH;
    public static final int DURABLE_POSITION_OFFSET = 20;
    public static final int SEND_TIME_OFFSET = 28;
    public static final int FLAGS_OFFSET = 36;
    public static final int ROLE_OFFSET = 40;
    public static final int LENGTH = 44;

    @Override
    public RejectReason check()
    {
        if (length != LENGTH)
        {
            return RejectReason.BAD_LENGTH;
        }
        return null == MirrorRole.of(buffer.getByte(offset + ROLE_OFFSET)) ? RejectReason.BAD_FIELD : null;
    }

    public long journalEnd()
    {
        return buffer.getLong(offset + JOURNAL_END_OFFSET, ORDER);
    }

    public long durablePosition()
    {
        return buffer.getLong(offset + DURABLE_POSITION_OFFSET, ORDER);
    }

    public long sendTimeMs()
    {
        return buffer.getLong(offset + SEND_TIME_OFFSET, ORDER);
    }

    public int flags()
    {
        return buffer.getInt(offset + FLAGS_OFFSET, ORDER);
    }

    public MirrorRole role()
    {
        return MirrorRole.of(buffer.getByte(offset + ROLE_OFFSET));
    }

    /**
     * @return {@link #LENGTH}.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long term,
        final MirrorRole role,
        final long journalEnd,
        final long durablePosition,
        final int flags,
        final long sendTimeMs)
    {
        encodeHeader(buffer, offset, MessageType.STATUS, term);
        buffer.putLong(offset + JOURNAL_END_OFFSET, journalEnd, ORDER);
        buffer.putLong(offset + DURABLE_POSITION_OFFSET, durablePosition, ORDER);
        buffer.putLong(offset + SEND_TIME_OFFSET, sendTimeMs, ORDER);
        buffer.putInt(offset + FLAGS_OFFSET, flags, ORDER);
        buffer.putInt(offset + ROLE_OFFSET, 0, ORDER);
        buffer.putByte(offset + ROLE_OFFSET, role.code());
        return LENGTH;
    }
}
