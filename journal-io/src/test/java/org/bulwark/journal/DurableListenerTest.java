package org.bulwark.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The non-blocking durability notification: a listener hears of its position only once it is
 * durable, from the writer thread or from a committer that wrote the journal itself, and never is
 * left waiting when the journal closes.
 */
class DurableListenerTest
{
    private static final UnsafeBuffer NAME = new UnsafeBuffer("w".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    @Test
    void listenersHearOfDurabilityAndOfTheJournalClosing() throws Exception
    {
        final MessageLog log = MessageLog.console(System.out, Severity.FATAL);
        final Journal journal = Journal.open(new JournalConfig(dir.resolve("journal")).fileSizeBytes(1 << 20)
            .bufferBytes(1 << 18), NioFileLayer.INSTANCE, log);
        try
        {
            for (int round = 0; round < 100; round++)
            {
                final long end = append(journal, round);
                final Recorder recorder = new Recorder(end);
                if (journal.notifyWhenDurable(recorder))
                {
                    assertTrue(recorder.done.await(10, TimeUnit.SECONDS), "no callback for position " + end);
                    assertNull(recorder.failure.get());
                    assertTrue(recorder.durableAt.get() >= end, "told durable at " + recorder.durableAt.get() +
                        " before its position " + end);
                }
                assertTrue(journal.durablePosition() >= end);
                assertFalse(journal.notifyWhenDurable(recorder), "an already durable position registers nothing");
            }
        }
        finally
        {
            journal.close();
        }
        final Recorder late = new Recorder(Long.MAX_VALUE);
        assertTrue(journal.notifyWhenDurable(late));
        assertTrue(late.done.await(10, TimeUnit.SECONDS), "a listener registered after close must fail");
        assertNotNull(late.failure.get());
    }

    @Test
    void aCommitterThatFindsTheJournalIdleWritesAndSyncsItself() throws Exception
    {
        // The writer thread's idle wake-up is a minute away: only the committer can write in time.
        final int inline = commitRounds(true);
        assertTrue(inline >= 95, "only " + inline + " of 100 lone commits were written by their committer");
    }

    @Test
    void withCommitterSyncsOffTheWriterThreadWritesEveryCommit() throws Exception
    {
        assertEquals(0, commitRounds(false), "a commit was written by its committer although committerSyncs is off");
    }

    @Test
    void anInterruptedCommitterNeverWritesTheJournalItself() throws Exception
    {
        // An interrupt during a FileChannel write closes the channel: were the committer to write, the
        // journal would freeze for the whole member.
        final MessageLog log = MessageLog.console(System.out, Severity.FATAL);
        final Journal journal = Journal.open(new JournalConfig(dir.resolve("journal")).fileSizeBytes(1 << 20)
            .bufferBytes(1 << 18).asyncFlushIntervalMs(60_000), NioFileLayer.INSTANCE, log);
        try
        {
            for (int round = 0; round < 20; round++)
            {
                final long end = append(journal, round);
                Thread.currentThread().interrupt();
                try
                {
                    if (round % 2 == 0)
                    {
                        journal.writeNow(end);
                    }
                    else
                    {
                        journal.awaitDurable(end);
                    }
                }
                catch (final JournalFrozenException ex)
                {
                    assertTrue(ex.getMessage().contains("interrupted"), ex.getMessage());
                }
                finally
                {
                    Thread.interrupted();
                }
                assertNull(journal.frozenReason(), "an interrupted committer froze the journal");
                journal.awaitDurable(end);
                assertTrue(journal.durablePosition() >= end);
            }
        }
        finally
        {
            journal.close();
        }
    }

    /**
     * @return in how many of 100 rounds the listener was told on the committing thread.
     */
    private int commitRounds(final boolean committerSyncs) throws Exception
    {
        final MessageLog log = MessageLog.console(System.out, Severity.FATAL);
        final Journal journal = Journal.open(new JournalConfig(dir.resolve("journal")).fileSizeBytes(1 << 20)
            .bufferBytes(1 << 18).asyncFlushIntervalMs(60_000).committerSyncs(committerSyncs),
            NioFileLayer.INSTANCE, log);
        int inline = 0;
        try
        {
            for (int round = 0; round < 100; round++)
            {
                final long end = append(journal, round);
                final Recorder recorder = new Recorder(end);
                assertTrue(journal.notifyWhenDurable(recorder, false));
                final boolean durableOnReturn = journal.writeNow(end);
                assertTrue(recorder.done.await(10, TimeUnit.SECONDS), "no callback for position " + end);
                assertNull(recorder.failure.get());
                assertTrue(journal.durablePosition() >= end);
                if (recorder.toldOn.get() == Thread.currentThread())
                {
                    assertTrue(durableOnReturn, "told on this thread, so durable when writeNow returned");
                    inline++;
                }
            }
        }
        finally
        {
            journal.close();
        }
        return inline;
    }

    private static long append(final Journal journal, final long n)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        key.putLong(0, n);
        final long position = journal.append(JournalRecord.TYPE_SET, 1, 0, JournalRecord.NONE, NAME, 0, 1, key, 0, 8,
            key, 0, 8, null, 0, -1);
        return position + JournalRecord.alignedLength(JournalRecord.frameLength(1, 8, 8, -1));
    }

    private static final class Recorder implements DurableListener
    {
        final long position;
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicLong durableAt = new AtomicLong(-1);
        final AtomicReference<JournalFrozenException> failure = new AtomicReference<>();
        final AtomicReference<Thread> toldOn = new AtomicReference<>();

        Recorder(final long position)
        {
            this.position = position;
        }

        @Override
        public long awaitedPosition()
        {
            return position;
        }

        @Override
        public void durable(final long durablePosition)
        {
            durableAt.set(durablePosition);
            toldOn.set(Thread.currentThread());
            done.countDown();
        }

        @Override
        public void failed(final JournalFrozenException cause)
        {
            failure.set(cause);
            done.countDown();
        }
    }
}
