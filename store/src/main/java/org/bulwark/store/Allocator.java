package org.bulwark.store;

import org.bulwark.store.block.BlockLayout;
import org.bulwark.store.block.DatabaseLabel;
import org.bulwark.store.block.FreeMapBits;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Free-space management of one database (SPEC S-4): a map block per region of
 * {@link DatabaseLabel#regionBlocks(int)} blocks, one bit per block, and growth by the expansion
 * size up to the maximum size. Map and label blocks change through the buffer pool like any other
 * block, so the write daemon writes them atomically with the tree blocks they describe.
 *
 * <p>Called while the caller holds tree latches; takes map and label latches after them (the
 * latch order of {@link BlockTable}).
 */
final class Allocator
{
    /** Frames one allocation may need: the map block, the label, a new region's map block. */
    static final int FRAMES_PER_ALLOCATION = 3;
    static final int FRAMES_PER_FREE = 1;

    private final Database db;
    private final ReentrantLock lock = new ReentrantLock();
    private final int regionBlocks;
    private final int expansionBlocks;
    private final int maxBlocks;
    private volatile int sizeBlocks;
    private int hintRegion;
    private int expansions;

    Allocator(final Database db, final int sizeBlocks, final int expansionBlocks, final int maxBlocks)
    {
        this.db = db;
        this.regionBlocks = DatabaseLabel.regionBlocks(db.blockSizeBytes);
        this.sizeBlocks = sizeBlocks;
        this.expansionBlocks = Math.max(1, expansionBlocks);
        this.maxBlocks = maxBlocks <= 0 ? Integer.MAX_VALUE : maxBlocks;
    }

    int sizeBlocks()
    {
        return sizeBlocks;
    }

    int maxBlocks()
    {
        return maxBlocks;
    }

    int expansionBlocks()
    {
        return expansionBlocks;
    }

    int expansions()
    {
        return expansions;
    }

    /**
     * Allocate a block: set its bit in the map. The caller then gives it a fresh frame.
     */
    int allocate(final TreeContext ctx)
    {
        lock.lock();
        try
        {
            while (true)
            {
                final int size = sizeBlocks;
                final int regions = regionCount(size);
                for (int k = 0; k < regions; k++)
                {
                    final int region = (hintRegion + k) % regions;
                    final int block = allocateInRegion(ctx, region, size);
                    if (block >= 0)
                    {
                        hintRegion = region;
                        return block;
                    }
                }
                expand(ctx);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Clear a block's bit in the map.
     */
    void free(final TreeContext ctx, final int block)
    {
        lock.lock();
        try
        {
            final int region = block / regionBlocks;
            final int mapBlock = DatabaseLabel.mapBlockOfRegion(region, regionBlocks);
            ctx.latchExclusive(db, mapBlock);
            try
            {
                final int bit = block - region * regionBlocks;
                final org.agrona.MutableDirectBuffer map = ctx.writable(db, mapBlock);
                if (!FreeMapBits.isSet(map, bit))
                {
                    throw new BulwarkException(ErrorCode.DATABASE, "block " + block + " of database " + db.name +
                        " freed twice (its map bit is already clear)");
                }
                FreeMapBits.clear(map, bit);
                if (region < hintRegion)
                {
                    hintRegion = region;
                }
            }
            finally
            {
                ctx.unlatch(db, mapBlock);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    private int regionCount(final int size)
    {
        return (int)(((long)size + regionBlocks - 1) / regionBlocks);
    }

    private int allocateInRegion(final TreeContext ctx, final int region, final int size)
    {
        final int mapBlock = DatabaseLabel.mapBlockOfRegion(region, regionBlocks);
        final int limit = (int)Math.min(regionBlocks, (long)size - (long)region * regionBlocks);
        ctx.latchExclusive(db, mapBlock);
        try
        {
            final int bit = FreeMapBits.nextClear(ctx.readable(db, mapBlock), 0, limit);
            if (bit < 0)
            {
                return -1;
            }
            FreeMapBits.set(ctx.writable(db, mapBlock), bit);
            return region * regionBlocks + bit;
        }
        finally
        {
            ctx.unlatch(db, mapBlock);
        }
    }

    /**
     * Grow by the expansion size, but never past the end of the next region, so that one
     * expansion creates at most one map block.
     */
    private void expand(final TreeContext ctx)
    {
        final int size = sizeBlocks;
        if (size >= maxBlocks)
        {
            throw new BulwarkException(ErrorCode.DATABASE, "database " + db.name + " is full: " + size +
                " blocks is its maximum size");
        }
        final long regionBoundary = ((long)size / regionBlocks + 1) * regionBlocks;
        final int newSize = (int)Math.min(Math.min((long)size + expansionBlocks, maxBlocks), regionBoundary);
        try
        {
            db.file.ensureCapacity(newSize);
        }
        catch (final IOException ex)
        {
            throw new BulwarkException(ErrorCode.DATABASE, "cannot grow database " + db.name + " to " + newSize +
                " blocks: " + ex.getMessage(), ex);
        }
        db.table.ensureCapacity(newSize);

        if (size % regionBlocks == 0 && newSize > size)
        {
            // The first new block starts a region: it becomes that region's map block.
            final int region = size / regionBlocks;
            final int mapBlock = DatabaseLabel.mapBlockOfRegion(region, regionBlocks);
            ctx.latchExclusive(db, mapBlock);
            try
            {
                final org.agrona.MutableDirectBuffer map = ctx.fresh(db, mapBlock);
                BlockLayout.initHeader(map, db.blockSizeBytes, BlockLayout.TYPE_MAP, 0, mapBlock, 0);
                FreeMapBits.set(map, 0);
            }
            finally
            {
                ctx.unlatch(db, mapBlock);
            }
        }

        ctx.latchExclusive(db, DatabaseLabel.LABEL_BLOCK);
        try
        {
            DatabaseLabel.sizeBlocks(ctx.writable(db, DatabaseLabel.LABEL_BLOCK), newSize);
        }
        finally
        {
            ctx.unlatch(db, DatabaseLabel.LABEL_BLOCK);
        }
        sizeBlocks = newSize;
        expansions++;
        ctx.store().events().databaseExpanded(db.name, size, newSize, db.blockSizeBytes);
    }

}
