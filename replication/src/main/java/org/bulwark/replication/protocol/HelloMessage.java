package org.bulwark.replication.protocol;

import org.agrona.MutableDirectBuffer;
import org.bulwark.replication.auth.MirrorKey;

import java.nio.charset.StandardCharsets;

/**
 * HELLO, either way: who the sender is, proven with the mirror key (SPEC M-19).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (type 1, version, term)               ...
 *  +---------------------------------------------------------------+  12
 *  |                 Incarnation (random per process)              |
 *  |                                                               |
 *  +---------------------------------------------------------------+  20
 *  |                 Journal end (after the last record)           |
 *  |                                                               |
 *  +---------------------------------------------------------------+  28
 *  |                 Term start (where the term began)             |
 *  |                                                               |
 *  +---------------------------------------------------------------+  36
 *  |                             Flags                             |
 *  +---------------+---------------+---------------+---------------+  40
 *  |     Role      | Mirror name L | Member name L |   Reserved    |
 *  +---------------+---------------+---------------+---------------+  44
 *  |                        Nonce (16 bytes)                      ...
 *  +---------------------------------------------------------------+  60
 *  |            Mirror name (UTF-8), then member name (UTF-8)     ...
 *  +---------------------------------------------------------------+  60 + names
 *  |      MAC: HMAC-SHA256 with the mirror key of every byte above ...
 *  +---------------------------------------------------------------+  92 + names
 * </pre>
 *
 * The MAC covers every byte before it, the header and the flags included, so that nothing in a HELLO
 * can be changed without the key. The nonce makes two HELLOs of one process differ; it does not stop a
 * recorded HELLO from being replayed (that takes a challenge echoed back, left to the session layer).
 */
public final class HelloMessage extends MessageFlyweight
{
    public static final int INCARNATION_OFFSET = HEADER_LENGTH;
    public static final int JOURNAL_END_OFFSET = 20;
    public static final int TERM_START_OFFSET = 28;
    public static final int FLAGS_OFFSET = 36;
    public static final int ROLE_OFFSET = 40;
    public static final int MIRROR_NAME_LENGTH_OFFSET = 41;
    public static final int MEMBER_NAME_LENGTH_OFFSET = 42;
    public static final int NONCE_OFFSET = 44;
    public static final int NONCE_LENGTH = 16;
    public static final int NAMES_OFFSET = NONCE_OFFSET + NONCE_LENGTH;
    public static final int MAX_NAME_BYTES = 255;
    /** The length of a HELLO with empty names (names are never empty, so every HELLO is longer). */
    public static final int MIN_LENGTH = NAMES_OFFSET + MirrorKey.MAC_LENGTH;
    public static final int MAX_LENGTH = MIN_LENGTH + 2 * MAX_NAME_BYTES;

    @Override
    public RejectReason check()
    {
        if (length < MIN_LENGTH)
        {
            return RejectReason.BAD_LENGTH;
        }
        if (length != MIN_LENGTH + mirrorNameLength() + memberNameLength())
        {
            return RejectReason.BAD_LENGTH;
        }
        if (mirrorNameLength() == 0 || memberNameLength() == 0 || null == MirrorRole.of(roleCode()))
        {
            return RejectReason.BAD_FIELD;
        }
        return null;
    }

    /**
     * @return true if the MAC is the mirror key's HMAC of every byte before it (compared in constant time).
     */
    public boolean macVerifies(final MirrorKey key)
    {
        final int macOffset = macOffset();
        final byte[] covered = new byte[macOffset];
        buffer.getBytes(offset, covered);
        final byte[] mac = new byte[MirrorKey.MAC_LENGTH];
        buffer.getBytes(offset + macOffset, mac);
        return key.verify(mac, covered);
    }

    public long incarnation()
    {
        return buffer.getLong(offset + INCARNATION_OFFSET, ORDER);
    }

    public long journalEnd()
    {
        return buffer.getLong(offset + JOURNAL_END_OFFSET, ORDER);
    }

    public long termStart()
    {
        return buffer.getLong(offset + TERM_START_OFFSET, ORDER);
    }

    public int flags()
    {
        return buffer.getInt(offset + FLAGS_OFFSET, ORDER);
    }

    public MirrorRole role()
    {
        return MirrorRole.of(roleCode());
    }

    public String mirrorName()
    {
        return buffer.getStringWithoutLengthUtf8(offset + NAMES_OFFSET, mirrorNameLength());
    }

    public String memberName()
    {
        return buffer.getStringWithoutLengthUtf8(offset + NAMES_OFFSET + mirrorNameLength(), memberNameLength());
    }

    /**
     * Write a whole HELLO, its MAC last.
     *
     * @param mirrorName UTF-8, 1 to {@link #MAX_NAME_BYTES} bytes (see {@link #nameBytes}).
     * @param memberName UTF-8, 1 to {@link #MAX_NAME_BYTES} bytes.
     * @param nonce      {@link #NONCE_LENGTH} bytes.
     * @return the message's length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long term,
        final long incarnation,
        final MirrorRole role,
        final long journalEnd,
        final long termStart,
        final int flags,
        final byte[] mirrorName,
        final byte[] memberName,
        final byte[] nonce,
        final MirrorKey key)
    {
        if (nonce.length != NONCE_LENGTH)
        {
            throw new IllegalArgumentException("a HELLO nonce has " + NONCE_LENGTH + " bytes, not " + nonce.length);
        }
        encodeHeader(buffer, offset, MessageType.HELLO, term);
        buffer.putLong(offset + INCARNATION_OFFSET, incarnation, ORDER);
        buffer.putLong(offset + JOURNAL_END_OFFSET, journalEnd, ORDER);
        buffer.putLong(offset + TERM_START_OFFSET, termStart, ORDER);
        buffer.putInt(offset + FLAGS_OFFSET, flags, ORDER);
        buffer.putByte(offset + ROLE_OFFSET, role.code());
        buffer.putByte(offset + MIRROR_NAME_LENGTH_OFFSET, (byte)mirrorName.length);
        buffer.putByte(offset + MEMBER_NAME_LENGTH_OFFSET, (byte)memberName.length);
        buffer.putByte(offset + NONCE_OFFSET - 1, (byte)0);
        buffer.putBytes(offset + NONCE_OFFSET, nonce);
        buffer.putBytes(offset + NAMES_OFFSET, mirrorName);
        buffer.putBytes(offset + NAMES_OFFSET + mirrorName.length, memberName);
        final int macOffset = NAMES_OFFSET + mirrorName.length + memberName.length;
        buffer.putBytes(offset + macOffset, key.mac(buffer, offset, macOffset));
        return macOffset + MirrorKey.MAC_LENGTH;
    }

    /**
     * @param what what the name is, for the error ("mirror name", "member name").
     * @return the name in UTF-8.
     * @throws IllegalArgumentException if it is empty or longer than {@link #MAX_NAME_BYTES} bytes.
     */
    public static byte[] nameBytes(final String name, final String what)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MAX_NAME_BYTES)
        {
            throw new IllegalArgumentException(what + " '" + name + "' must have 1 to " + MAX_NAME_BYTES +
                " bytes in UTF-8, not " + bytes.length);
        }
        return bytes;
    }

    private int roleCode()
    {
        return buffer.getByte(offset + ROLE_OFFSET);
    }

    private int mirrorNameLength()
    {
        return buffer.getByte(offset + MIRROR_NAME_LENGTH_OFFSET) & 0xFF;
    }

    private int memberNameLength()
    {
        return buffer.getByte(offset + MEMBER_NAME_LENGTH_OFFSET) & 0xFF;
    }

    private int macOffset()
    {
        return NAMES_OFFSET + mirrorNameLength() + memberNameLength();
    }
}
