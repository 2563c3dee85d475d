package org.bulwark.store.integrity;

import org.agrona.MutableDirectBuffer;

/**
 * Where the integrity checker reads blocks from: a closed database's file, or a live store.
 */
public interface BlockSource
{
    int blockSizeBytes();

    /**
     * @return the database's size in blocks.
     */
    int sizeBlocks();

    /**
     * Copy the current image of a block.
     *
     * @return true if its checksum can be trusted to match (false for a changed block still in the
     * buffer pool, whose checksum is computed only when it is written).
     */
    boolean read(int block, MutableDirectBuffer into);
}
