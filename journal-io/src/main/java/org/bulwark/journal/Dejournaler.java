package org.bulwark.journal;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Parallel dejournaling (SPEC J-8): one thread reads the journal and hands each SET or KILL to one
 * of up to 16 lanes, chosen by the global's name, so every update of a global is applied by one
 * applier in journal order. Each lane is an agent fed by its own Agrona one-to-one ring buffer.
 *
 * <p>Transactions: a lane holds a transaction's records, and everything after them in that lane,
 * until the transaction ends; at TCOMMIT they are applied back to back, at a full TROLLBACK they
 * are dropped together with the undo records the rollback journaled. A reader of one global thus
 * never sees a transaction that did not commit, nor part of one between other updates of that
 * global. Transactions still open when the stream ends are dropped (rolled back). Records too
 * large for a ring message travel through a side queue, in order, behind a marker.
 *
 * <p>Not thread-safe on the feeding side: one thread calls {@link #accept} and {@link #finish}.
 */
public final class Dejournaler implements AutoCloseable
{
    public static final int MAX_LANES = 16;
    /** Ring capacity per lane; messages up to an eighth of it go through the ring. */
    public static final int DEFAULT_RING_BYTES = 1 << 20;

    static final int MSG_RECORD = 1;
    static final int MSG_LARGE = 2;
    static final int MSG_END = 3;
    static final int MSG_FINISH = 4;
    /** A record message: {@code [position:long][now:long][journal record frame]}. */
    static final int RECORD_OFFSET = 16;

    private final Lane[] lanes;
    private final AgentRunner[] runners;
    private final IdleStrategy feederIdle = new BackoffIdleStrategy(1, 10, 1_000, TimeUnit.MICROSECONDS.toNanos(100));
    /** Open transaction → bit mask of the lanes that received its records. */
    private final Long2LongHashMap openLanes = new Long2LongHashMap(0);
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
    private long dispatched;
    private long startNs = -1;
    private boolean finished;

    /**
     * @param laneCount 1 to 16.
     * @param appliers  the applier of each lane; called on that lane's thread only.
     * @param ringBytes ring capacity per lane, a power of two of at least 4 KiB.
     */
    public Dejournaler(final int laneCount, final IntFunction<RollForward.Applier> appliers, final int ringBytes)
    {
        if (laneCount < 1 || laneCount > MAX_LANES)
        {
            throw new IllegalArgumentException("dejournal lanes must be 1 to " + MAX_LANES + ": " + laneCount);
        }
        if (ringBytes < 4096 || Integer.bitCount(ringBytes) != 1)
        {
            throw new IllegalArgumentException("ring size must be a power of two of at least 4096: " + ringBytes);
        }
        lanes = new Lane[laneCount];
        runners = new AgentRunner[laneCount];
        for (int i = 0; i < laneCount; i++)
        {
            final UnsafeBuffer ring = new UnsafeBuffer(
                ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH));
            lanes[i] = new Lane(i, new OneToOneRingBuffer(ring), appliers.apply(i));
        }
        for (int i = 0; i < laneCount; i++)
        {
            runners[i] = new AgentRunner(new BackoffIdleStrategy(1, 10, 1_000, TimeUnit.MICROSECONDS.toNanos(200)),
                Throwable::printStackTrace, null, lanes[i]);
            AgentRunner.startOnThread(runners[i]);
        }
    }

    public int laneCount()
    {
        return lanes.length;
    }

    /**
     * Hand over one journal record (read thread). SET and KILL go to their global's lane; TCOMMIT and
     * TROLLBACK end the transaction in the lanes that hold its records; other types are ignored.
     *
     * @param position the record's journal position, for error messages.
     * @throws DejournalException if a lane failed: nothing more is applied.
     */
    public void accept(final JournalRecord record, final long position)
    {
        accept(record, position, false);
    }

    /**
     * As {@link #accept(JournalRecord, long)}; with {@code now} a transaction's record is applied in
     * order like one outside a transaction, not held: for a transaction already partly applied when
     * the run began (open at a backup's checkpoint), whose later records, undo records included,
     * must all follow.
     */
    public void accept(final JournalRecord record, final long position, final boolean now)
    {
        checkLanes();
        if (startNs < 0)
        {
            startNs = System.nanoTime();
        }
        final long transaction = record.transaction();
        switch (record.type())
        {
            case JournalRecord.TYPE_SET:
            case JournalRecord.TYPE_KILL:
            {
                final int lane = laneOf(record);
                if (0 != transaction)
                {
                    openLanes.put(transaction, openLanes.get(transaction) | (1L << lane));
                }
                send(lane, record, position, now);
                dispatched++;
                break;
            }
            case JournalRecord.TYPE_TCOMMIT:
            case JournalRecord.TYPE_TROLLBACK:
            {
                final long mask = openLanes.remove(transaction);
                scratch.putLong(0, transaction);
                scratch.putLong(8, record.type() == JournalRecord.TYPE_TCOMMIT ? 1 : 0);
                for (int lane = 0; lane < lanes.length; lane++)
                {
                    if (0 != (mask & (1L << lane)))
                    {
                        write(lane, MSG_END, scratch, 0, 16);
                    }
                }
                break;
            }
            default:
                break;
        }
    }

    /**
     * Wait until every lane has applied everything handed over; transactions still open are dropped.
     *
     * @param timeoutMs how long to wait.
     * @return what was done.
     * @throws DejournalException if a lane failed, or did not finish in time.
     */
    public Result finish(final long timeoutMs)
    {
        if (!finished)
        {
            finished = true;
            for (int lane = 0; lane < lanes.length; lane++)
            {
                write(lane, MSG_FINISH, scratch, 0, 0);
            }
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (final Lane lane : lanes)
        {
            while (!lane.done)
            {
                checkLanes();
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new DejournalException("dejournal lane " + lane.index + " did not finish within " +
                        timeoutMs + " ms (" + lane.applied + " records applied)");
                }
                feederIdle.idle();
            }
        }
        checkLanes();
        final long[] perLane = new long[lanes.length];
        long applied = 0;
        long dropped = 0;
        long droppedOpen = 0;
        for (int i = 0; i < lanes.length; i++)
        {
            perLane[i] = lanes[i].applied;
            applied += lanes[i].applied;
            dropped += lanes[i].droppedRolledBack;
            droppedOpen += lanes[i].droppedOpen;
        }
        final long elapsedNs = startNs < 0 ? 0 : System.nanoTime() - startNs;
        return new Result(dispatched, applied, dropped, droppedOpen, perLane, elapsedNs);
    }

    /**
     * What a dejournal run did.
     *
     * @param dispatched          SET and KILL records handed to lanes.
     * @param applied             records applied.
     * @param droppedRolledBack   records of transactions that rolled back (with their undo records).
     * @param droppedOpen         records of transactions still open at the end.
     * @param appliedPerLane      records applied by each lane.
     * @param elapsedNs           from the first record to the end.
     */
    public record Result(long dispatched, long applied, long droppedRolledBack, long droppedOpen,
        long[] appliedPerLane, long elapsedNs)
    {
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(runners);
    }

    private int laneOf(final JournalRecord record)
    {
        // FNV-1a over the global's name bytes: no String, no allocation.
        final DirectBuffer buffer = record.buffer();
        final int offset = record.nameOffset();
        int hash = 0x811C9DC5;
        for (int i = 0; i < record.nameLength(); i++)
        {
            hash ^= buffer.getByte(offset + i) & 0xFF;
            hash *= 0x01000193;
        }
        return (hash & 0x7FFF_FFFF) % lanes.length;
    }

    private void send(final int lane, final JournalRecord record, final long position, final boolean now)
    {
        final OneToOneRingBuffer ring = lanes[lane].ring;
        final int length = RECORD_OFFSET + record.frameLength();
        if (length > ring.maxMsgLength())
        {
            // Off-heap: records are read through their address (JournalRecord.wrap).
            final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
            copy.putLong(0, position);
            copy.putLong(8, now ? 1 : 0);
            copy.putBytes(RECORD_OFFSET, record.buffer(), record.offset(), record.frameLength());
            lanes[lane].large.add(copy);
            write(lane, MSG_LARGE, scratch, 0, 0);
            return;
        }
        while (true)
        {
            final int index = ring.tryClaim(MSG_RECORD, length);
            if (index > 0)
            {
                final org.agrona.concurrent.AtomicBuffer buffer = ring.buffer();
                buffer.putLong(index, position);
                buffer.putLong(index + 8, now ? 1 : 0);
                buffer.putBytes(index + RECORD_OFFSET, record.buffer(), record.offset(), record.frameLength());
                ring.commit(index);
                feederIdle.reset();
                return;
            }
            checkLanes();
            feederIdle.idle();
        }
    }

    private void write(final int lane, final int type, final DirectBuffer source, final int offset, final int length)
    {
        while (!lanes[lane].ring.write(type, source, offset, length))
        {
            checkLanes();
            feederIdle.idle();
        }
        feederIdle.reset();
    }

    private void checkLanes()
    {
        for (final Lane lane : lanes)
        {
            if (null != lane.failure)
            {
                throw new DejournalException("dejournal lane " + lane.index + " failed at journal position " +
                    lane.failedAt + ": " + lane.failure, lane.failure);
            }
        }
    }

    /**
     * One applier thread: reads its ring, holds records behind open transactions, applies in order.
     */
    private static final class Lane implements org.agrona.concurrent.Agent
    {
        private final int index;
        private final OneToOneRingBuffer ring;
        private final RollForward.Applier applier;
        private final ConcurrentLinkedQueue<UnsafeBuffer> large = new ConcurrentLinkedQueue<>();
        private final HeldRecords held = new HeldRecords();
        private final JournalRecord record = new JournalRecord();
        /** Ended transactions whose records are still held: id → 1 committed, 0 rolled back. */
        private final Long2LongHashMap ended = new Long2LongHashMap(-1);
        private volatile boolean done;
        private volatile Throwable failure;
        private volatile long failedAt = -1;
        private long applied;
        private long droppedRolledBack;
        private long droppedOpen;

        Lane(final int index, final OneToOneRingBuffer ring, final RollForward.Applier applier)
        {
            this.index = index;
            this.ring = ring;
            this.applier = applier;
        }

        @Override
        public String roleName()
        {
            return "bulwark-dejournal-" + index;
        }

        @Override
        public int doWork()
        {
            if (null != failure || done)
            {
                return 0;
            }
            try
            {
                return ring.read(this::onMessage, 64);
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
                return 0;
            }
        }

        private void onMessage(final int type, final org.agrona.MutableDirectBuffer buffer, final int index,
            final int length)
        {
            switch (type)
            {
                case MSG_RECORD:
                    onRecord(buffer, index, length);
                    break;
                case MSG_LARGE:
                {
                    final UnsafeBuffer copy = large.poll();
                    onRecord(copy, 0, copy.capacity());
                    break;
                }
                case MSG_END:
                    ended.put(buffer.getLong(index), buffer.getLong(index + 8));
                    drain(false);
                    break;
                case MSG_FINISH:
                    drain(true);
                    done = true;
                    break;
                default:
                    throw new IllegalStateException("unknown dejournal message type " + type);
            }
        }

        private void onRecord(final DirectBuffer buffer, final int index, final int length)
        {
            final long position = buffer.getLong(index);
            final boolean now = 0 != buffer.getLong(index + 8);
            record.wrap(buffer, index + RECORD_OFFSET);
            if (held.isEmpty() && (now || 0 == record.transaction()))
            {
                apply(record, position);
            }
            else
            {
                held.add(buffer, index, length);
            }
        }

        /**
         * Apply or drop held records from the front while their transaction has ended (or they
         * have none); at the finish, drop those of transactions still open and go on.
         */
        private void drain(final boolean finishing)
        {
            while (!held.isEmpty())
            {
                final DirectBuffer buffer = held.buffer();
                final int at = held.headOffset();
                final long position = buffer.getLong(at);
                final boolean now = 0 != buffer.getLong(at + 8);
                record.wrap(buffer, at + RECORD_OFFSET);
                final long transaction = record.transaction();
                final long outcome = 0 == transaction || now ? 1 : ended.get(transaction);
                if (outcome < 0 && !finishing)
                {
                    return; // an open transaction: everything behind it waits
                }
                if (1 == outcome)
                {
                    apply(record, position);
                }
                else if (0 == outcome)
                {
                    droppedRolledBack++;
                }
                else
                {
                    droppedOpen++;
                }
                held.removeHead();
            }
            ended.clear();
        }

        private void apply(final JournalRecord record, final long position)
        {
            try
            {
                RollForward.apply(record, applier);
                applied++;
            }
            catch (final RuntimeException ex)
            {
                failedAt = position;
                throw ex;
            }
        }
    }
}
