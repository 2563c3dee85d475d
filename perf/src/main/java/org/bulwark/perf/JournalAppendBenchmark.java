package org.bulwark.perf;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The journal's append path (SPEC B-1 "journal append"), one {@link SampleRecord} SET per operation,
 * in nanoseconds per record. Run with {@code -prof gc}: both should allocate nothing.
 *
 * <ul>
 *   <li>{@code encode}: {@code JournalRecord.encode} into an off-heap buffer of
 *   {@value #ENCODE_BUFFER_BYTES} bytes, record after record at aligned offsets as in the log buffer
 *   (wrapping at its end), then the frame length written: header fields, the copy of name, key and
 *   value, and the CRC32C of the frame. The CPU cost of a record, alone.</li>
 *   <li>{@code append}: {@code Journal.append} on an open journal: the claim (a lock word and the
 *   log buffer's CAS), the sequence number, the clock, the encode, and the ordered publish of the
 *   frame length — what a session pays per update before it goes on (asynchronous commit, SPEC
 *   J-4). The journal's real writer thread drains the buffer every {@code flushIntervalMs} and
 *   clears what it wrote, but through a {@link DiscardingFileLayer}: nothing reaches the disk, so
 *   no sync is measured (CommitBenchmark measures durable commits). Its one file is "sized" 1 TiB
 *   so that no file switch happens during a run.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms512m", "-Xmx512m", "-XX:MaxDirectMemorySize=256m" })
public class JournalAppendBenchmark
{
    static final int ENCODE_BUFFER_BYTES = 1 << 20;
    private static final long DISCARDED_FILE_SIZE_BYTES = 1L << 40;

    /**
     * Encoding into a buffer of its own: one thread, no journal.
     */
    @State(Scope.Thread)
    public static class Encoder
    {
        /** The SET's value length. */
        @Param("32")
        public int valueBytes;

        SampleRecord record;
        UnsafeBuffer target;
        int aligned;
        int offset;
        long sequence;
        long timestampMs;

        @Setup(Level.Trial)
        public void setUp()
        {
            record = new SampleRecord(valueBytes);
            aligned = record.alignedLength();
            if (aligned > ENCODE_BUFFER_BYTES)
            {
                throw new IllegalArgumentException("JournalAppendBenchmark: valueBytes " + valueBytes +
                    " makes a record larger than the encode buffer of " + ENCODE_BUFFER_BYTES + " bytes");
            }
            target = new UnsafeBuffer(ByteBuffer.allocateDirect(ENCODE_BUFFER_BYTES));
            timestampMs = System.currentTimeMillis();
        }
    }

    /**
     * An open journal over discarding files.
     */
    @State(Scope.Benchmark)
    public static class OpenJournal
    {
        /** The SET's value length. */
        @Param("32")
        public int valueBytes;

        /** The log buffer (the in-memory tail the writer drains), MiB: a power of two. */
        @Param("32")
        public int bufferMiB;

        /** How often the idle writer looks for records to write (the asynchronous flush interval). */
        @Param("1")
        public long flushIntervalMs;

        SampleRecord record;
        Path directory;
        MessageLog log;
        Journal journal;

        @Setup(Level.Trial)
        public void open() throws IOException
        {
            record = new SampleRecord(valueBytes);
            directory = BenchMember.newDirectory("bulwark-jmh-journal");
            log = MessageLog.open(directory, null, Severity.FATAL);
            final JournalConfig config = new JournalConfig(directory.resolve("journal"))
                .bufferBytes(bufferMiB << 20)
                .fileSizeBytes(DISCARDED_FILE_SIZE_BYTES)
                .asyncFlushIntervalMs(flushIntervalMs);
            journal = Journal.open(config, new DiscardingFileLayer(), log);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException
        {
            try
            {
                if (null != journal)
                {
                    final String frozen = journal.frozenReason();
                    System.out.printf("%n[teardown] %,d records appended, %,d bytes written by %,d writer passes%n",
                        journal.recordsAppended(), journal.bytesWritten(), journal.syncs());
                    journal.close();
                    if (null != frozen)
                    {
                        throw new IllegalStateException("the journal froze during the benchmark: " + frozen);
                    }
                }
            }
            finally
            {
                if (null != log)
                {
                    log.close();
                }
                BenchMember.delete(directory);
            }
        }
    }

    @Benchmark
    public int encode(final Encoder encoder)
    {
        int offset = encoder.offset;
        if (offset + encoder.aligned > ENCODE_BUFFER_BYTES)
        {
            offset = 0;
        }
        final int frameLength = encoder.record.encode(encoder.target, offset, encoder.sequence++, encoder.timestampMs);
        encoder.offset = offset + encoder.aligned;
        return frameLength;
    }

    @Benchmark
    public long append(final OpenJournal open)
    {
        return open.record.appendTo(open.journal);
    }
}
