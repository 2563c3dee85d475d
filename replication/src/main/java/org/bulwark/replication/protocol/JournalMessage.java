package org.bulwark.replication.protocol;

import org.agrona.MutableDirectBuffer;

/**
 * JOURNAL, primary to backup: a run of whole journal records, byte for byte as the primary's journal
 * holds them.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (type 3, version, term)               ...
 *  +---------------------------------------------------------------+  12
 *  |       Position (where these bytes start in the journal)       |
 *  |                                                               |
 *  +---------------------------------------------------------------+  20
 *  |                        Length of the bytes                    |
 *  +---------------------------------------------------------------+  24
 *  |                        Journal bytes                         ...
 *  +---------------------------------------------------------------+  24 + length
 * </pre>
 *
 * The header is encoded on its own ({@link #encodeHeader(MutableDirectBuffer, int, long, long, int)}) and
 * sent together with the caller's journal bytes in one vectored offer, so the bytes are copied only once,
 * into Aeron's log.
 */
public final class JournalMessage extends MessageFlyweight
{
    public static final int POSITION_OFFSET = HEADER_LENGTH;
    public static final int DATA_LENGTH_OFFSET = 20;
    public static final int DATA_OFFSET = 24;

    @Override
    public RejectReason check()
    {
        if (length <= DATA_OFFSET || dataLength() != length - DATA_OFFSET)
        {
            return RejectReason.BAD_LENGTH;
        }
        return position() < 0 ? RejectReason.BAD_FIELD : null;
    }

    public long position()
    {
        return buffer.getLong(offset + POSITION_OFFSET, ORDER);
    }

    public int dataLength()
    {
        return buffer.getInt(offset + DATA_LENGTH_OFFSET, ORDER);
    }

    /**
     * @return where the journal bytes start in the wrapped buffer.
     */
    public int dataOffset()
    {
        return offset + DATA_OFFSET;
    }

    /**
     * Write the {@link #DATA_OFFSET} bytes that precede {@code dataLength} journal bytes.
     *
     * @return {@link #DATA_OFFSET}.
     */
    public static int encodeHeader(
        final MutableDirectBuffer buffer, final int offset, final long term, final long position, final int dataLength)
    {
        encodeHeader(buffer, offset, MessageType.JOURNAL, term);
        buffer.putLong(offset + POSITION_OFFSET, position, ORDER);
        buffer.putInt(offset + DATA_LENGTH_OFFSET, dataLength, ORDER);
        return DATA_OFFSET;
    }
}
