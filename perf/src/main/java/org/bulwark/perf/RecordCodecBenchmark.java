package org.bulwark.perf;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.journal.JournalRecord;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Encode and decode of replication messages (SPEC B-1), in nanoseconds per record. Replication
 * does not exist yet (it is the next issue); the body it will ship to a mirror is the journal record
 * frame itself, so this measures that body with the one codec there is, {@link JournalRecord}. The
 * transport's own framing (Aeron) is not included.
 *
 * <ul>
 *   <li>{@code decode}: what a receiver does with a record: wrap the flyweight, validate it (frame
 *   length bounds, CRC32C over the frame, version, type, parts adding up to the frame), and read
 *   every header field and the offsets of name, key and values.</li>
 *   <li>{@code encodeDecode}: a sender's encode ({@code JournalAppendBenchmark.encode} alone) and a
 *   receiver's decode of the same record, one after the other in one buffer: the CPU cost of one
 *   record through both ends.</li>
 * </ul>
 *
 * Both use a {@link SampleRecord} SET (32-byte value by default, {@code valueBytes}) and should
 * allocate nothing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms256m", "-Xmx256m" })
@State(Scope.Thread)
public class RecordCodecBenchmark
{
    /** The SET's value length. */
    @Param("32")
    public int valueBytes;

    private SampleRecord sample;
    private UnsafeBuffer buffer;
    private final JournalRecord record = new JournalRecord();
    private long sequence;
    private long timestampMs;

    @Setup(Level.Trial)
    public void setUp()
    {
        sample = new SampleRecord(valueBytes);
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(sample.alignedLength()));
        timestampMs = System.currentTimeMillis();
        sample.encode(buffer, 0, sequence++, timestampMs);
        decodeAll(); // fails here, not in the measurement, if the sample does not validate
    }

    @Benchmark
    public long decode()
    {
        return decodeAll();
    }

    @Benchmark
    public long encodeDecode()
    {
        sample.encode(buffer, 0, sequence++, timestampMs);
        return decodeAll();
    }

    /**
     * @return every field folded into one value, so that no read can be optimised away.
     */
    private long decodeAll()
    {
        final JournalRecord record = this.record.wrap(buffer, 0);
        final String problem = record.validate(buffer.capacity());
        if (null != problem)
        {
            throw new IllegalStateException("sample record does not decode: " + problem);
        }
        long fold = record.frameLength();
        fold = fold * 31 + record.type();
        fold = fold * 31 + record.version();
        fold = fold * 31 + record.database();
        fold = fold * 31 + record.sequence();
        fold = fold * 31 + record.timestampMs();
        fold = fold * 31 + record.transaction();
        fold = fold * 31 + record.previousInTransaction();
        fold = fold * 31 + record.nameOffset();
        fold = fold * 31 + record.keyOffset();
        fold = fold * 31 + record.keyLength();
        fold = fold * 31 + record.newValueOffset();
        fold = fold * 31 + record.newValueLength();
        fold = fold * 31 + record.oldValueOffset();
        fold = fold * 31 + record.oldValueLength();
        return fold;
    }
}
