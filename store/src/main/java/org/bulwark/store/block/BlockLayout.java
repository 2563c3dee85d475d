package org.bulwark.store.block;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.checksum.Crc32c;

/**
 * The header every block starts with (SPEC S-2). Fields are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        CRC32C of bytes [4, blockSize)                         |  0
 *  +---------------+---------------+-------------------------------+
 *  |     type      |    version    |            level              |  4
 *  +---------------+---------------+-------------------------------+
 *  |        block number (its own position in the file)            |  8
 *  +---------------------------------------------------------------+
 *  |        tree id: root block of the owning global (0: none)     | 12
 *  +---------------------------------------------------------------+
 *  |        journal position of the last change (64 bits)          | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        link: right sibling, or next block of a big value      | 24
 *  +-------------------------------+-------------------------------+
 *  |  count (entries, or bytes)    |  heap start (lowest entry)    | 28
 *  +-------------------------------+-------------------------------+
 *  |  garbage bytes in the heap    |          reserved             | 32
 *  +-------------------------------+-------------------------------+
 *  |        reserved                                               | 36
 *  +---------------------------------------------------------------+
 *  |  slots (u16 entry offsets, in key order) ... free ... entries  | 40
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A block of zeros has type {@link #TYPE_UNUSED}: it was never written. The checksum is computed
 * by the write daemon when the block is written out; a block in the buffer pool carries a stale one.
 */
public final class BlockLayout
{
    public static final int CRC_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int VERSION_OFFSET = 5;
    public static final int LEVEL_OFFSET = 6;
    public static final int BLOCK_NUMBER_OFFSET = 8;
    public static final int TREE_ID_OFFSET = 12;
    public static final int JOURNAL_POSITION_OFFSET = 16;
    public static final int LINK_OFFSET = 24;
    public static final int COUNT_OFFSET = 28;
    public static final int HEAP_START_OFFSET = 30;
    public static final int GARBAGE_OFFSET = 32;
    public static final int HEADER_LENGTH = 40;

    public static final byte FORMAT_VERSION = 1;

    public static final byte TYPE_UNUSED = 0;
    /** Block 0: the database label. */
    public static final byte TYPE_LABEL = 1;
    /** A free-map block: one bit per block of its region. */
    public static final byte TYPE_MAP = 2;
    /** An inner B+tree node: separator keys and child block numbers. */
    public static final byte TYPE_POINTER = 3;
    /** A B+tree leaf: keys and values (or references to big values). */
    public static final byte TYPE_DATA = 4;
    /** One block of a value too big to keep in a leaf. */
    public static final byte TYPE_BIG = 5;

    public static final int MIN_BLOCK_SIZE_BYTES = 4096;
    /** Slot offsets are 16 bits and splits use a scratch of twice the block size. */
    public static final int MAX_BLOCK_SIZE_BYTES = 16384;
    public static final int DEFAULT_BLOCK_SIZE_BYTES = 8192;

    private BlockLayout()
    {
    }

    public static String typeName(final int type)
    {
        switch (type)
        {
            case TYPE_UNUSED:
                return "unused";
            case TYPE_LABEL:
                return "label";
            case TYPE_MAP:
                return "map";
            case TYPE_POINTER:
                return "pointer";
            case TYPE_DATA:
                return "data";
            case TYPE_BIG:
                return "big";
            default:
                return "unknown(" + type + ")";
        }
    }

    /**
     * @throws IllegalArgumentException if the size is not a supported power of two.
     */
    public static void validateBlockSize(final int blockSizeBytes)
    {
        if (Integer.bitCount(blockSizeBytes) != 1 ||
            blockSizeBytes < MIN_BLOCK_SIZE_BYTES || blockSizeBytes > MAX_BLOCK_SIZE_BYTES)
        {
            throw new IllegalArgumentException("block size " + blockSizeBytes +
                " bytes is not one of 4096, 8192, 16384");
        }
    }

    /**
     * @return CRC32C of the block after its checksum field.
     */
    public static int computeChecksum(final DirectBuffer block, final int blockSizeBytes)
    {
        return Crc32c.INSTANCE.compute(block.addressOffset(), TYPE_OFFSET, blockSizeBytes - TYPE_OFFSET);
    }

    /**
     * Compute the checksum and store it in the block.
     *
     * @return the checksum.
     */
    public static int stampChecksum(final MutableDirectBuffer block, final int blockSizeBytes)
    {
        final int crc = computeChecksum(block, blockSizeBytes);
        block.putInt(CRC_OFFSET, crc);
        return crc;
    }

    /**
     * @return true if the stored checksum matches the content.
     */
    public static boolean checksumMatches(final DirectBuffer block, final int blockSizeBytes)
    {
        return block.getInt(CRC_OFFSET) == computeChecksum(block, blockSizeBytes);
    }

    /**
     * @return true if every byte of the block is zero (a block that was never written).
     */
    public static boolean isAllZero(final DirectBuffer block, final int blockSizeBytes)
    {
        for (int i = 0; i < blockSizeBytes; i += 8)
        {
            if (block.getLong(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    public static int type(final DirectBuffer block)
    {
        return block.getByte(TYPE_OFFSET);
    }

    public static int blockNumber(final DirectBuffer block)
    {
        return block.getInt(BLOCK_NUMBER_OFFSET);
    }

    public static long journalPosition(final DirectBuffer block)
    {
        return block.getLong(JOURNAL_POSITION_OFFSET);
    }

    /**
     * Write a fresh header with an empty heap.
     */
    public static void initHeader(
        final MutableDirectBuffer block,
        final int blockSizeBytes,
        final byte type,
        final int level,
        final int blockNumber,
        final int treeId)
    {
        block.setMemory(0, blockSizeBytes, (byte)0);
        block.putByte(TYPE_OFFSET, type);
        block.putByte(VERSION_OFFSET, FORMAT_VERSION);
        block.putShort(LEVEL_OFFSET, (short)level);
        block.putInt(BLOCK_NUMBER_OFFSET, blockNumber);
        block.putInt(TREE_ID_OFFSET, treeId);
        block.putShort(HEAP_START_OFFSET, (short)blockSizeBytes);
    }
}
