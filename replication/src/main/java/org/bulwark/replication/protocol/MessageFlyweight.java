package org.bulwark.replication.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The header every mirror message starts with, and the base of the message flyweights. Little-endian:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |             Type              |            Version            |
 *  +-------------------------------+-------------------------------+
 *  |                          Mirror term                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Message body ...                        ...
 * </pre>
 *
 * The term is the sender's mirror term (SPEC M-10), so that every message says which primary term its
 * sender lives in. A flyweight is wrapped over a received message ({@link #wrap}), then {@link #check}ed
 * before any field is read: reading an unchecked message may read beyond it.
 */
public abstract class MessageFlyweight
{
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final short VERSION = 1;

    public static final int TYPE_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int TERM_OFFSET = 4;
    public static final int HEADER_LENGTH = 12;

    protected DirectBuffer buffer;
    protected int offset;
    protected int length;

    /**
     * Point this flyweight at a message of {@code length} bytes.
     */
    public MessageFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * @return null if the wrapped bytes are a well-formed message of this kind, else why not.
     */
    public abstract RejectReason check();

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int length()
    {
        return length;
    }

    public long term()
    {
        return buffer.getLong(offset + TERM_OFFSET, ORDER);
    }

    /**
     * @return the type code of the message at {@code offset}, which must be at least {@link #HEADER_LENGTH} long.
     */
    public static short type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TYPE_OFFSET, ORDER);
    }

    public static short version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_OFFSET, ORDER);
    }

    public static long term(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TERM_OFFSET, ORDER);
    }

    /**
     * Write the common header.
     */
    public static void encodeHeader(
        final MutableDirectBuffer buffer, final int offset, final MessageType type, final long term)
    {
        buffer.putShort(offset + TYPE_OFFSET, type.code(), ORDER);
        buffer.putShort(offset + VERSION_OFFSET, VERSION, ORDER);
        buffer.putLong(offset + TERM_OFFSET, term, ORDER);
    }

    protected final RejectReason checkExactLength(final int expected)
    {
        return length == expected ? null : RejectReason.BAD_LENGTH;
    }
}
