package org.bulwark.wij;

import org.agrona.MutableDirectBuffer;
import org.agrona.checksum.Crc32c;

/**
 * The WIJ header, kept in two slots so that a torn header write falls back to the previous one:
 * the valid slot with the higher sequence wins. Each slot is one 512-byte sector.
 *
 * <pre>
 *  offset  size  field
 *    0       8   magic "BLWRKWIJ"
 *    8       4   format version
 *   12       4   state: 0 EMPTY, 1 ACTIVE, 2 COMPLETE, 3 MISMATCH (a MISMATCH.WIJ file)
 *   16       8   sequence (incremented by every header write)
 *   24       4   clean shutdown: 1 after a normal close, 0 while running
 *   28       4   block records in the cycle
 *   32       8   cycle number
 *   40       8   descriptor offset
 *   48       4   descriptor length
 *   52       4   descriptor CRC32C
 *   56       8   end of the cycle's data (bytes)
 *   64      32   datasets still to restore (bit per dataset index of the descriptor, 256 bits)
 *   96       8   time of this header write, ms since the epoch
 *  104       8   position sealed in the cycle: the journal checkpoint
 *  112       8   journal position of the oldest transaction open at the seal, -1 for none
 *  120     388   reserved (zero)
 *  508       4   CRC32C of bytes [0, 508)
 * </pre>
 *
 * States: EMPTY — nothing to restore or compare (new, or marked deleted after a restore);
 * ACTIVE — phase 1 of the cycle is durable and phase 2 may be incomplete: restore;
 * COMPLETE — the cycle is in the block files: after a crash, compare it with them.
 */
public final class WijHeader
{
    public static final long MAGIC = 0x4A49574B52574C42L; // "BLWRKWIJ" little-endian
    public static final int VERSION = 1;
    public static final int SLOT_SIZE_BYTES = 512;
    public static final int CRC_OFFSET = 508;
    public static final int MAX_DATASETS = 256;

    public static final int STATE_EMPTY = 0;
    public static final int STATE_ACTIVE = 1;
    public static final int STATE_COMPLETE = 2;
    public static final int STATE_MISMATCH = 3;

    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = 8;
    private static final int STATE_OFFSET = 12;
    private static final int SEQUENCE_OFFSET = 16;
    private static final int CLEAN_OFFSET = 24;
    private static final int RECORDS_OFFSET = 28;
    private static final int CYCLE_OFFSET = 32;
    private static final int DESCRIPTOR_OFFSET_OFFSET = 40;
    private static final int DESCRIPTOR_LENGTH_OFFSET = 48;
    private static final int DESCRIPTOR_CRC_OFFSET = 52;
    private static final int DATA_END_OFFSET = 56;
    private static final int PENDING_OFFSET = 64;
    private static final int TIME_OFFSET = 96;
    private static final int UPDATE_SEQUENCE_OFFSET = 104;
    private static final int OLDEST_OPEN_TRANSACTION_OFFSET = 112;

    public int state;
    public long sequence;
    public boolean cleanShutdown;
    public int recordCount;
    public long cycleNumber;
    public long descriptorOffset;
    public int descriptorLength;
    public int descriptorCrc;
    public long dataEnd;
    public final long[] pending = new long[MAX_DATASETS / 64];
    public long timeMs;
    public long sealedUpdateSequence;
    public long oldestOpenTransaction = -1;

    public static String stateName(final int state)
    {
        switch (state)
        {
            case STATE_EMPTY:
                return "EMPTY";
            case STATE_ACTIVE:
                return "ACTIVE";
            case STATE_COMPLETE:
                return "COMPLETE";
            case STATE_MISMATCH:
                return "MISMATCH";
            default:
                return "UNKNOWN(" + state + ")";
        }
    }

    public void encode(final MutableDirectBuffer slot)
    {
        slot.setMemory(0, SLOT_SIZE_BYTES, (byte)0);
        slot.putLong(MAGIC_OFFSET, MAGIC);
        slot.putInt(VERSION_OFFSET, VERSION);
        slot.putInt(STATE_OFFSET, state);
        slot.putLong(SEQUENCE_OFFSET, sequence);
        slot.putInt(CLEAN_OFFSET, cleanShutdown ? 1 : 0);
        slot.putInt(RECORDS_OFFSET, recordCount);
        slot.putLong(CYCLE_OFFSET, cycleNumber);
        slot.putLong(DESCRIPTOR_OFFSET_OFFSET, descriptorOffset);
        slot.putInt(DESCRIPTOR_LENGTH_OFFSET, descriptorLength);
        slot.putInt(DESCRIPTOR_CRC_OFFSET, descriptorCrc);
        slot.putLong(DATA_END_OFFSET, dataEnd);
        for (int i = 0; i < pending.length; i++)
        {
            slot.putLong(PENDING_OFFSET + i * 8, pending[i]);
        }
        slot.putLong(TIME_OFFSET, timeMs);
        slot.putLong(UPDATE_SEQUENCE_OFFSET, sealedUpdateSequence);
        slot.putLong(OLDEST_OPEN_TRANSACTION_OFFSET, oldestOpenTransaction);
        slot.putInt(CRC_OFFSET, Crc32c.INSTANCE.compute(slot.addressOffset(), 0, CRC_OFFSET));
    }

    /**
     * @return null if the slot holds a valid header (now decoded into this object), else why not.
     */
    public String decode(final MutableDirectBuffer slot)
    {
        if (slot.getLong(MAGIC_OFFSET) != MAGIC)
        {
            return "bad magic";
        }
        if (slot.getInt(CRC_OFFSET) != Crc32c.INSTANCE.compute(slot.addressOffset(), 0, CRC_OFFSET))
        {
            return "checksum mismatch";
        }
        if (slot.getInt(VERSION_OFFSET) != VERSION)
        {
            return "unsupported version " + slot.getInt(VERSION_OFFSET);
        }
        state = slot.getInt(STATE_OFFSET);
        sequence = slot.getLong(SEQUENCE_OFFSET);
        cleanShutdown = slot.getInt(CLEAN_OFFSET) == 1;
        recordCount = slot.getInt(RECORDS_OFFSET);
        cycleNumber = slot.getLong(CYCLE_OFFSET);
        descriptorOffset = slot.getLong(DESCRIPTOR_OFFSET_OFFSET);
        descriptorLength = slot.getInt(DESCRIPTOR_LENGTH_OFFSET);
        descriptorCrc = slot.getInt(DESCRIPTOR_CRC_OFFSET);
        dataEnd = slot.getLong(DATA_END_OFFSET);
        for (int i = 0; i < pending.length; i++)
        {
            pending[i] = slot.getLong(PENDING_OFFSET + i * 8);
        }
        timeMs = slot.getLong(TIME_OFFSET);
        sealedUpdateSequence = slot.getLong(UPDATE_SEQUENCE_OFFSET);
        oldestOpenTransaction = slot.getLong(OLDEST_OPEN_TRANSACTION_OFFSET);
        if (state < STATE_EMPTY || state > STATE_MISMATCH)
        {
            return "unknown state " + state;
        }
        return null;
    }

    public boolean isPending(final int dataset)
    {
        return (pending[dataset >>> 6] & (1L << (dataset & 63))) != 0;
    }

    public void pending(final int dataset, final boolean value)
    {
        if (value)
        {
            pending[dataset >>> 6] |= 1L << (dataset & 63);
        }
        else
        {
            pending[dataset >>> 6] &= ~(1L << (dataset & 63));
        }
    }

    public boolean anyPending()
    {
        for (final long word : pending)
        {
            if (word != 0)
            {
                return true;
            }
        }
        return false;
    }

    public void clearPending()
    {
        java.util.Arrays.fill(pending, 0);
    }

    public void copyFrom(final WijHeader other)
    {
        state = other.state;
        sequence = other.sequence;
        cleanShutdown = other.cleanShutdown;
        recordCount = other.recordCount;
        cycleNumber = other.cycleNumber;
        descriptorOffset = other.descriptorOffset;
        descriptorLength = other.descriptorLength;
        descriptorCrc = other.descriptorCrc;
        dataEnd = other.dataEnd;
        System.arraycopy(other.pending, 0, pending, 0, pending.length);
        timeMs = other.timeMs;
        sealedUpdateSequence = other.sealedUpdateSequence;
        oldestOpenTransaction = other.oldestOpenTransaction;
    }

    @Override
    public String toString()
    {
        return "state " + stateName(state) + ", cycle " + cycleNumber + ", " + recordCount + " blocks, sequence " +
            sequence + (cleanShutdown ? ", clean shutdown" : "");
    }
}
