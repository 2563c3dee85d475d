package org.bulwark.replication.protocol;

import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * REFUSE, either way: the sender will not go on with this peer, and why.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (type 8, version, term)               ...
 *  +---------------------------------------------------------------+  12
 *  |                          Reason code                          |
 *  +-------------------------------+-------------------------------+  16
 *  |          Text length          |     Text (UTF-8) ...         ...
 *  +-------------------------------+-------------------------------+  18 + text length
 * </pre>
 */
public final class RefuseMessage extends MessageFlyweight
{
    public static final int REASON_OFFSET = HEADER_LENGTH;
    public static final int TEXT_LENGTH_OFFSET = 16;
    public static final int TEXT_OFFSET = 18;
    public static final int MAX_TEXT_BYTES = 1000;

    /** The peer belongs to another mirror. */
    public static final int REASON_WRONG_MIRROR = 1;
    /** The peer's term is older than one this member knows of (SPEC M-10). */
    public static final int REASON_STALE_TERM = 2;
    /** The peer holds journal data the primary never had and must be rebuilt (SPEC M-11, M-16). */
    public static final int REASON_NEEDS_REBUILD = 3;
    /** Anything else: the text says what. */
    public static final int REASON_OTHER = 99;

    @Override
    public RejectReason check()
    {
        if (length < TEXT_OFFSET || length != TEXT_OFFSET + textLength())
        {
            return RejectReason.BAD_LENGTH;
        }
        return null;
    }

    public int reasonCode()
    {
        return buffer.getInt(offset + REASON_OFFSET, ORDER);
    }

    public String text()
    {
        return buffer.getStringWithoutLengthUtf8(offset + TEXT_OFFSET, textLength());
    }

    /**
     * @return the message's length; the text is cut to at most {@link #MAX_TEXT_BYTES} bytes.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long term, final int reasonCode, final String text)
    {
        final byte[] bytes = textBytes(text);
        encodeHeader(buffer, offset, MessageType.REFUSE, term);
        buffer.putInt(offset + REASON_OFFSET, reasonCode, ORDER);
        buffer.putShort(offset + TEXT_LENGTH_OFFSET, (short)bytes.length, ORDER);
        buffer.putBytes(offset + TEXT_OFFSET, bytes);
        return TEXT_OFFSET + bytes.length;
    }

    private int textLength()
    {
        return buffer.getShort(offset + TEXT_LENGTH_OFFSET, ORDER) & 0xFFFF;
    }

    /**
     * @return the text in UTF-8, cut at a character boundary so that it fits.
     */
    private static byte[] textBytes(final String text)
    {
        String kept = null == text ? "" : text;
        byte[] bytes = kept.getBytes(StandardCharsets.UTF_8);
        while (bytes.length > MAX_TEXT_BYTES)
        {
            kept = kept.substring(0, Math.min(kept.length() - 1, MAX_TEXT_BYTES));
            bytes = kept.getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }
}
