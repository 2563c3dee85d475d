package org.bulwark.store;

import java.nio.ByteBuffer;

/**
 * The changed blocks the write daemon takes in one cycle: every block that was dirty when the
 * store sealed the cycle, as of one instant between update steps, so the set is a consistent
 * picture of every tree. The images are FROZEN pool frames: no one changes them until
 * {@link Store#complete(SealedCycle)}, and each carries a fresh checksum. Sorted by database and
 * block number.
 */
public final class SealedCycle
{
    private final BufferPool pool;
    private final int[] blockSizeOfDatabase;
    private final long[] order;
    private int blockCount;
    private long cycleNumber;
    private long sealedUpdateSequence;
    private long oldestOpenTransaction;

    SealedCycle(final BufferPool pool, final int[] blockSizeOfDatabase)
    {
        this.pool = pool;
        this.blockSizeOfDatabase = blockSizeOfDatabase;
        this.order = new long[pool.frameCount()];
    }

    void reset(
        final long cycleNumber,
        final long sealedUpdateSequence,
        final long oldestOpenTransaction,
        final int[] frames,
        final int count)
    {
        this.cycleNumber = cycleNumber;
        this.sealedUpdateSequence = sealedUpdateSequence;
        this.oldestOpenTransaction = oldestOpenTransaction;
        this.blockCount = count;
        for (int i = 0; i < count; i++)
        {
            final int frame = frames[i];
            order[i] = ((long)pool.database(frame) << 55) | ((long)pool.block(frame) << 24) | frame;
        }
        java.util.Arrays.sort(order, 0, count);
    }

    public long cycleNumber()
    {
        return cycleNumber;
    }

    /**
     * @return the position when the cycle was sealed: with a journal, the position after every
     * record appended (every update journaled before it is in the cycle's images, none after it —
     * the checkpoint from which recovery rolls forward); without one, the store's own update
     * count, taken inside the update gate (a kill over several steps may be in the images in part).
     */
    public long sealedUpdateSequence()
    {
        return sealedUpdateSequence;
    }

    /**
     * @return where the oldest transaction open at the seal began in the journal, or -1.
     */
    public long oldestOpenTransaction()
    {
        return oldestOpenTransaction;
    }

    public int blockCount()
    {
        return blockCount;
    }

    int frame(final int i)
    {
        return (int)(order[i] & 0xFFFFFF);
    }

    public int databaseIndex(final int i)
    {
        return (int)(order[i] >>> 55);
    }

    public int blockNumber(final int i)
    {
        return (int)((order[i] >>> 24) & 0x7FFF_FFFFL);
    }

    /**
     * @return the image as a buffer positioned at 0 with the limit at its database's block size
     * (a pool frame may be larger); the same object each time for the same frame.
     */
    public ByteBuffer image(final int i)
    {
        final ByteBuffer view = pool.view(frame(i));
        view.clear().limit(blockSizeOfDatabase[databaseIndex(i)]);
        return view;
    }

    /**
     * @return the block size of the image's database.
     */
    public int imageSizeBytes(final int i)
    {
        return blockSizeOfDatabase[databaseIndex(i)];
    }

    public long imageAddress(final int i)
    {
        return pool.address(frame(i));
    }
}
