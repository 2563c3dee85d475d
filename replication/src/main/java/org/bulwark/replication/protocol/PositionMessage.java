package org.bulwark.replication.protocol;

import org.agrona.MutableDirectBuffer;

/**
 * The messages that carry one journal position: CATCHUP (backup to primary: "send me the journal from
 * here") and TAKEOVER (primary to backup: "take over once you have everything up to here").
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |             Header (type 5 or 6, version, term)              ...
 *  +---------------------------------------------------------------+  12
 *  |                           Position                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+  20
 * </pre>
 */
public final class PositionMessage extends MessageFlyweight
{
    public static final int POSITION_OFFSET = HEADER_LENGTH;
    public static final int LENGTH = 20;

    @Override
    public RejectReason check()
    {
        if (length != LENGTH)
        {
            return RejectReason.BAD_LENGTH;
        }
        return position() < 0 ? RejectReason.BAD_FIELD : null;
    }

    public long position()
    {
        return buffer.getLong(offset + POSITION_OFFSET, ORDER);
    }

    /**
     * @param type {@link MessageType#CATCHUP} or {@link MessageType#TAKEOVER}.
     * @return {@link #LENGTH}.
     */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final MessageType type,
        final long term, final long position)
    {
        encodeHeader(buffer, offset, type, term);
        buffer.putLong(offset + POSITION_OFFSET, position, ORDER);
        return LENGTH;
    }
}
