package org.bulwark.replication.protocol;

import org.agrona.MutableDirectBuffer;

/**
 * ACK, backup to primary: how far the journal got on the backup, by the three meanings of receipt
 * that SPEC M-6 lets the primary choose between.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (type 4, version, term)               ...
 *  +---------------------------------------------------------------+  12
 *  |                  Received position                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+  20
 *  |                  Written position (in the mirror journal)     |
 *  |                                                               |
 *  +---------------------------------------------------------------+  28
 *  |                  Durable position (synced there)              |
 *  |                                                               |
 *  +---------------------------------------------------------------+  36
 * </pre>
 */
public final class AckMessage extends MessageFlyweight
{
    public static final int RECEIVED_POSITION_OFFSET = HEADER_LENGTH;
    public static final int WRITTEN_POSITION_OFFSET = 20;
    public static final int DURABLE_POSITION_OFFSET = 28;
    public static final int LENGTH = 36;

    @Override
    public RejectReason check()
    {
        return checkExactLength(LENGTH);
    }

    public long receivedPosition()
    {
        return buffer.getLong(offset + RECEIVED_POSITION_OFFSET, ORDER);
    }

    public long writtenPosition()
    {
        return buffer.getLong(offset + WRITTEN_POSITION_OFFSET, ORDER);
    }

    public long durablePosition()
    {
        return buffer.getLong(offset + DURABLE_POSITION_OFFSET, ORDER);
    }

    /**
     * @return {@link #LENGTH}.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long term,
        final long receivedPosition,
        final long writtenPosition,
        final long durablePosition)
    {
        encodeHeader(buffer, offset, MessageType.ACK, term);
        buffer.putLong(offset + RECEIVED_POSITION_OFFSET, receivedPosition, ORDER);
        buffer.putLong(offset + WRITTEN_POSITION_OFFSET, writtenPosition, ORDER);
        buffer.putLong(offset + DURABLE_POSITION_OFFSET, durablePosition, ORDER);
        return LENGTH;
    }
}
