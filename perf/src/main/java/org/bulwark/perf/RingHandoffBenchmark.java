package org.bulwark.perf;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.bulwark.journal.Dejournaler;
import org.bulwark.journal.JournalRecord;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The dejournaler's lane hand-off (SPEC B-1 "ring-buffer hand-off"): one producer thread writes
 * journal-record messages into an Agrona {@link OneToOneRingBuffer}, one consumer thread reads them,
 * as {@link Dejournaler} feeds a lane. Throughput in messages per second.
 *
 * <p>The ring has the dejournaler's default capacity ({@link Dejournaler#DEFAULT_RING_BYTES}) and
 * its message layout, {@code [position:long][now:long][journal record frame]}: the producer claims,
 * writes the position, the flag and a {@link SampleRecord} frame (32-byte value by default), and
 * commits; the consumer reads up to {@value #READ_BATCH} messages per call (as a lane's duty cycle
 * does) and for each reads the position and wraps the record to read its transaction, which is
 * what a lane does before it applies or holds a record. Applying is not included.
 *
 * <p>How to read the result: {@code handoff:write} is messages written per second, the hand-off
 * rate (the producer waits while the ring is full, so it cannot run ahead of the consumer by more
 * than a ring); {@code handoff:messages} is messages read per second, the same rate seen from the
 * other end; {@code handoff:read} counts read calls (a batch each) and the group's total mixes the
 * two, so neither means much. A waiting side yields rather than spins, which costs little when each
 * thread has a core of its own and keeps two cores usable when they do not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms256m", "-Xmx256m" })
public class RingHandoffBenchmark
{
    /** A lane reads at most this many messages per duty cycle (as {@code Dejournaler}'s lanes do). */
    static final int READ_BATCH = 64;
    /** Dejournaler's record message type and the offset of the frame in a message. */
    static final int MSG_RECORD = 1;
    static final int RECORD_OFFSET = 16;

    /**
     * The ring and the message, one pair per group.
     */
    @State(Scope.Group)
    public static class Ring
    {
        /** The record's value length. */
        @Param("32")
        public int valueBytes;

        /** The ring's capacity in bytes: a power of two. */
        @Param("1048576")
        public int ringBytes;

        OneToOneRingBuffer ring;
        UnsafeBuffer frame;
        int frameLength;
        int messageLength;
        long position;

        @Setup(Level.Trial)
        public void setUp()
        {
            ring = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
            final SampleRecord sample = new SampleRecord(valueBytes);
            frame = new UnsafeBuffer(ByteBuffer.allocateDirect(sample.alignedLength()));
            frameLength = sample.encode(frame, 0, 1, System.currentTimeMillis());
            messageLength = RECORD_OFFSET + frameLength;
            if (messageLength > ring.maxMsgLength())
            {
                throw new IllegalArgumentException("RingHandoffBenchmark: a message of " + messageLength +
                    " bytes does not fit a ring of " + ringBytes + " bytes (valueBytes " + valueBytes + ")");
            }
        }
    }

    /**
     * The consumer's side: the lane's flyweight and what it has read.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Lane implements MessageHandler
    {
        /** Messages read in this iteration (an auxiliary counter: JMH reports it per second). */
        public long messages;

        private final JournalRecord record = new JournalRecord();
        private long transactions;

        @Setup(Level.Iteration)
        public void reset()
        {
            messages = 0;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            final long position = buffer.getLong(index);
            record.wrap(buffer, index + RECORD_OFFSET);
            transactions += record.transaction() + position;
        }

        /**
         * @return a value that depends on every message read, so that none can be skipped (not
         * public: JMH would report a public method of an {@code @AuxCounters} state as a counter).
         */
        long transactions()
        {
            return transactions;
        }
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public boolean write(final Ring ring, final Control control)
    {
        final OneToOneRingBuffer buffer = ring.ring;
        int index;
        while ((index = buffer.tryClaim(MSG_RECORD, ring.messageLength)) <= 0)
        {
            if (control.stopMeasurement)
            {
                return false; // the consumer has stopped: end this iteration without a message
            }
            Thread.yield();
        }
        final AtomicBuffer target = buffer.buffer();
        target.putLong(index, ring.position);
        target.putLong(index + 8, 0);
        target.putBytes(index + RECORD_OFFSET, ring.frame, 0, ring.frameLength);
        buffer.commit(index);
        ring.position += JournalRecord.alignedLength(ring.frameLength);
        return true;
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public long read(final Ring ring, final Lane lane, final Control control)
    {
        int read;
        while (0 == (read = ring.ring.read(lane, READ_BATCH)))
        {
            if (control.stopMeasurement)
            {
                return lane.transactions();
            }
            Thread.yield();
        }
        lane.messages += read;
        return lane.transactions();
    }
}
