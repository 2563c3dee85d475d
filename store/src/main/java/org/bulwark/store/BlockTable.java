package org.bulwark.store;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per-block state of one database: a reader-writer latch per block (SPEC S-6) and the pool frame
 * that holds the block's current image, if any.
 *
 * <p>A latch is one long: the low 32 bits count readers, {@link #PENDING} announces a waiting
 * writer (new readers hold back, so writers are not starved), {@link #EXCLUSIVE} marks a writer.
 * The frame number of a block is read and changed only under the block's latch; the latch's
 * volatile operations order those plain accesses.
 *
 * <p>Latch order, to avoid deadlock: parent before child, left sibling before right, tree blocks
 * before free-map and label blocks.
 */
final class BlockTable
{
    static final int NO_FRAME = -1;

    private static final int SEGMENT_SHIFT = 16;
    private static final int SEGMENT_SIZE = 1 << SEGMENT_SHIFT;
    private static final int SEGMENT_MASK = SEGMENT_SIZE - 1;
    private static final int MAX_SEGMENTS = (Integer.MAX_VALUE >>> SEGMENT_SHIFT) + 1;

    private static final long PENDING = 1L << 32;
    private static final long EXCLUSIVE = 1L << 33;
    private static final long READERS = 0xFFFF_FFFFL;

    private final String databaseName;
    private final AtomicReferenceArray<Segment> segments = new AtomicReferenceArray<>(MAX_SEGMENTS);
    private final long latchTimeoutNs;
    private volatile int capacityBlocks;

    private static final class Segment
    {
        final AtomicLongArray latches = new AtomicLongArray(SEGMENT_SIZE);
        final int[] frames = new int[SEGMENT_SIZE];

        Segment()
        {
            java.util.Arrays.fill(frames, NO_FRAME);
        }
    }

    BlockTable(final String databaseName, final int sizeBlocks, final long latchTimeoutNs)
    {
        this.databaseName = databaseName;
        this.latchTimeoutNs = latchTimeoutNs;
        ensureCapacity(sizeBlocks);
    }

    /**
     * Allow blocks below {@code sizeBlocks}. Segments are created when first used and never removed.
     */
    void ensureCapacity(final int sizeBlocks)
    {
        capacityBlocks = Math.max(capacityBlocks, sizeBlocks);
    }

    private Segment segment(final int block)
    {
        final Segment segment = segments.get(block >>> SEGMENT_SHIFT);
        return null != segment ? segment : createSegment(block);
    }

    private Segment createSegment(final int block)
    {
        if (block < 0 || block >= capacityBlocks)
        {
            throw new BulwarkException(ErrorCode.DATABASE,
                "block " + block + " is beyond the size of database " + databaseName + " (" + capacityBlocks +
                    " blocks)");
        }
        final Segment created = new Segment();
        return segments.compareAndSet(block >>> SEGMENT_SHIFT, null, created) ?
            created : segments.get(block >>> SEGMENT_SHIFT);
    }

    int frame(final int block)
    {
        return segment(block).frames[block & SEGMENT_MASK];
    }

    void frame(final int block, final int frame)
    {
        segment(block).frames[block & SEGMENT_MASK] = frame;
    }

    void acquireShared(final int block, final Backoff backoff)
    {
        final AtomicLongArray latches = segment(block).latches;
        final int i = block & SEGMENT_MASK;
        long v = latches.get(i);
        if ((v & (PENDING | EXCLUSIVE)) == 0 && latches.compareAndSet(i, v, v + 1))
        {
            return;
        }
        backoff.reset();
        while (true)
        {
            v = latches.get(i);
            if ((v & (PENDING | EXCLUSIVE)) == 0 && latches.compareAndSet(i, v, v + 1))
            {
                return;
            }
            if (!backoff.idle(latchTimeoutNs))
            {
                throw timeout("shared", block);
            }
        }
    }

    void releaseShared(final int block)
    {
        final long after = segment(block).latches.getAndDecrement(block & SEGMENT_MASK) - 1;
        assert (after & READERS) != READERS : "shared release without a reader on block " + block;
    }

    void acquireExclusive(final int block, final Backoff backoff)
    {
        final AtomicLongArray latches = segment(block).latches;
        final int i = block & SEGMENT_MASK;
        if (latches.compareAndSet(i, 0, EXCLUSIVE))
        {
            return;
        }
        backoff.reset();
        while (true)
        {
            final long v = latches.get(i);
            if ((v & ~PENDING) == 0)
            {
                if (latches.compareAndSet(i, v, EXCLUSIVE))
                {
                    return;
                }
            }
            else if ((v & (PENDING | EXCLUSIVE)) == 0)
            {
                latches.compareAndSet(i, v, v | PENDING);
            }
            if (!backoff.idle(latchTimeoutNs))
            {
                throw timeout("exclusive", block);
            }
        }
    }

    void releaseExclusive(final int block)
    {
        final AtomicLongArray latches = segment(block).latches;
        assert (latches.get(block & SEGMENT_MASK) & EXCLUSIVE) != 0 : "exclusive release without the latch";
        latches.set(block & SEGMENT_MASK, 0);
    }

    private LatchTimeoutException timeout(final String mode, final int block)
    {
        return new LatchTimeoutException("waited more than " + latchTimeoutNs / 1_000_000 + " ms for the " + mode +
            " latch of block " + block + " in database " + databaseName);
    }
}
