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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

class JournalTest
{
    @TempDir
    Path dir;

    private final MessageLog log = MessageLog.console(System.out, Severity.FATAL);

    private JournalConfig config()
    {
        return new JournalConfig(dir.resolve("journal")).fileSizeBytes(1 << 20).bufferBytes(1 << 18);
    }

    private static final UnsafeBuffer NAME = new UnsafeBuffer("x".getBytes(StandardCharsets.US_ASCII));

    private static long appendSet(final Journal journal, final long n, final int valueBytes)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        key.putLong(0, n);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[Math.max(8, valueBytes)]);
        value.putLong(0, n);
        return journal.append(JournalRecord.TYPE_SET, 1, 0, JournalRecord.NONE, NAME, 0, 1, key, 0, 8, value, 0,
            valueBytes, null, 0, -1);
    }

    @Test
    void metricsGettersCountRecordsSyncsAndIntervalLatencies() throws Exception
    {
        final org.HdrHistogram.Histogram interval = new org.HdrHistogram.Histogram(3);
        try (Journal journal = Journal.open(config(), NioFileLayer.INSTANCE, log))
        {
            assertEquals(0, journal.recordsAppended());
            long end = 0;
            for (int i = 0; i < 10; i++)
            {
                final long position = appendSet(journal, i, 100);
                end = position + JournalRecord.alignedLength(JournalRecord.frameLength(1, 8, 100, -1));
                journal.awaitDurable(end);
            }
            assertEquals(10, journal.recordsAppended());
            assertTrue(journal.syncs() >= 1 && journal.syncs() <= 10, "syncs " + journal.syncs());
            assertEquals(end - journal.files().list().get(0).startPosition(), journal.bytesWritten());
            journal.syncLatencyRecorderUs().getIntervalHistogramInto(interval);
            assertEquals(journal.syncs(), interval.getTotalCount(), "one sample per sync");
            journal.syncLatencyRecorderUs().getIntervalHistogramInto(interval);
            assertEquals(0, interval.getTotalCount(), "the next interval starts empty");
        }
        try (Journal journal = Journal.open(config(), NioFileLayer.INSTANCE, log))
        {
            assertEquals(0, journal.recordsAppended(), "counted since this open");
        }
    }

    @ParameterizedTest
    @EnumSource(JournalConfig.SyncMethod.class)
    void recordsFromManyThreadsComeBackInPositionOrderAcrossFiles(final JournalConfig.SyncMethod method)
        throws Exception
    {
        final List<Long> positions = Collections.synchronizedList(new ArrayList<>());
        try (Journal journal = Journal.open(config().syncMethod(method), NioFileLayer.INSTANCE, log))
        {
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                final int thread = t;
                threads.add(new Thread(() ->
                {
                    for (int i = 0; i < 2000; i++)
                    {
                        final long n = thread * 1_000_000L + i;
                        final long position = appendSet(journal, n, 100 + (i % 7) * 300);
                        positions.add(position);
                        if (i % 100 == 0)
                        {
                            journal.awaitDurable(position + 1);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (final Thread t : threads)
            {
                t.join(60_000);
            }
            journal.awaitDurable(journal.appendedPosition());
            assertTrue(journal.files().list().size() > 3, "several files: " + journal.files().list());
        }
        Collections.sort(positions);
        try (JournalReader reader = new JournalReader(new JournalFiles(dir.resolve("journal"), "",
            NioFileLayer.INSTANCE), NioFileLayer.INSTANCE))
        {
            reader.seek(reader.startPosition());
            int count = 0;
            long sequence = 0;
            while (reader.next())
            {
                assertEquals(positions.get(count), reader.recordPosition());
                assertEquals(sequence++, reader.record().sequence());
                assertEquals(JournalRecord.TYPE_SET, reader.record().type());
                assertEquals("x", reader.record().globalName());
                final long n = reader.record().buffer().getLong(reader.record().keyOffset());
                assertEquals(n, reader.record().buffer().getLong(reader.record().newValueOffset()));
                count++;
            }
            assertEquals(8000, count);
            assertFalse(reader.endedTorn());
        }
        // Reopened, the journal continues the sequence and the positions.
        try (Journal journal = Journal.open(config(), NioFileLayer.INSTANCE, log))
        {
            final long position = appendSet(journal, 99, 8);
            assertTrue(position >= positions.get(positions.size() - 1));
            journal.awaitDurable(position + 1);
        }
    }

    @Test
    void aTornTailIsTheEndAndIsCleared() throws Exception
    {
        final long last;
        try (Journal journal = Journal.open(config(), NioFileLayer.INSTANCE, log))
        {
            for (int i = 0; i < 10; i++)
            {
                appendSet(journal, i, 50);
            }
            last = appendSet(journal, 10, 50);
            journal.awaitDurable(journal.appendedPosition());
        }
        // Tear the last record, as a crash in the middle of its write would.
        final Path file = dir.resolve("journal").resolve(new JournalFiles(dir.resolve("journal"), "",
            NioFileLayer.INSTANCE).list().get(0).name());
        flip(file, JournalFiles.HEADER_LENGTH + last + 60);
        try (Journal journal = Journal.open(config(), NioFileLayer.INSTANCE, log))
        {
            assertEquals(last, journal.appendedPosition(), "the journal ends before the torn record");
            final long next = appendSet(journal, 11, 50);
            assertEquals(last, next);
            journal.awaitDurable(next + 1);
        }
        try (JournalReader reader = new JournalReader(new JournalFiles(dir.resolve("journal"), "",
            NioFileLayer.INSTANCE), NioFileLayer.INSTANCE))
        {
            reader.seek(0);
            int count = 0;
            while (reader.next())
            {
                count++;
            }
            assertEquals(11, count);
        }
    }

    @Test
    void damageBeforeTheEndStopsWithFileAndOffset() throws Exception
    {
        // Records beyond the reach of one write (4 MiB) after the damage: they were written after a
        // sync that covered the damaged one, so this cannot be a torn tail.
        final JournalConfig big = config().fileSizeBytes(16 << 20).bufferBytes(1 << 20);
        final long second;
        try (Journal journal = Journal.open(big, NioFileLayer.INSTANCE, log))
        {
            appendSet(journal, 1, 50);
            second = appendSet(journal, 2, 50);
            for (int i = 3; i < 1200; i++)
            {
                appendSet(journal, i, 4000);
            }
            journal.awaitDurable(journal.appendedPosition());
            assertTrue(journal.appendedPosition() > second + Journal.MAX_BATCH_BYTES);
        }
        final Path file = dir.resolve("journal").resolve(new JournalFiles(dir.resolve("journal"), "",
            NioFileLayer.INSTANCE).list().get(0).name());
        flip(file, JournalFiles.HEADER_LENGTH + second + 60);
        final JournalDamagedException ex = assertThrows(JournalDamagedException.class,
            () -> Journal.open(big, NioFileLayer.INSTANCE, log));
        assertTrue(ex.getMessage().contains(file.toString()) &&
            ex.getMessage().contains("offset " + (JournalFiles.HEADER_LENGTH + second)), ex.getMessage());
    }

    @Test
    void aTornWriteThatKeptLaterSectorsIsATornTailUnlessKnownDurable() throws Exception
    {
        final long second;
        final long fourth;
        try (Journal journal = Journal.open(config(), NioFileLayer.INSTANCE, log))
        {
            appendSet(journal, 1, 50);
            second = appendSet(journal, 2, 2000);
            appendSet(journal, 3, 50);
            fourth = appendSet(journal, 4, 50);
            journal.awaitDurable(journal.appendedPosition());
        }
        final Path file = dir.resolve("journal").resolve(new JournalFiles(dir.resolve("journal"), "",
            NioFileLayer.INSTANCE).list().get(0).name());
        // A crash in the write of records 2..4 lost a sector of record 2 and kept the rest.
        flip(file, JournalFiles.HEADER_LENGTH + second + 600);
        final JournalDamagedException ex = assertThrows(JournalDamagedException.class,
            () -> Journal.open(config(), NioFileLayer.INSTANCE, log, fourth));
        assertTrue(ex.getMessage().contains("known to be durable"), ex.getMessage());
        try (Journal journal = Journal.open(config(), NioFileLayer.INSTANCE, log, second))
        {
            assertEquals(second, journal.appendedPosition(), "the journal ends before the torn record");
        }
    }

    @Test
    void aTruncatedFileIsDamageNotAnEarlyEnd() throws Exception
    {
        final long third;
        try (Journal journal = Journal.open(config(), NioFileLayer.INSTANCE, log))
        {
            appendSet(journal, 1, 50);
            appendSet(journal, 2, 50);
            third = appendSet(journal, 3, 50);
            journal.awaitDurable(journal.appendedPosition());
        }
        final Path file = dir.resolve("journal").resolve(new JournalFiles(dir.resolve("journal"), "",
            NioFileLayer.INSTANCE).list().get(0).name());
        // Cut the file in the middle of its third record: the first two would read as a clean end.
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.setLength(JournalFiles.HEADER_LENGTH + third + 20);
        }
        final JournalDamagedException ex = assertThrows(JournalDamagedException.class,
            () -> Journal.open(config(), NioFileLayer.INSTANCE, log));
        assertTrue(ex.getMessage().contains(file.toString()) && ex.getMessage().contains("truncated"), ex.getMessage());
    }

    @Test
    void aFailedSyncFreezesTheJournalAndNothingMoreIsAcknowledged() throws Exception
    {
        final FaultyLayer failing = new FaultyLayer();
        try (Journal journal = Journal.open(config().freezeTimeoutMs(500), failing, log))
        {
            final long acknowledged = appendSet(journal, 1, 50);
            journal.awaitDurable(acknowledged + 1);
            failing.failSyncs.set(true);
            final long lost = appendSet(journal, 2, 50);
            final long startNs = System.nanoTime();
            final JournalFrozenException frozen = assertThrows(JournalFrozenException.class,
                () -> journal.awaitDurable(lost + 1));
            final long waitedNs = System.nanoTime() - startNs;
            assertTrue(frozen.getMessage().startsWith("waited 500 ms") && frozen.getMessage().contains("frozen") &&
                frozen.getMessage().contains("Input/output error (injected)"), frozen.getMessage());
            assertTrue(waitedNs >= 500_000_000L && waitedNs < 5_000_000_000L, "a waiting caller blocks for the " +
                "freeze timeout, then gets the error: " + waitedNs + " ns");
            assertTrue(journal.durablePosition() <= lost, "nothing after the error is durable");
            assertNotNull(journal.frozenReason());
            assertThrows(JournalFrozenException.class, () -> appendSet(journal, 3, 50));
        }
    }

    @Test
    void aDiskFullAtAFileSwitchFreezesTheJournalNamesTheDirectoryAndLeavesNoPartialFile() throws Exception
    {
        final FaultyLayer failing = new FaultyLayer();
        final Path journalDirectory = dir.resolve("journal");
        try (Journal journal = Journal.open(config().freezeTimeoutMs(500), failing, log))
        {
            final long acknowledged = appendSet(journal, 1, 50);
            journal.awaitDurable(acknowledged + 1);
            failing.noSpaceForNewFiles.set(true);
            long last = acknowledged;
            JournalFrozenException frozen = null;
            for (int n = 2; n < 40 && null == frozen; n++) // 100 KiB records overflow the 1 MiB file
            {
                try
                {
                    last = appendSet(journal, n, 100 << 10);
                }
                catch (final JournalFrozenException ex)
                {
                    frozen = ex; // the writer met the full disk while records were still being appended
                }
            }
            final long lost = last;
            if (null == frozen)
            {
                frozen = assertThrows(JournalFrozenException.class, () -> journal.awaitDurable(lost + 1));
            }
            assertTrue(frozen.getMessage().contains("No space left on device") &&
                frozen.getMessage().contains(journalDirectory.toString()), frozen.getMessage());
            assertTrue(journal.durablePosition() < lost, "the records that did not fit are not durable");
        }
        final List<String> names = new ArrayList<>();
        try (var stream = java.nio.file.Files.list(journalDirectory))
        {
            stream.forEach(p -> names.add(p.getFileName().toString()));
        }
        final List<JournalFiles.Entry> listed = new JournalFiles(journalDirectory, "", NioFileLayer.INSTANCE).list();
        assertEquals(1, listed.size());
        Collections.sort(names);
        assertEquals(List.of(listed.get(0).name(), JournalFiles.LIST_FILE), names,
            "the file that could not be preallocated is removed");
    }

    /**
     * Real files whose syncs fail, or whose new files run out of space, when told to.
     */
    private static final class FaultyLayer implements FileLayer
    {
        final AtomicBoolean failSyncs = new AtomicBoolean();
        final AtomicBoolean noSpaceForNewFiles = new AtomicBoolean();

        @Override
        public DurableFile open(final Path path, final boolean create) throws IOException
        {
            final boolean noSpace = create && noSpaceForNewFiles.get();
            return new ForwardingDurableFile(NioFileLayer.INSTANCE.open(path, create))
            {
                private long written;

                @Override
                public void write(final ByteBuffer src, final long position) throws IOException
                {
                    written += src.remaining();
                    if (noSpace && written > 300_000)
                    {
                        throw new IOException("No space left on device");
                    }
                    delegate.write(src, position);
                }

                @Override
                public void sync(final SyncLevel level) throws IOException
                {
                    if (failSyncs.get())
                    {
                        throw new IOException("Input/output error (injected)");
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
    }

    static void flip(final Path file, final long offset) throws IOException
    {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(offset);
            final int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5A);
        }
    }
}
