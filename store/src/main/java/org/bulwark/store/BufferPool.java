package org.bulwark.store;

import org.agrona.BufferUtil;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The off-heap frames that hold changed blocks (SPEC S-3). A block is read from the read-only
 * mapping of its file until someone changes it; from then on its current image lives in a frame
 * here until the write daemon has made it durable in the WIJ and in the block file.
 *
 * <pre>
 *  FREE ──take──► DIRTY ──seal──► FROZEN ──cycle complete──► FREE
 *                   ▲                │
 *                   └──── a writer copies a FROZEN image into a new DIRTY frame
 * </pre>
 *
 * A FROZEN frame belongs to the write daemon's cycle and never changes again, so the daemon
 * reads it without latches; a writer that wants to change the block copies it to a new frame
 * (copy-on-write), which becomes the block's current frame.
 *
 * <p>Frames are handed out against reservations, made before an update takes the update gate, so
 * that no writer ever waits for a frame while the write daemon waits for the gate. A reservation is
 * a lock-free decrement of the count of free frames not yet promised; only taking or returning an
 * actual frame touches the free stack's lock.
 */
final class BufferPool implements AutoCloseable
{
    static final byte FREE = 0;
    static final byte DIRTY = 1;
    static final byte FROZEN = 2;

    private static final int FRAMES_PER_CHUNK_SHIFT = 12;

    private final int blockSizeBytes;
    private final int frameCount;
    private final ByteBuffer[] chunks;
    private final ByteBuffer[] frameViews;
    private final long[] frameAddresses;
    private final byte[] frameState;
    private final int[] frameDatabase;
    private final int[] frameBlock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition framesReleased = lock.newCondition();
    private final int[] freeStack;
    private int freeCount;
    /** Free frames not promised to any update: free minus reserved. */
    private final AtomicInteger unreservedFree = new AtomicInteger();
    private volatile int waiters;
    private final java.util.ArrayDeque<Thread> waiting = new java.util.ArrayDeque<>();

    private int[] dirtyList;
    private int[] spareDirtyList;
    private final AtomicInteger dirtyCount = new AtomicInteger();
    private volatile Runnable flushRequest = () -> {};
    private volatile String failure;

    BufferPool(final int blockSizeBytes, final int frameCount)
    {
        this.blockSizeBytes = blockSizeBytes;
        this.frameCount = frameCount;
        final int framesPerChunk = 1 << FRAMES_PER_CHUNK_SHIFT;
        final int chunkCount = (frameCount + framesPerChunk - 1) / framesPerChunk;
        chunks = new ByteBuffer[chunkCount];
        frameViews = new ByteBuffer[frameCount];
        frameAddresses = new long[frameCount];
        try
        {
            for (int c = 0; c < chunkCount; c++)
            {
                final int frames = Math.min(framesPerChunk, frameCount - c * framesPerChunk);
                chunks[c] = ByteBuffer.allocateDirect(frames * blockSizeBytes);
                for (int i = 0; i < frames; i++)
                {
                    final int frame = c * framesPerChunk + i;
                    final ByteBuffer view = chunks[c].duplicate();
                    view.limit((i + 1) * blockSizeBytes).position(i * blockSizeBytes);
                    frameViews[frame] = view.slice();
                    frameAddresses[frame] = BufferUtil.address(frameViews[frame]);
                }
            }
        }
        catch (final OutOfMemoryError ex)
        {
            throw new IllegalArgumentException("buffer pool of " + frameCount + " frames (" +
                (long)frameCount * blockSizeBytes + " bytes) does not fit in direct memory; lower the pool size or " +
                "raise -XX:MaxDirectMemorySize", ex);
        }
        frameState = new byte[frameCount];
        frameDatabase = new int[frameCount];
        frameBlock = new int[frameCount];
        freeStack = new int[frameCount];
        for (int i = 0; i < frameCount; i++)
        {
            freeStack[i] = frameCount - 1 - i;
        }
        freeCount = frameCount;
        unreservedFree.set(frameCount);
        dirtyList = new int[frameCount];
        spareDirtyList = new int[frameCount];
    }

    int blockSizeBytes()
    {
        return blockSizeBytes;
    }

    int frameCount()
    {
        return frameCount;
    }

    long address(final int frame)
    {
        return frameAddresses[frame];
    }

    /**
     * @return a view of the frame for I/O; position and limit must be reset by the user.
     */
    ByteBuffer view(final int frame)
    {
        return frameViews[frame];
    }

    byte state(final int frame)
    {
        return frameState[frame];
    }

    int database(final int frame)
    {
        return frameDatabase[frame];
    }

    int block(final int frame)
    {
        return frameBlock[frame];
    }

    void flushRequest(final Runnable flushRequest)
    {
        this.flushRequest = flushRequest;
    }

    /**
     * @return frames that are dirty now (not yet sealed into a cycle).
     */
    int dirtyCount()
    {
        return dirtyCount.get();
    }

    int freeCount()
    {
        lock.lock();
        try
        {
            return freeCount;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Reserve frames, waiting for the write daemon to free some if needed.
     *
     * @throws LatchTimeoutException if they do not come within the timeout.
     */
    void reserve(final int frames, final long timeoutNs)
    {
        if (frames > frameCount / 2)
        {
            throw new BulwarkException(ErrorCode.DATABASE, "an update needs " + frames +
                " buffer frames, more than half the pool of " + frameCount + "; enlarge the buffer pool");
        }
        if (0 == waiters && tryReserve(frames))
        {
            return;
        }
        lock.lock();
        // Waiters are served in arrival order, so that a large reservation (a big value) is not
        // starved by a stream of small ones; newcomers take the fast path only when no one waits.
        final Thread self = Thread.currentThread();
        waiting.addLast(self);
        waiters++;
        try
        {
            final long deadlineNs = System.nanoTime() + timeoutNs;
            while (waiting.peekFirst() != self || !tryReserve(frames))
            {
                if (null != failure)
                {
                    throw new BulwarkException(ErrorCode.DATABASE, "updates are refused: " + failure);
                }
                flushRequest.run();
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    throw new LatchTimeoutException("waited more than " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) +
                        " ms for " + frames + " free buffer frames (" + freeCount + " free, " +
                        (freeCount - unreservedFree.get()) + " reserved, " + frameCount + " in all): the write " +
                        "daemon is not freeing frames");
                }
                // Bounded waits: a release racing the decision to wait costs at most one slice.
                framesReleased.awaitNanos(Math.min(remainingNs, 10_000_000L));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new BulwarkException(ErrorCode.DATABASE, "interrupted while waiting for buffer frames");
        }
        finally
        {
            waiting.remove(self);
            waiters--;
            framesReleased.signalAll();
            lock.unlock();
        }
    }

    /**
     * Reserve frames only if they are available now. Lock-free: every update reserves, few take.
     */
    boolean tryReserve(final int frames)
    {
        while (true)
        {
            final int available = unreservedFree.get();
            if (available < frames)
            {
                return false;
            }
            if (unreservedFree.compareAndSet(available, available - frames))
            {
                return true;
            }
        }
    }

    void unreserve(final int frames)
    {
        if (0 == frames)
        {
            return;
        }
        unreservedFree.addAndGet(frames);
        signalIfWaiting();
    }

    /**
     * Take a reserved frame and make it the DIRTY frame of a block. Called under the update gate
     * (shared) and the block's exclusive latch.
     */
    int takeReserved(final int database, final int block)
    {
        final int frame;
        lock.lock();
        try
        {
            assert freeCount > 0 : "frame taken without a reservation";
            frame = freeStack[--freeCount];
        }
        finally
        {
            lock.unlock();
        }
        frameState[frame] = DIRTY;
        frameDatabase[frame] = database;
        frameBlock[frame] = block;
        dirtyList[dirtyCount.getAndIncrement()] = frame;
        return frame;
    }

    /**
     * Seal the dirty frames into a cycle: they become FROZEN. The caller holds the update gate
     * exclusively, so no writer is between a frame check and a change.
     *
     * @return the frames of the cycle; valid until the next seal.
     */
    int[] seal(final int[] countOut)
    {
        final int count = dirtyCount.get();
        final int[] sealed = dirtyList;
        for (int i = 0; i < count; i++)
        {
            frameState[sealed[i]] = FROZEN;
        }
        dirtyList = spareDirtyList;
        spareDirtyList = sealed;
        dirtyCount.set(0);
        countOut[0] = count;
        return sealed;
    }

    /**
     * Return a frame of a completed cycle to the free list. The caller has detached it from its
     * block (under the block's exclusive latch) or found it superseded.
     */
    void release(final int frame)
    {
        frameState[frame] = FREE;
        lock.lock();
        try
        {
            freeStack[freeCount++] = frame;
        }
        finally
        {
            lock.unlock();
        }
        unreservedFree.incrementAndGet();
    }

    /**
     * Wake reservation waiters after a batch of releases.
     */
    void signalReleased()
    {
        lock.lock();
        try
        {
            framesReleased.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    private void signalIfWaiting()
    {
        if (waiters > 0)
        {
            signalReleased();
        }
    }

    /**
     * Wake every thread waiting for frames: none will come.
     */
    void fail(final String reason)
    {
        failure = reason;
        signalReleased();
    }

    /**
     * The frames' memory is left to the garbage collector rather than freed here, so that a thread
     * still inside an operation when the store closes cannot touch freed memory.
     */
    @Override
    public void close()
    {
        fail("the store is closed");
    }
}
