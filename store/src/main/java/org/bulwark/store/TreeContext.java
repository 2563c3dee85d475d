package org.bulwark.store;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.block.BlockLayout;

/**
 * The per-thread state of store operations: the latches this thread holds (so that every exit
 * path releases them), its frame reservation, and the access to block images by latch rules.
 * Not thread-safe; one per {@link StoreSession}.
 */
final class TreeContext
{
    private static final int MAX_HELD = 256;

    private final Store store;
    private final BufferPool pool;
    final Backoff backoff = new Backoff();

    private final Database[] heldDatabase = new Database[MAX_HELD];
    private final int[] heldBlock = new int[MAX_HELD];
    private final boolean[] heldExclusive = new boolean[MAX_HELD];
    private int heldCount;
    private volatile boolean active;

    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer copyFrom = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer copyTo = new UnsafeBuffer(0, 0);

    private int reservedFrames;
    private long updateSequence;
    private Object attachment;

    TreeContext(final Store store)
    {
        this.store = store;
        this.pool = store.pool();
    }

    Store store()
    {
        return store;
    }

    void updateSequence(final long updateSequence)
    {
        this.updateSequence = updateSequence;
    }

    void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    /**
     * @return what the session attached, passed to the update listener.
     */
    Object attachment()
    {
        return attachment;
    }

    /**
     * @return the sequence of the update in progress, stamped into every block it changes.
     */
    long updateSequence()
    {
        return updateSequence;
    }

    // ---------------------------------------------------------------- latches

    void latchShared(final Database db, final int block)
    {
        db.table.acquireShared(block, backoff);
        push(db, block, false);
    }

    void latchExclusive(final Database db, final int block)
    {
        db.table.acquireExclusive(block, backoff);
        push(db, block, true);
    }

    void unlatch(final Database db, final int block)
    {
        for (int i = heldCount - 1; i >= 0; i--)
        {
            if (heldBlock[i] == block && heldDatabase[i] == db)
            {
                release(i);
                System.arraycopy(heldDatabase, i + 1, heldDatabase, i, heldCount - i - 1);
                System.arraycopy(heldBlock, i + 1, heldBlock, i, heldCount - i - 1);
                System.arraycopy(heldExclusive, i + 1, heldExclusive, i, heldCount - i - 1);
                heldCount--;
                heldDatabase[heldCount] = null;
                if (0 == heldCount)
                {
                    active = false;
                }
                return;
            }
        }
        throw new IllegalStateException("block " + block + " of " + db.name + " is not latched by this thread");
    }

    /**
     * Release every latch this thread holds, newest first.
     */
    void unlatchAll()
    {
        for (int i = heldCount - 1; i >= 0; i--)
        {
            release(i);
            heldDatabase[i] = null;
        }
        heldCount = 0;
        active = false;
    }

    int heldCount()
    {
        return heldCount;
    }

    /**
     * True while this thread holds a latch, hence may read through a mapping: closing the store
     * waits for it to turn false before unmapping.
     */
    boolean active()
    {
        return active;
    }

    private void push(final Database db, final int block, final boolean exclusive)
    {
        if (0 == heldCount)
        {
            active = true; // volatile write before the volatile read of closed: close sees one or the other
            if (store.isClosed())
            {
                active = false;
                if (exclusive)
                {
                    db.table.releaseExclusive(block);
                }
                else
                {
                    db.table.releaseShared(block);
                }
                throw new IllegalStateException("store is closed");
            }
        }
        if (heldCount == MAX_HELD)
        {
            if (exclusive)
            {
                db.table.releaseExclusive(block);
            }
            else
            {
                db.table.releaseShared(block);
            }
            throw new IllegalStateException("more than " + MAX_HELD + " latches held by one thread");
        }
        heldDatabase[heldCount] = db;
        heldBlock[heldCount] = block;
        heldExclusive[heldCount] = exclusive;
        heldCount++;
    }

    private void release(final int i)
    {
        if (heldExclusive[i])
        {
            heldDatabase[i].table.releaseExclusive(heldBlock[i]);
        }
        else
        {
            heldDatabase[i].table.releaseShared(heldBlock[i]);
        }
    }

    // ---------------------------------------------------------------- block images

    /**
     * @return the address of the block's current image. Caller holds its latch.
     */
    long readAddress(final Database db, final int block)
    {
        final int frame = db.table.frame(block);
        if (BlockTable.NO_FRAME != frame)
        {
            return pool.address(frame);
        }
        if (block < 0 || block >= db.allocator.sizeBlocks())
        {
            // A damaged pointer: reading it through the mapping could fault past the end of the file.
            throw new BulwarkException(ErrorCode.DATABASE, "database " + db.name + ": reference to block " + block +
                " outside its " + db.allocator.sizeBlocks() + " blocks");
        }
        return db.file.mappedAddress(block);
    }

    /**
     * @return the address of a DIRTY frame holding the block's image, taking a frame (a copy) if
     * needed, stamped with the current update sequence. Caller holds the update gate and the
     * block's exclusive latch.
     */
    long writableAddress(final Database db, final int block)
    {
        final int frame = db.table.frame(block);
        final long address;
        if (BlockTable.NO_FRAME != frame && pool.state(frame) == BufferPool.DIRTY)
        {
            address = pool.address(frame);
        }
        else
        {
            final long source = readAddress(db, block);
            final int newFrame = takeFrame(db, block);
            address = pool.address(newFrame);
            copyFrom.wrap(source, db.blockSizeBytes);
            copyTo.wrap(address, db.blockSizeBytes);
            copyTo.putBytes(0, copyFrom, 0, db.blockSizeBytes);
            db.table.frame(block, newFrame);
        }
        copyTo.wrap(address, db.blockSizeBytes);
        copyTo.putLong(BlockLayout.JOURNAL_POSITION_OFFSET, updateSequence);
        return address;
    }

    /**
     * @return the address of a DIRTY frame for a newly allocated block, content undefined. Caller
     * holds the update gate and the block's exclusive latch, and initialises the block.
     */
    long freshAddress(final Database db, final int block)
    {
        final int frame = db.table.frame(block);
        if (BlockTable.NO_FRAME != frame && pool.state(frame) == BufferPool.DIRTY)
        {
            return pool.address(frame);
        }
        final int newFrame = takeFrame(db, block);
        db.table.frame(block, newFrame);
        return pool.address(newFrame);
    }

    DirectBuffer readable(final Database db, final int block)
    {
        view.wrap(readAddress(db, block), db.blockSizeBytes);
        return view;
    }

    MutableDirectBuffer writable(final Database db, final int block)
    {
        view.wrap(writableAddress(db, block), db.blockSizeBytes);
        return view;
    }

    MutableDirectBuffer fresh(final Database db, final int block)
    {
        view.wrap(freshAddress(db, block), db.blockSizeBytes);
        return view;
    }

    // ---------------------------------------------------------------- frame reservations

    /**
     * Reserve frames for the next update step, waiting if the pool is short. Must not be called
     * while holding the update gate or any latch.
     */
    void reserve(final int frames)
    {
        assert 0 == heldCount : "reserve while holding latches";
        if (frames > reservedFrames)
        {
            pool.reserve(frames - reservedFrames, store.frameWaitTimeoutNs());
            reservedFrames = frames;
        }
    }

    /**
     * Top up the reservation without waiting.
     *
     * @return false if the pool cannot give them now (release everything and {@link #reserve}).
     */
    boolean tryReserve(final int frames)
    {
        if (frames <= reservedFrames)
        {
            return true;
        }
        if (pool.tryReserve(frames - reservedFrames))
        {
            reservedFrames = frames;
            return true;
        }
        return false;
    }

    int reservedFrames()
    {
        return reservedFrames;
    }

    /**
     * Give back what the last step did not use.
     */
    void releaseReservation()
    {
        pool.unreserve(reservedFrames);
        reservedFrames = 0;
    }

    private int takeFrame(final Database db, final int block)
    {
        if (reservedFrames <= 0)
        {
            throw new IllegalStateException("update needed more buffer frames than it reserved");
        }
        reservedFrames--;
        return pool.takeReserved(db.index, block);
    }
}
