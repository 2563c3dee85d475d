package org.bulwark.replication.protocol;

import org.agrona.MutableDirectBuffer;

/**
 * NOT_ACTIVE, backup to primary: the backup no longer considers itself active, which ends the
 * primary's trouble state (SPEC M-7). The common header alone (type 7), {@link #LENGTH} bytes.
 */
public final class NotActiveMessage extends MessageFlyweight
{
    public static final int LENGTH = HEADER_LENGTH;

    @Override
    public RejectReason check()
    {
        return checkExactLength(LENGTH);
    }

    /**
     * @return {@link #LENGTH}.
     */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final long term)
    {
        encodeHeader(buffer, offset, MessageType.NOT_ACTIVE, term);
        return LENGTH;
    }
}
