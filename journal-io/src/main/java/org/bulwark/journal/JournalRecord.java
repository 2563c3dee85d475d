package org.bulwark.journal;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One journal record (SPEC J-1), a flyweight over the bytes where it lies (the log buffer, a file
 * read, a mirror message). Fields are little-endian; records are 8-byte aligned in the stream.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  frame length: bytes of the record before padding (0 = none   |  0
 *  |  written yet; negative = padding of that many bytes)          |
 *  +---------------------------------------------------------------+
 *  |  CRC32C of bytes [8, frame length)                            |  4
 *  +---------------+---------------+-------------------------------+
 *  |     type      |    version    |       database index          |  8
 *  +---------------+---------------+-------------------------------+
 *  |    global name length         |       key length              | 12
 *  +-------------------------------+-------------------------------+
 *  |  sequence: the record's number in the journal (64 bits)       | 16
 *  +---------------------------------------------------------------+
 *  |  timestamp, ms since the epoch (64 bits)                      | 24
 *  +---------------------------------------------------------------+
 *  |  transaction id, 0 outside a transaction (64 bits)            | 32
 *  +---------------------------------------------------------------+
 *  |  position of the transaction's previous record, -1 if none    | 40
 *  +---------------------------------------------------------------+
 *  |  new value length, -1 if none                                 | 48
 *  +---------------------------------------------------------------+
 *  |  old value length, -1 if none                                 | 52
 *  +---------------------------------------------------------------+
 *  |  global name | key (encoded subscripts) | new value | old value | 56
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A SET carries the new value and, inside a transaction, the old one (absent if the node had
 * none); a KILL removes one node's value and carries it as the old value, so that a subtree kill
 * is one record per node and every record can be undone and redone on its own.
 */
public final class JournalRecord
{
    public static final int FRAME_LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    public static final int TYPE_OFFSET = 8;
    public static final int VERSION_OFFSET = 9;
    public static final int DATABASE_OFFSET = 10;
    public static final int NAME_LENGTH_OFFSET = 12;
    public static final int KEY_LENGTH_OFFSET = 14;
    public static final int SEQUENCE_OFFSET = 16;
    public static final int TIMESTAMP_OFFSET = 24;
    public static final int TRANSACTION_OFFSET = 32;
    public static final int PREVIOUS_IN_TRANSACTION_OFFSET = 40;
    public static final int NEW_VALUE_LENGTH_OFFSET = 48;
    public static final int OLD_VALUE_LENGTH_OFFSET = 52;
    public static final int HEADER_LENGTH = 56;
    public static final int ALIGNMENT = 8;

    public static final byte VERSION = 1;

    /** Set a node's value. */
    public static final byte TYPE_SET = 1;
    /** Remove a node's value (one per node of a killed subtree). */
    public static final byte TYPE_KILL = 2;
    /** A transaction starts (its outermost level). */
    public static final byte TYPE_TSTART = 3;
    /** A transaction commits. */
    public static final byte TYPE_TCOMMIT = 4;
    /** A transaction's rollback is complete (its undo records precede this one). */
    public static final byte TYPE_TROLLBACK = 5;
    /** A marker for mirror members (reserved). */
    public static final byte TYPE_MIRROR_MARKER = 6;
    /**
     * A database's blocks were replaced from a backup (its database index; the name field holds
     * the database's name): the records before it are not that database's history any more.
     */
    public static final byte TYPE_DATABASE_RESTORED = 7;

    public static final long NONE = -1;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int offset;

    public static int alignedLength(final int frameLength)
    {
        return (frameLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * @return the frame length of a record with these parts.
     */
    public static int frameLength(final int nameLength, final int keyLength, final int newValueLength,
        final int oldValueLength)
    {
        return HEADER_LENGTH + nameLength + keyLength + Math.max(0, newValueLength) + Math.max(0, oldValueLength);
    }

    public static String typeName(final int type)
    {
        switch (type)
        {
            case TYPE_SET:
                return "SET";
            case TYPE_KILL:
                return "KILL";
            case TYPE_TSTART:
                return "TSTART";
            case TYPE_TCOMMIT:
                return "TCOMMIT";
            case TYPE_TROLLBACK:
                return "TROLLBACK";
            case TYPE_DATABASE_RESTORED:
                return "RESTORED";
            case TYPE_MIRROR_MARKER:
                return "MIRROR";
            default:
                return "UNKNOWN(" + type + ")";
        }
    }

    /**
     * View the record at {@code offset} of {@code source}, which must be off-heap (the record is
     * read, and its CRC computed, through its address).
     */
    public JournalRecord wrap(final DirectBuffer source, final int offset)
    {
        buffer.wrap(source.addressOffset() + offset, source.capacity() - offset);
        this.offset = 0;
        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int frameLength()
    {
        return buffer.getInt(FRAME_LENGTH_OFFSET);
    }

    public int type()
    {
        return buffer.getByte(TYPE_OFFSET);
    }

    public int version()
    {
        return buffer.getByte(VERSION_OFFSET);
    }

    public int database()
    {
        return buffer.getShort(DATABASE_OFFSET) & 0xFFFF;
    }

    public int nameLength()
    {
        return buffer.getShort(NAME_LENGTH_OFFSET) & 0xFFFF;
    }

    public int keyLength()
    {
        return buffer.getShort(KEY_LENGTH_OFFSET) & 0xFFFF;
    }

    public long sequence()
    {
        return buffer.getLong(SEQUENCE_OFFSET);
    }

    public long timestampMs()
    {
        return buffer.getLong(TIMESTAMP_OFFSET);
    }

    public long transaction()
    {
        return buffer.getLong(TRANSACTION_OFFSET);
    }

    public long previousInTransaction()
    {
        return buffer.getLong(PREVIOUS_IN_TRANSACTION_OFFSET);
    }

    public int newValueLength()
    {
        return buffer.getInt(NEW_VALUE_LENGTH_OFFSET);
    }

    public int oldValueLength()
    {
        return buffer.getInt(OLD_VALUE_LENGTH_OFFSET);
    }

    public int nameOffset()
    {
        return HEADER_LENGTH;
    }

    public int keyOffset()
    {
        return HEADER_LENGTH + nameLength();
    }

    public int newValueOffset()
    {
        return keyOffset() + keyLength();
    }

    public int oldValueOffset()
    {
        return newValueOffset() + Math.max(0, newValueLength());
    }

    public String globalName()
    {
        return buffer.getStringWithoutLengthAscii(HEADER_LENGTH, nameLength());
    }

    /**
     * @return null if the record is well formed and its checksum matches, else what is wrong.
     */
    public String validate(final int available)
    {
        final int frameLength = frameLength();
        if (frameLength < HEADER_LENGTH || frameLength > available)
        {
            return "frame length " + frameLength + " outside " + HEADER_LENGTH + ".." + available;
        }
        final int crc = Crc32c.INSTANCE.compute(buffer.addressOffset(), TYPE_OFFSET, frameLength - TYPE_OFFSET);
        if (crc != buffer.getInt(CRC_OFFSET))
        {
            return "checksum mismatch (stored 0x" + Integer.toHexString(buffer.getInt(CRC_OFFSET)) + ", computed 0x" +
                Integer.toHexString(crc) + ")";
        }
        if (version() != VERSION)
        {
            return "unsupported record version " + version();
        }
        if (type() < TYPE_SET || type() > TYPE_DATABASE_RESTORED)
        {
            return "unknown record type " + type();
        }
        final long parts = (long)HEADER_LENGTH + nameLength() + keyLength() + Math.max(0, newValueLength()) +
            Math.max(0, oldValueLength());
        if (parts != frameLength || newValueLength() < -1 || oldValueLength() < -1)
        {
            return "parts of " + parts + " bytes in a frame of " + frameLength;
        }
        return null;
    }

    /**
     * Encode a record's header and parts at {@code offset} of {@code target}, leaving the frame
     * length field to be published last (see {@link LogBuffer}).
     *
     * @return the frame length.
     */
    public static int encode(
        final MutableDirectBuffer target, final int offset,
        final byte type, final int database, final long sequence, final long timestampMs,
        final long transaction, final long previousInTransaction,
        final DirectBuffer name, final int nameOffset, final int nameLength,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer newValue, final int newValueOffset, final int newValueLength,
        final DirectBuffer oldValue, final int oldValueOffset, final int oldValueLength)
    {
        target.putByte(offset + TYPE_OFFSET, type);
        target.putByte(offset + VERSION_OFFSET, VERSION);
        target.putShort(offset + DATABASE_OFFSET, (short)database);
        target.putShort(offset + NAME_LENGTH_OFFSET, (short)nameLength);
        target.putShort(offset + KEY_LENGTH_OFFSET, (short)keyLength);
        target.putLong(offset + SEQUENCE_OFFSET, sequence);
        target.putLong(offset + TIMESTAMP_OFFSET, timestampMs);
        target.putLong(offset + TRANSACTION_OFFSET, transaction);
        target.putLong(offset + PREVIOUS_IN_TRANSACTION_OFFSET, previousInTransaction);
        target.putInt(offset + NEW_VALUE_LENGTH_OFFSET, newValueLength);
        target.putInt(offset + OLD_VALUE_LENGTH_OFFSET, oldValueLength);
        int at = offset + HEADER_LENGTH;
        if (nameLength > 0)
        {
            target.putBytes(at, name, nameOffset, nameLength);
            at += nameLength;
        }
        if (keyLength > 0)
        {
            target.putBytes(at, key, keyOffset, keyLength);
            at += keyLength;
        }
        if (newValueLength > 0)
        {
            target.putBytes(at, newValue, newValueOffset, newValueLength);
            at += newValueLength;
        }
        if (oldValueLength > 0)
        {
            target.putBytes(at, oldValue, oldValueOffset, oldValueLength);
            at += oldValueLength;
        }
        final int frameLength = at - offset;
        target.putInt(offset + CRC_OFFSET,
            Crc32c.INSTANCE.compute(target.addressOffset(), offset + TYPE_OFFSET, frameLength - TYPE_OFFSET));
        return frameLength;
    }
}
