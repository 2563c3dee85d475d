package org.bulwark.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.ForwardingDurableFile;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.io.SyncLevel;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Committers waiting for durability (SPEC J-3): each returns only once its records are durable,
 * also when more of them wait at once than the journal has waiter slots (the rest poll).
 */
class JournalWaitTest
{
    private static final int COMMITTERS = 300; // more than Journal's 256 waiter slots
    private static final UnsafeBuffer NAME = new UnsafeBuffer("w".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    @Test
    void moreWaitersThanSlotsAllReturnOnlyOnceTheirRecordsAreDurable() throws Exception
    {
        final AtomicBoolean gated = new AtomicBoolean();
        final CountDownLatch open = new CountDownLatch(1);
        final FileLayer layer = gatedSyncs(gated, open);
        final MessageLog log = MessageLog.console(System.out, Severity.FATAL);
        try (Journal journal = Journal.open(new JournalConfig(dir.resolve("journal")).fileSizeBytes(1 << 20)
            .bufferBytes(1 << 18), layer, log))
        {
            try
            {
                gated.set(true); // from now on every sync waits until the gate opens
                final AtomicInteger appended = new AtomicInteger();
                final AtomicInteger returned = new AtomicInteger();
                final AtomicReference<String> wrong = new AtomicReference<>();
                final Thread[] committers = new Thread[COMMITTERS];
                for (int t = 0; t < COMMITTERS; t++)
                {
                    final long n = t;
                    committers[t] = new Thread(() ->
                    {
                        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
                        key.putLong(0, n);
                        final long position = journal.append(JournalRecord.TYPE_SET, 1, 0, JournalRecord.NONE, NAME,
                            0, 1, key, 0, 8, key, 0, 8, null, 0, -1);
                        final long end = position + JournalRecord.alignedLength(JournalRecord.frameLength(1, 8, 8, -1));
                        appended.incrementAndGet();
                        journal.awaitDurable(end);
                        if (journal.durablePosition() < end)
                        {
                            wrong.compareAndSet(null, "committer " + n + " returned at durable position " +
                                journal.durablePosition() + " before its end " + end);
                        }
                        returned.incrementAndGet();
                    }, "committer-" + t);
                    committers[t].start();
                }
                // Every committer has appended and has been seen parked, waiting; none can have returned.
                final boolean[] seenWaiting = new boolean[COMMITTERS];
                int waiting = 0;
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (waiting < COMMITTERS || appended.get() < COMMITTERS)
                {
                    assertTrue(System.nanoTime() < deadlineNs, "only " + waiting + " committers seen waiting");
                    for (int t = 0; t < COMMITTERS; t++)
                    {
                        if (!seenWaiting[t] && committers[t].getState() == Thread.State.TIMED_WAITING)
                        {
                            seenWaiting[t] = true;
                            waiting++;
                        }
                    }
                    Thread.onSpinWait();
                }
                assertEquals(0, returned.get(), "nothing is durable while syncs are held");

                open.countDown();
                for (final Thread committer : committers)
                {
                    committer.join(TimeUnit.SECONDS.toMillis(30));
                    assertFalse(committer.isAlive(), committer.getName() + " still waits");
                }
                assertNull(wrong.get());
                assertEquals(COMMITTERS, returned.get());
            }
            finally
            {
                open.countDown(); // also after a failure: closing the journal syncs
            }
        }
    }

    /**
     * The real file layer, except that a data sync waits for {@code open} while {@code gated} is set.
     */
    private static FileLayer gatedSyncs(final AtomicBoolean gated, final CountDownLatch open)
    {
        return new FileLayer()
        {
            @Override
            public DurableFile open(final Path path, final boolean create) throws IOException
            {
                return new ForwardingDurableFile(NioFileLayer.INSTANCE.open(path, create))
                {
                    @Override
                    public void sync(final SyncLevel level) throws IOException
                    {
                        try
                        {
                            if (gated.get() && !open.await(60, TimeUnit.SECONDS))
                            {
                                throw new IOException("the test never opened the sync gate");
                            }
                        }
                        catch (final InterruptedException ex)
                        {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted at the sync gate", ex);
                        }
                        delegate.sync(level);
                    }
                };
            }

            @Override
            public void syncDirectory(final Path directory) throws IOException
            {
                NioFileLayer.INSTANCE.syncDirectory(directory);
            }
        };
    }
}
