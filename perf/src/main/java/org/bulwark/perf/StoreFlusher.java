package org.bulwark.perf;

import org.bulwark.store.MountedDatabase;
import org.bulwark.store.SealedCycle;
import org.bulwark.store.Store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Stand-in for the write daemon (module {@code wij}) in benchmarks: writes each sealed cycle
 * straight into the block files, without a WIJ. The same logic as the store's test helper
 * {@code DirectFlusher}, which is test code and so not visible here.
 *
 * <p>{@link #start()} runs a background thread that flushes when more than half the pool is
 * dirty, when the pool asks for frames, or at a fixed interval (as a write daemon would), so that
 * an update benchmark measures the cost of re-dirtying clean blocks and not only in-place
 * overwrites of blocks that stay dirty forever. Sealing is safe while updates run: the store's
 * update gate gives each cycle a consistent picture.
 */
final class StoreFlusher implements AutoCloseable
{
    private static final long SEAL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final Store store;
    private final long intervalNs;
    private final Object signal = new Object();
    private volatile boolean running;
    private volatile boolean requested;
    private volatile Throwable failure;
    private Thread thread;
    private long cycles;
    private long blocks;

    /**
     * @param store      to flush.
     * @param intervalMs flush at least this often while blocks are dirty; 0 to flush only on
     *                   pressure (dirty more than half the pool, or the pool out of frames).
     */
    StoreFlusher(final Store store, final long intervalMs)
    {
        this.store = store;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    }

    /**
     * Write every changed block to its block file, sync, and give the frames back to the pool.
     * Only one thread may flush at a time.
     *
     * @return the number of blocks written.
     */
    static int flush(final Store store) throws IOException
    {
        final SealedCycle cycle = store.seal(SEAL_TIMEOUT_NS);
        final int count = cycle.blockCount();
        for (int i = 0; i < count; i++)
        {
            store.databases().get(cycle.databaseIndex(i)).file().writeBlock(cycle.blockNumber(i), cycle.image(i));
        }
        for (final MountedDatabase db : store.databases())
        {
            db.file().sync();
        }
        store.complete(cycle);
        return count;
    }

    /**
     * @return true if more than half the pool's frames hold changed blocks.
     */
    static boolean underPressure(final Store store)
    {
        return store.dirtyBlockCount() > store.poolFrameCount() / 2;
    }

    /**
     * Start the background flusher thread.
     */
    void start()
    {
        running = true;
        store.flushRequester(this::request);
        thread = new Thread(this::run, "bulwark-perf-flusher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return flush cycles with at least one block, since start.
     */
    long cycles()
    {
        return cycles;
    }

    /**
     * @return blocks written since start.
     */
    long blocks()
    {
        return blocks;
    }

    /**
     * Called by the pool when an update waits for frames.
     */
    private void request()
    {
        requested = true;
        wake();
    }

    private void wake()
    {
        synchronized (signal)
        {
            signal.notifyAll();
        }
    }

    private void run()
    {
        long lastFlushNs = System.nanoTime();
        try
        {
            while (running)
            {
                synchronized (signal)
                {
                    signal.wait(10);
                }
                final long nowNs = System.nanoTime();
                final boolean due = intervalNs > 0 && nowNs - lastFlushNs >= intervalNs;
                // Store.freeFrameCount() is not polled here: it takes the pool's lock, which every update takes too.
                if (store.dirtyBlockCount() > 0 && (due || requested || underPressure(store)))
                {
                    requested = false;
                    final int count = flush(store);
                    if (count > 0)
                    {
                        cycles++;
                        blocks += count;
                    }
                    lastFlushNs = System.nanoTime();
                }
                else if (due)
                {
                    lastFlushNs = nowNs;
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final Throwable ex)
        {
            failure = ex;
            ex.printStackTrace();
        }
    }

    /**
     * Stop the thread and flush whatever is still dirty.
     */
    @Override
    public void close() throws IOException
    {
        running = false;
        if (null != thread)
        {
            wake();
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        final Throwable failed = failure;
        if (null != failed)
        {
            throw new UncheckedIOException(new IOException("background flush failed", failed));
        }
        flush(store);
    }
}
