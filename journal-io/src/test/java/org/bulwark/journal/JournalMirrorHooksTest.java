package org.bulwark.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The journal's hooks for mirroring (SPEC M-6): the tap sees every written byte before its sync; a
 * second journal fed those bytes with {@link Journal#appendFrames} holds the same records at the same
 * positions and goes on with the next sequence; the commit gate holds commits until it moves, and
 * fails them when refused.
 */
class JournalMirrorHooksTest
{
    private static final UnsafeBuffer NAME = new UnsafeBuffer("m".getBytes(StandardCharsets.US_ASCII));
    private static final MessageLog LOG = MessageLog.console(System.out, Severity.FATAL);

    @TempDir
    Path dir;

    private static long set(final Journal journal, final long n)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        key.putLong(0, n);
        final long position = journal.append(JournalRecord.TYPE_SET, 1, 0, JournalRecord.NONE, NAME, 0, 1, key, 0,
            8, key, 0, 8, null, 0, -1);
        return position + JournalRecord.alignedLength(JournalRecord.frameLength(1, 8, 8, -1));
    }

    private static JournalConfig config(final Path directory)
    {
        // A small buffer so that the stream wraps (padding frames) and small files so that it switches.
        return new JournalConfig(directory).fileSizeBytes(1 << 20).bufferBytes(64 << 10);
    }

    @Test
    void aCopyFedWithTheTappedBytesHoldsTheSameRecordsAtTheSamePositions() throws Exception
    {
        final ConcurrentLinkedQueue<Object[]> chunks = new ConcurrentLinkedQueue<>();
        final List<Long> synced = new ArrayList<>();
        final long end;
        try (Journal primary = Journal.open(config(dir.resolve("p")), NioFileLayer.INSTANCE, LOG))
        {
            primary.tap(new JournalTap()
            {
                @Override
                public void written(final DirectBuffer buffer, final int index, final int length, final long position)
                {
                    final byte[] bytes = new byte[length];
                    buffer.getBytes(index, bytes);
                    chunks.add(new Object[]{position, bytes});
                }

                @Override
                public void synced(final long durablePosition)
                {
                    synchronized (synced)
                    {
                        synced.add(durablePosition);
                    }
                }
            });
            long last = 0;
            for (int i = 0; i < 15_000; i++)
            {
                last = set(primary, i);
                if (i % 7 == 0)
                {
                    primary.awaitDurable(last);
                }
            }
            primary.awaitDurable(last);
            end = last;
        }
        synchronized (synced)
        {
            assertEquals(end, synced.get(synced.size() - 1), "the tap heard the last sync");
        }
        try (Journal copy = Journal.open(config(dir.resolve("b")), NioFileLayer.INSTANCE, LOG))
        {
            long at = 0;
            for (final Object[] chunk : chunks)
            {
                final byte[] bytes = (byte[])chunk[1];
                final UnsafeBuffer source = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
                source.putBytes(0, bytes);
                assertEquals(at, (long)chunk[0], "chunks come in position order without gaps");
                at = copy.appendFrames((long)chunk[0], source, 0, bytes.length);
            }
            assertEquals(end, at);
            copy.awaitDurable(at);
            final IllegalArgumentException gap = assertThrows(IllegalArgumentException.class,
                () -> copy.appendFrames(end + 8, new UnsafeBuffer(ByteBuffer.allocateDirect(64)), 0, 64));
            assertTrue(gap.getMessage().contains("ends at " + end), gap.getMessage());
            final long next = set(copy, 99_999);
            copy.awaitDurable(next);
        }
        try (Journal copy = Journal.open(config(dir.resolve("b")), NioFileLayer.INSTANCE, LOG);
            JournalReader reader = new JournalReader(copy.files(), NioFileLayer.INSTANCE))
        {
            reader.seek(0);
            long expected = 0;
            while (reader.next())
            {
                assertEquals(expected, reader.record().sequence(), "at " + reader.recordPosition());
                expected++;
            }
            assertEquals(15_001, expected, "15,000 copied records and one of the copy's own");
        }
    }

    @Test
    void damagedFramesAreRefusedNamingThePosition() throws Exception
    {
        try (Journal copy = Journal.open(config(dir.resolve("b")), NioFileLayer.INSTANCE, LOG))
        {
            final UnsafeBuffer source = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            source.putInt(0, 64);
            final IllegalArgumentException damaged = assertThrows(IllegalArgumentException.class,
                () -> copy.appendFrames(0, source, 0, 64));
            assertTrue(damaged.getMessage().contains("position 0"), damaged.getMessage());
            assertEquals(0, copy.appendedPosition(), "nothing was appended");
        }
    }

    @Test
    void theGateHoldsCommitsUntilItMovesAndFailsThemWhenRefused() throws Exception
    {
        try (Journal journal = Journal.open(config(dir.resolve("g")), NioFileLayer.INSTANCE, LOG))
        {
            journal.gate(0, 30_000);
            final long first = set(journal, 1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread committer = new Thread(() ->
            {
                try
                {
                    journal.awaitDurable(first);
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            committer.start();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (journal.durablePosition() < first)
            {
                assertTrue(System.nanoTime() < deadlineNs, "the record became durable here");
                Thread.sleep(1);
            }
            committer.join(200);
            assertTrue(committer.isAlive(), "durable here, but the gate holds the commit");
            assertEquals(0, journal.committedPosition());
            journal.gate(first);
            committer.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(committer.isAlive());
            assertNull(failure.get());

            final long second = set(journal, 2);
            final RecordingListener listener = new RecordingListener(second);
            assertTrue(journal.notifyWhenDurable(listener));
            journal.refuseGatedCommits("a member with a higher term is primary");
            final long listenerDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (null == listener.outcome.get())
            {
                assertTrue(System.nanoTime() < listenerDeadlineNs, "the listener was told");
                journal.requestFlush();
                Thread.sleep(1);
            }
            assertTrue(listener.outcome.get() instanceof JournalFrozenException);
            assertTrue(((Throwable)listener.outcome.get()).getMessage().contains("higher term"));
            final JournalFrozenException refused = assertThrows(JournalFrozenException.class,
                () -> journal.awaitDurable(second));
            assertTrue(refused.getMessage().contains("not acknowledged by the mirror"), refused.getMessage());
            journal.refuseGatedCommits(null);
            journal.gate(Long.MAX_VALUE);
            journal.awaitDurable(second);
        }
    }

    private static final class RecordingListener implements DurableListener
    {
        private final long position;
        private final AtomicReference<Object> outcome = new AtomicReference<>();

        RecordingListener(final long position)
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
            outcome.set(durablePosition);
        }

        @Override
        public void failed(final JournalFrozenException cause)
        {
            outcome.set(cause);
        }
    }
}
