package org.bulwark.store;

import java.io.IOException;

/**
 * Test helper: writes a sealed cycle straight into the block files, without a WIJ. Enough to
 * exercise the store's flush interface and reopen; the real write daemon lives in module wij.
 */
final class DirectFlusher
{
    private DirectFlusher()
    {
    }

    static int flush(final Store store) throws IOException
    {
        final SealedCycle cycle = store.seal(10_000_000_000L);
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
     * A flush requester that flushes on a background thread when the pool runs short.
     */
    static Thread autoFlush(final Store store, final java.util.concurrent.atomic.AtomicBoolean running)
    {
        final Object signal = new Object();
        store.flushRequester(() ->
        {
            synchronized (signal)
            {
                signal.notifyAll();
            }
        });
        final Thread thread = new Thread(() ->
        {
            while (running.get())
            {
                try
                {
                    synchronized (signal)
                    {
                        signal.wait(5);
                    }
                    if (store.dirtyBlockCount() > 0)
                    {
                        flush(store);
                    }
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
        }, "test-flusher");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
