package org.bulwark.store.block;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Block 0 of a block file: what the file is and how big it may grow.
 *
 * <pre>
 *  offset  size  field
 *   0      40    block header (type LABEL, block number 0)
 *  40       8    magic "BLWRKDB1"
 *  48       4    label format version
 *  52       4    block size in bytes
 *  56       4    size in blocks (blocks in use by the database, the file may be longer)
 *  60       4    expansion in blocks (growth step)
 *  64       4    maximum size in blocks (0: no limit)
 *  68       4    directory root block (the tree of global name → root block)
 *  72       8    database uid (random at creation; the WIJ names datasets by it)
 *  80       8    creation time, ms since the epoch
 *  88       4    blocks per free-map region
 *  92       2    name length, then the name (UTF-8, at most 64 bytes)
 * </pre>
 */
public final class DatabaseLabel
{
    public static final long MAGIC = 0x3142444B52574C42L; // "BLWRKDB1" little-endian
    public static final int LABEL_VERSION = 1;

    public static final int MAGIC_OFFSET = 40;
    public static final int LABEL_VERSION_OFFSET = 48;
    public static final int BLOCK_SIZE_OFFSET = 52;
    public static final int SIZE_BLOCKS_OFFSET = 56;
    public static final int EXPANSION_BLOCKS_OFFSET = 60;
    public static final int MAX_BLOCKS_OFFSET = 64;
    public static final int DIRECTORY_ROOT_OFFSET = 68;
    public static final int UID_OFFSET = 72;
    public static final int CREATED_MS_OFFSET = 80;
    public static final int REGION_BLOCKS_OFFSET = 88;
    public static final int NAME_LENGTH_OFFSET = 92;
    public static final int NAME_OFFSET = 94;
    public static final int MAX_NAME_BYTES = 64;

    public static final int LABEL_BLOCK = 0;
    public static final int FIRST_MAP_BLOCK = 1;
    public static final int DIRECTORY_ROOT_BLOCK = 2;

    private DatabaseLabel()
    {
    }

    /**
     * @return the number of blocks one map block describes.
     */
    public static int regionBlocks(final int blockSizeBytes)
    {
        return (blockSizeBytes - BlockLayout.HEADER_LENGTH) * 8;
    }

    /**
     * @return the block number of the map block that describes {@code region}.
     */
    public static int mapBlockOfRegion(final int region, final int regionBlocks)
    {
        return 0 == region ? FIRST_MAP_BLOCK : region * regionBlocks;
    }

    public static void write(
        final MutableDirectBuffer block,
        final int blockSizeBytes,
        final int sizeBlocks,
        final int expansionBlocks,
        final int maxBlocks,
        final long uid,
        final long createdMs,
        final String name)
    {
        BlockLayout.initHeader(block, blockSizeBytes, BlockLayout.TYPE_LABEL, 0, LABEL_BLOCK, 0);
        block.putLong(MAGIC_OFFSET, MAGIC);
        block.putInt(LABEL_VERSION_OFFSET, LABEL_VERSION);
        block.putInt(BLOCK_SIZE_OFFSET, blockSizeBytes);
        block.putInt(SIZE_BLOCKS_OFFSET, sizeBlocks);
        block.putInt(EXPANSION_BLOCKS_OFFSET, expansionBlocks);
        block.putInt(MAX_BLOCKS_OFFSET, maxBlocks);
        block.putInt(DIRECTORY_ROOT_OFFSET, DIRECTORY_ROOT_BLOCK);
        block.putLong(UID_OFFSET, uid);
        block.putLong(CREATED_MS_OFFSET, createdMs);
        block.putInt(REGION_BLOCKS_OFFSET, regionBlocks(blockSizeBytes));
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > MAX_NAME_BYTES)
        {
            throw new IllegalArgumentException("database name longer than " + MAX_NAME_BYTES + " bytes: " + name);
        }
        block.putShort(NAME_LENGTH_OFFSET, (short)nameBytes.length);
        block.putBytes(NAME_OFFSET, nameBytes);
    }

    public static int blockSizeBytes(final DirectBuffer label)
    {
        return label.getInt(BLOCK_SIZE_OFFSET);
    }

    public static int sizeBlocks(final DirectBuffer label)
    {
        return label.getInt(SIZE_BLOCKS_OFFSET);
    }

    public static void sizeBlocks(final MutableDirectBuffer label, final int sizeBlocks)
    {
        label.putInt(SIZE_BLOCKS_OFFSET, sizeBlocks);
    }

    public static int expansionBlocks(final DirectBuffer label)
    {
        return label.getInt(EXPANSION_BLOCKS_OFFSET);
    }

    public static void expansionBlocks(final MutableDirectBuffer label, final int blocks)
    {
        label.putInt(EXPANSION_BLOCKS_OFFSET, blocks);
    }

    public static int maxBlocks(final DirectBuffer label)
    {
        return label.getInt(MAX_BLOCKS_OFFSET);
    }

    public static void maxBlocks(final MutableDirectBuffer label, final int blocks)
    {
        label.putInt(MAX_BLOCKS_OFFSET, blocks);
    }

    public static long uid(final DirectBuffer label)
    {
        return label.getLong(UID_OFFSET);
    }

    public static String name(final DirectBuffer label)
    {
        final int length = Math.min(label.getShort(NAME_LENGTH_OFFSET) & 0xFFFF, MAX_NAME_BYTES);
        final byte[] bytes = new byte[length];
        label.getBytes(NAME_OFFSET, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Check a label read from {@code file}.
     *
     * @return null if valid, else what is wrong, naming the file and offset.
     */
    public static String validate(final DirectBuffer label, final int blockSizeBytes, final String file)
    {
        if (label.getLong(MAGIC_OFFSET) != MAGIC)
        {
            return file + " offset " + MAGIC_OFFSET + ": not a Bulwark block file (bad magic 0x" +
                Long.toHexString(label.getLong(MAGIC_OFFSET)) + ")";
        }
        if (label.getInt(LABEL_VERSION_OFFSET) != LABEL_VERSION)
        {
            return file + " offset " + LABEL_VERSION_OFFSET + ": unsupported label version " +
                label.getInt(LABEL_VERSION_OFFSET);
        }
        if (!BlockLayout.checksumMatches(label, blockSizeBytes))
        {
            return file + " offset 0: label block checksum mismatch (stored 0x" +
                Integer.toHexString(label.getInt(BlockLayout.CRC_OFFSET)) + ", computed 0x" +
                Integer.toHexString(BlockLayout.computeChecksum(label, blockSizeBytes)) + ")";
        }
        if (BlockLayout.type(label) != BlockLayout.TYPE_LABEL || BlockLayout.blockNumber(label) != LABEL_BLOCK)
        {
            return file + " offset " + BlockLayout.TYPE_OFFSET + ": block 0 is not a label";
        }
        if (sizeBlocks(label) < 3)
        {
            return file + " offset " + SIZE_BLOCKS_OFFSET + ": size of " + sizeBlocks(label) + " blocks is too small";
        }
        return null;
    }
}
