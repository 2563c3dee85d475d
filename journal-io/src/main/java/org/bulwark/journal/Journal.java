package org.bulwark.journal;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.SyncLevel;
import org.bulwark.common.log.MessageLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The logical journal (SPEC J-1..J-4, J-6): sessions append records to an in-memory
 * {@link LogBuffer}; one writer thread writes them to the current file in position order and makes
 * them durable, one sync for everything that arrived meanwhile (group commit), then publishes the
 * durable position that committers wait for.
 *
 * <p>Positions are byte offsets in the journal stream; a record's position never changes and is
 * what blocks, checkpoints and mirrors refer to. On an I/O error the journal freezes: nothing more
 * becomes durable, appends fail, and committers waiting for durability get
 * {@link JournalFrozenException} after the freeze timeout — never an acknowledgement.
 */
public final class Journal implements AutoCloseable
{
    private static final String SUBSYSTEM = "JRN";
    /**
     * The most one write (and its sync) covers, unless it is one larger record. Only the last write
     * can be unsynced at a crash, so a torn record can only have valid records after it within this
     * distance (the reader relies on it to tell a torn tail from damage).
     */
    static final int MAX_BATCH_BYTES = 4 << 20;
    private static final int SPINS_BEFORE_PARK = 100;
    private static final long SYNC_LATENCY_MAX_US = TimeUnit.SECONDS.toMicros(60);

    private final JournalConfig config;
    private final FileLayer layer;
    private final MessageLog log;
    private final JournalFiles files;
    private final LogBuffer buffer;
    private final AtomicBoolean claimLock = new AtomicBoolean();
    private long nextSequence;
    private final long firstSequence;

    /*
     * Committers parked in awaitDurable, one per slot, with the position each waits for: the writer
     * unparks exactly those its sync made durable, so they wake in parallel rather than one after
     * another through a lock. A slot's position is Long.MAX_VALUE while no one waits in it.
     */
    private static final int WAITER_SLOTS = 256;
    private static final int CLAIM_SPINS_BEFORE_YIELD = 32;
    private final AtomicReferenceArray<Thread> waiterThreads = new AtomicReferenceArray<>(WAITER_SLOTS);
    private final AtomicLongArray waiterPositions = new AtomicLongArray(WAITER_SLOTS);
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile long durablePosition;
    /*
     * The mirror's commit gate (SPEC M-6): commits are acknowledged up to min(durablePosition,
     * gatePosition). MAX_VALUE while no active backup must acknowledge (unmirrored, or a primary
     * alone). gateRefusal, once set, fails every commit the gate still holds (no longer primary).
     */
    private volatile long gatePosition = Long.MAX_VALUE;
    private volatile String gateRefusal;
    private volatile long gateTimeoutNs = TimeUnit.SECONDS.toNanos(30);
    private volatile JournalTap tap;
    private final JournalRecord framesChecked = new JournalRecord(); // appendFrames' caller's only
    private volatile long writtenPosition;

    /*
     * Non-blocking waiters (DurableListener): registered from any thread into a bounded queue (an
     * overflow list behind a lock if it is ever full), taken by the writer into its own list with a
     * deadline and told after each sync. A listener object is registered at most once at a time, so
     * steady state allocates nothing.
     */
    private static final int LISTENER_QUEUE_CAPACITY = 16 * 1024;
    private final ManyToOneConcurrentArrayQueue<DurableListener> newListeners =
        new ManyToOneConcurrentArrayQueue<>(LISTENER_QUEUE_CAPACITY);
    private final ArrayDeque<DurableListener> overflowListeners = new ArrayDeque<>();
    private final ArrayList<DurableListener> pendingListeners = new ArrayList<>(); // writer state
    private long[] pendingPositions = new long[64]; // writer state, parallel to pendingListeners
    private long[] pendingDeadlinesNs = new long[64]; // writer state
    private volatile int pendingCount; // pendingListeners.size() for other threads' cheap look
    private volatile String frozen;
    private volatile boolean running = true;
    /*
     * Held by whoever writes and syncs: the writer thread, or a committer that found the journal idle
     * and does it itself (committerSyncs). Everything marked "writer state" below is touched only under
     * it, which also makes the listener queue single-consumer.
     */
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean writerStopped;
    private volatile boolean switchRequested;
    private final Thread writer;

    // Writer state, touched under writeLock only (and by open/close).
    private DurableFile current;
    private JournalFiles.Entry currentEntry;
    private long fileNumber;
    private final ByteBuffer[] segments = new ByteBuffer[2];
    private final Histogram syncLatencyUs = new Histogram(SYNC_LATENCY_MAX_US, 3);
    // The same latencies for readers on other threads (metrics): recording is wait-free and
    // allocation-free, and a reader swaps out interval histograms without stopping the writer.
    private final Recorder syncLatencyRecorderUs = new Recorder(SYNC_LATENCY_MAX_US, 3);
    // Written under writeLock only; volatile so that metrics may read them from elsewhere
    // (the cost is nothing next to the sync each increment follows).
    private volatile long syncs;
    private volatile long bytesWritten;

    private Journal(
        final JournalConfig config,
        final FileLayer layer,
        final MessageLog log,
        final JournalFiles files,
        final long endPosition,
        final long nextSequence,
        final JournalFiles.Entry lastEntry,
        final long fileNumber) throws IOException
    {
        this.config = config;
        this.layer = layer;
        this.log = log;
        this.files = files;
        this.buffer = new LogBuffer(config.bufferBytes(), endPosition);
        this.nextSequence = nextSequence;
        this.firstSequence = nextSequence;
        this.durablePosition = endPosition;
        this.writtenPosition = endPosition;
        this.fileNumber = fileNumber;
        for (int slot = 0; slot < WAITER_SLOTS; slot++)
        {
            waiterPositions.set(slot, Long.MAX_VALUE);
        }
        segments[0] = buffer.buffer().byteBuffer().duplicate();
        segments[1] = buffer.buffer().byteBuffer().duplicate();
        if (null == lastEntry)
        {
            openNewFile(endPosition);
        }
        else
        {
            currentEntry = lastEntry;
            current = openForWriting(lastEntry);
        }
        writer = new Thread(this::runWriter, "bulwark-journal-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Open the journal in its directory, creating the first file if there is none. The end of the
     * existing journal is found by reading it; a torn tail (a crash cut the last write) is cleared.
     *
     * @throws JournalDamagedException if a file is damaged before its end.
     */
    public static Journal open(final JournalConfig config, final FileLayer layer, final MessageLog log)
        throws IOException
    {
        return open(config, layer, log, -1);
    }

    /**
     * As {@link #open(JournalConfig, FileLayer, MessageLog)}, knowing that the journal was durable up
     * to {@code knownDurablePosition} (the write daemon's checkpoint): a bad record before it is
     * damage, never a torn tail to clear.
     */
    public static Journal open(final JournalConfig config, final FileLayer layer, final MessageLog log,
        final long knownDurablePosition) throws IOException
    {
        final JournalFiles files = new JournalFiles(config.directory(), config.filePrefix(), layer);
        final List<JournalFiles.Entry> entries = files.list();
        if (entries.isEmpty())
        {
            log.info(SUBSYSTEM, "no journal in " + config.directory() + ": starting one");
            return new Journal(config, layer, log, files, 0, 0, null, 0);
        }
        final JournalFiles.Entry last = entries.get(entries.size() - 1);
        long end;
        long nextSequence;
        boolean torn;
        try (JournalReader reader = new JournalReader(files, layer))
        {
            reader.knownDurable(knownDurablePosition);
            reader.seek(last.startPosition());
            long lastSequence = -1;
            while (reader.next())
            {
                lastSequence = reader.record().sequence();
            }
            end = reader.position();
            torn = reader.endedTorn();
            nextSequence = lastSequence >= 0 ? lastSequence + 1 : firstSequenceOf(files, layer, entries);
        }
        if (torn)
        {
            clearTail(files, layer, last, end);
            log.warning(SUBSYSTEM, "the journal ended in a torn record at position " + end + " of " + last.name() +
                " (a write cut short by a crash; never acknowledged): cleared");
        }
        log.info(SUBSYSTEM, "journal " + config.directory() + ": " + entries.size() + " file(s), ends at position " +
            end + " in " + last.name());
        return new Journal(config, layer, log, files, end, nextSequence, last, entries.size());
    }

    /**
     * The sequence that continues a journal whose last file holds no record yet: one past the
     * last record of the earlier files.
     */
    private static long firstSequenceOf(
        final JournalFiles files, final FileLayer layer, final List<JournalFiles.Entry> entries) throws IOException
    {
        if (entries.size() < 2)
        {
            return 0;
        }
        try (JournalReader reader = new JournalReader(files, layer))
        {
            reader.seek(entries.get(entries.size() - 2).startPosition());
            long lastSequence = -1;
            while (reader.next())
            {
                lastSequence = reader.record().sequence();
            }
            return lastSequence + 1;
        }
    }

    private static void clearTail(
        final JournalFiles files, final FileLayer layer, final JournalFiles.Entry entry, final long end)
        throws IOException
    {
        try (DurableFile file = layer.open(files.path(entry), false))
        {
            final long from = JournalFiles.HEADER_LENGTH + end - entry.startPosition();
            final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            final long size = file.size();
            for (long at = from; at < size; at += zeros.capacity())
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), size - at));
                file.write(zeros, at);
            }
            file.sync(SyncLevel.DATA);
        }
    }

    private DurableFile openForWriting(final JournalFiles.Entry entry) throws IOException
    {
        return config.syncMethod() == JournalConfig.SyncMethod.DSYNC ?
            layer.openWriteThrough(files.path(entry), false) : layer.open(files.path(entry), false);
    }

    private void openNewFile(final long startPosition) throws IOException
    {
        if (null != current)
        {
            try
            {
                current.sync(SyncLevel.DATA);
            }
            catch (final IOException ex)
            {
                throw failed("fdatasync of " + files.path(currentEntry), ex);
            }
            current.close();
            current = null;
        }
        currentEntry = files.create(startPosition, ++fileNumber, config.fileSizeBytes());
        current = openForWriting(currentEntry);
        log.info(SUBSYSTEM, "switched to journal file " + currentEntry.name() + " at position " + startPosition);
    }

    public JournalConfig config()
    {
        return config;
    }

    public JournalFiles files()
    {
        return files;
    }

    // ------------------------------------------------------------------ appending

    /**
     * Append a record; it becomes durable later (see {@link #awaitDurable(long)}).
     *
     * @return the record's position; the record ends at {@code position + alignedLength(frameLength)}.
     * @throws JournalFrozenException if the journal is frozen or stays full past the freeze timeout.
     */
    public long append(
        final byte type, final int database, final long transaction, final long previousInTransaction,
        final DirectBuffer name, final int nameOffset, final int nameLength,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer newValue, final int newValueOffset, final int newValueLength,
        final DirectBuffer oldValue, final int oldValueOffset, final int oldValueLength)
    {
        final int frameLength = JournalRecord.frameLength(nameLength, keyLength, newValueLength, oldValueLength);
        final int aligned = JournalRecord.alignedLength(frameLength);
        long position;
        long sequence;
        long deadlineNs = 0;
        while (true)
        {
            checkNotFrozen();
            // The claim takes tens of nanoseconds, so spin for it; but with more committers than
            // cores the holder may have been descheduled inside it, and spinning on would burn the
            // rest of a time slice (30 % of all CPU samples at 64 committers on 2 vCPUs): yield.
            for (int spins = 0; !claimLock.compareAndSet(false, true); spins++)
            {
                if (spins < CLAIM_SPINS_BEFORE_YIELD)
                {
                    Thread.onSpinWait();
                }
                else
                {
                    Thread.yield();
                }
            }
            try
            {
                position = buffer.tryClaim(aligned);
                sequence = position >= 0 ? nextSequence++ : -1;
            }
            finally
            {
                claimLock.set(false);
            }
            if (position >= 0)
            {
                break;
            }
            deadlineNs = awaitRoom(deadlineNs);
        }
        final UnsafeBuffer target = buffer.buffer();
        final int index = buffer.index(position);
        JournalRecord.encode(target, index, type, database, sequence, System.currentTimeMillis(), transaction,
            previousInTransaction, name, nameOffset, nameLength, key, keyOffset, keyLength,
            newValue, newValueOffset, newValueLength, oldValue, oldValueOffset, oldValueLength);
        buffer.publish(position, frameLength);
        return position;
    }

    /**
     * The buffer is full: the writer is behind (or stuck). Wake it and wait a little, boundedly.
     *
     * @param deadlineNs 0 on the first call, then what the previous call returned.
     * @return the deadline to pass next time.
     * @throws JournalFrozenException once the buffer stayed full for the freeze timeout.
     */
    private long awaitRoom(final long deadlineNs)
    {
        requestFlush();
        final long nowNs = System.nanoTime();
        if (0 == deadlineNs)
        {
            LockSupport.parkNanos(50_000);
            return nowNs + TimeUnit.MILLISECONDS.toNanos(config.freezeTimeoutMs());
        }
        if (nowNs - deadlineNs > 0)
        {
            throw new JournalFrozenException("the journal buffer stayed full for " + config.freezeTimeoutMs() +
                " ms: the journal writer is not keeping up or is stuck");
        }
        LockSupport.parkNanos(50_000);
        return deadlineNs;
    }

    /**
     * Append frames another member's journal holds at the same positions (a mirror backup's copy of
     * the primary's journal, SPEC M-6): whole records and padding frames exactly as the other member
     * wrote them, starting where this journal ends. Each record is checked (CRC, structure) first.
     * Never mixed with {@link #append}: a member appends one way or the other while in a role.
     *
     * @return the position after the frames.
     * @throws IllegalArgumentException if {@code position} is not where this journal ends, or a frame
     *                                  is damaged or cut (the message says which and where).
     * @throws JournalFrozenException   if frozen, or the buffer stays full past the freeze timeout.
     */
    public long appendFrames(final long position, final DirectBuffer source, final int offset, final int length)
    {
        checkNotFrozen();
        final long tail = buffer.tail();
        if (position != tail)
        {
            throw new IllegalArgumentException("frames for position " + position + " do not continue this journal, " +
                "which ends at " + tail);
        }
        if (null != source.byteArray())
        {
            throw new IllegalArgumentException("journal frames must be given off-heap (their checksums are computed " +
                "through their address)");
        }
        final long lastSequence = checkFrames(position, source, offset, length);
        long deadlineNs = 0;
        while (buffer.tryClaimRaw(length) < 0)
        {
            deadlineNs = awaitRoom(deadlineNs);
            checkNotFrozen();
        }
        if (lastSequence >= 0)
        {
            nextSequence = lastSequence + 1;
        }
        buffer.copyRaw(position, source, offset, length);
        return position + length;
    }

    /**
     * @return the last record's sequence in the frames, or -1 if they are all padding.
     */
    private long checkFrames(final long position, final DirectBuffer source, final int offset,
        final int length)
    {
        if (length <= 0 || (length & (JournalRecord.ALIGNMENT - 1)) != 0)
        {
            throw new IllegalArgumentException("journal frames at position " + position + " have a length of " +
                length + " bytes, not a positive multiple of " + JournalRecord.ALIGNMENT);
        }
        final JournalRecord record = framesChecked;
        long lastSequence = -1;
        int at = 0;
        while (at < length)
        {
            final int frameLength = source.getInt(offset + at);
            if (frameLength < 0)
            {
                at += -frameLength;
                continue;
            }
            record.wrap(source, offset + at);
            final String problem = record.validate(length - at);
            if (null != problem)
            {
                throw new IllegalArgumentException("journal frame at position " + (position + at) + " is not valid: " +
                    problem);
            }
            lastSequence = record.sequence();
            at += JournalRecord.alignedLength(frameLength);
        }
        if (at != length)
        {
            throw new IllegalArgumentException("journal frames at position " + position + " end " + (at - length) +
                " bytes past the " + length + " bytes given");
        }
        return lastSequence;
    }

    /**
     * @return the position after every record appended so far (under the store's update gate held
     * exclusively, every one of them is also applied: the write daemon's checkpoint).
     */
    public long appendedPosition()
    {
        return buffer.tail();
    }

    /**
     * @return the position up to which the journal is durable.
     */
    public long durablePosition()
    {
        return durablePosition;
    }

    /**
     * @return the position up to which commits are acknowledged: durable here and, in a mirror, let
     * through by the commit gate (the active backup's acknowledgement, SPEC M-6).
     */
    public long committedPosition()
    {
        return Math.min(durablePosition, gatePosition);
    }

    /**
     * @return the position up to which the journal is written to its file (maybe not yet synced).
     */
    public long writtenPosition()
    {
        return writtenPosition;
    }

    /**
     * Install the one tap that sees every write (mirroring: the primary ships what it writes, a
     * backup acknowledges what it wrote); null removes it. Called on the writing thread, see
     * {@link JournalTap}.
     */
    public void tap(final JournalTap tap)
    {
        this.tap = tap;
    }

    /**
     * Move the commit gate (SPEC M-6): commits are acknowledged only up to {@code position} (and
     * only where durable). {@link Long#MAX_VALUE} opens it. Waiting committers and listeners the
     * move lets through are woken.
     *
     * @param timeoutMs how long a commit that is durable here may wait at the gate before it fails
     *                  (the mirror's trouble timeout and some margin: the gate must have moved by then).
     */
    public void gate(final long position, final long timeoutMs)
    {
        gateTimeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        gatePosition = position;
        releaseCommitted();
    }

    /**
     * As {@link #gate(long, long)} keeping the timeout: called for each acknowledgement.
     */
    public void gate(final long position)
    {
        gatePosition = position;
        releaseCommitted();
    }

    /**
     * @return the commit gate's position ({@link Long#MAX_VALUE}: open).
     */
    public long gatePosition()
    {
        return gatePosition;
    }

    /**
     * Fail every commit the gate holds now or later with {@code reason} (this member stopped being
     * primary: what it holds may or may not survive, but it must not be acknowledged); null clears.
     */
    public void refuseGatedCommits(final String reason)
    {
        gateRefusal = reason;
        releaseCommitted();
    }

    private void releaseCommitted()
    {
        unparkCommitted(committedPosition());
        if (!pendingEmpty())
        {
            completeListenersNow();
        }
    }

    private boolean pendingEmpty()
    {
        // Racy on purpose: pendingListeners is writer state; a stale answer only costs a wake-up.
        return newListeners.isEmpty() && overflowListeners.isEmpty() && pendingCount == 0;
    }

    /**
     * Wait until everything before {@code position} is durable (a commit).
     *
     * @throws JournalFrozenException if it does not become durable within the freeze timeout.
     */
    public void awaitDurable(final long position)
    {
        if (committedPosition() >= position)
        {
            return;
        }
        // Not writeNow: a committer here may be interrupted (a client that disconnects, an executor
        // shut down), and an interrupt during a FileChannel write closes the journal's channel.
        requestFlush();
        for (int i = 0; i < SPINS_BEFORE_PARK; i++)
        {
            if (committedPosition() >= position)
            {
                return;
            }
            Thread.onSpinWait();
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.freezeTimeoutMs());
        final Thread self = Thread.currentThread();
        waiters.incrementAndGet(); // before the checks below: the writer looks at the slots if this is > 0
        final int slot = claimWaiterSlot(self, position);
        try
        {
            while (committedPosition() < position)
            {
                if (durablePosition >= position)
                {
                    awaitGate(position, deadlineNs);
                    return;
                }
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    final String reason = frozen;
                    throw new JournalFrozenException(null != reason ? "waited " + config.freezeTimeoutMs() +
                        " ms for position " + position + " to become durable, but the journal is frozen (durable up " +
                        "to " + durablePosition + "; what lies past it may or may not survive a restart): " + reason :
                        "position " + position + " did not become durable within " + config.freezeTimeoutMs() +
                        " ms (durable up to " + durablePosition + ")");
                }
                // The writer unparks this thread once the position is durable; without a slot, poll.
                LockSupport.parkNanos(this, Math.min(remainingNs, slot >= 0 ? 1_000_000 : 50_000));
                if (self.isInterrupted())
                {
                    throw new JournalFrozenException("interrupted while waiting for the journal");
                }
            }
        }
        finally
        {
            if (slot >= 0)
            {
                waiterPositions.set(slot, Long.MAX_VALUE);
                waiterThreads.set(slot, null);
            }
            waiters.decrementAndGet();
        }
    }

    /**
     * The rest of {@link #awaitDurable(long)} once the position is durable here: wait for the commit
     * gate, bounded by the gate's own timeout (the trouble state may hold it for twice the QoS timeout).
     */
    private void awaitGate(final long position, final long freezeDeadlineNs)
    {
        final long deadlineNs = Math.max(freezeDeadlineNs, System.nanoTime() + gateTimeoutNs);
        while (gatePosition < position)
        {
            final String refusal = gateRefusal;
            if (null != refusal)
            {
                throw new JournalFrozenException("position " + position + " is durable here but was not " +
                    "acknowledged by the mirror: " + refusal);
            }
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                throw new JournalFrozenException("position " + position + " is durable here but the mirror did " +
                    "not let it through within " + TimeUnit.NANOSECONDS.toMillis(gateTimeoutNs) + " ms (acknowledged " +
                    "up to " + gatePosition + ")");
            }
            LockSupport.parkNanos(this, Math.min(remainingNs, 1_000_000));
            if (Thread.currentThread().isInterrupted())
            {
                throw new JournalFrozenException("interrupted while waiting for the mirror");
            }
        }
    }

    /**
     * @return the slot this thread now waits in for {@code position}, or -1 if all are taken.
     */
    private int claimWaiterSlot(final Thread self, final long position)
    {
        final int first = (int)self.getId() & (WAITER_SLOTS - 1);
        for (int i = 0; i < WAITER_SLOTS; i++)
        {
            final int slot = (first + i) & (WAITER_SLOTS - 1);
            if (null == waiterThreads.get(slot) && waiterThreads.compareAndSet(slot, null, self))
            {
                // Set after the claim: until then the slot's position is MAX_VALUE and the writer
                // skips it; the caller checks durablePosition again after this before parking.
                waiterPositions.set(slot, position);
                return slot;
            }
        }
        return -1;
    }

    /**
     * Tell {@code listener} on the writing thread once {@link DurableListener#awaitedPosition()} is
     * durable, or that it failed to become durable within the freeze timeout (as
     * {@link #awaitDurable(long)} would have thrown). The caller never blocks.
     *
     * @return false if the position is durable already: nothing is registered and no callback comes.
     */
    public boolean notifyWhenDurable(final DurableListener listener)
    {
        return notifyWhenDurable(listener, true);
    }

    /**
     * As {@link #notifyWhenDurable(DurableListener)}; with {@code wakeWriter} false the writer thread is
     * not woken: the caller promises to call {@link #writeNow(long)} soon (which wakes it if it cannot
     * write itself), e.g. once per event-loop turn after every connection's commands of that turn.
     */
    public boolean notifyWhenDurable(final DurableListener listener, final boolean wakeWriter)
    {
        final long position = listener.awaitedPosition();
        if (committedPosition() >= position)
        {
            return false;
        }
        if (!newListeners.offer(listener))
        {
            synchronized (overflowListeners)
            {
                overflowListeners.add(listener);
            }
        }
        if (!running && !writer.isAlive())
        {
            // The writer's last look is past (close drains once more after it ended, see close()).
            failListeners("the journal is closed");
        }
        if (wakeWriter)
        {
            requestFlush();
        }
        return true;
    }

    /**
     * Make everything before {@code position} durable on the calling thread if no one else is writing
     * now (a committer becomes the writer: at low load this saves waking the writer thread and being
     * woken by it, two cross-core wake-ups of 15-30 us each on a VM); otherwise, or if it cannot cover
     * the position, wake the writer thread and return. Listeners whose positions the write covers are
     * told on this thread before it returns.
     * <p>
     * Only for threads nobody interrupts (event loops): an interrupt during a {@code FileChannel} write
     * closes the channel, which would freeze the journal. The caller blocks for the write and sync.
     *
     * @return true if the position is durable on return.
     */
    public boolean writeNow(final long position)
    {
        if (committedPosition() >= position)
        {
            // A listener registered just as someone else's write made its position durable may have
            // missed that writer's look at the queue: tell it now rather than at the writer's next wake-up.
            if (!newListeners.isEmpty() || !overflowListeners.isEmpty())
            {
                completeListenersNow();
            }
            return true;
        }
        if (config.committerSyncs() && running && !Thread.currentThread().isInterrupted() && writeLock.tryLock())
        {
            try
            {
                if (!writerStopped)
                {
                    while (durablePosition < position && null == frozen && writeOnce())
                    {
                        // more than one batch, or a file switch first
                    }
                    completeListeners();
                }
            }
            finally
            {
                writeLock.unlock();
            }
        }
        if (committedPosition() >= position)
        {
            return true;
        }
        if (durablePosition < position)
        {
            requestFlush();
        }
        return false;
    }

    /**
     * Tell the listeners that are due on this thread if no one is writing, else wake the writer thread.
     */
    private void completeListenersNow()
    {
        if (writeLock.tryLock())
        {
            try
            {
                if (!writerStopped)
                {
                    completeListeners();
                    return;
                }
            }
            finally
            {
                writeLock.unlock();
            }
        }
        requestFlush();
    }

    /**
     * Take newly registered listeners and tell those whose position is durable, or whose deadline
     * passed. Runs under writeLock after each write and each idle wake-up of the writer thread.
     */
    private void completeListeners()
    {
        final long nowNs = System.nanoTime();
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(config.freezeTimeoutMs());
        for (DurableListener listener; null != (listener = newListeners.poll()); )
        {
            addPending(listener, nowNs + timeoutNs);
        }
        if (!overflowListeners.isEmpty())
        {
            synchronized (overflowListeners)
            {
                for (DurableListener listener; null != (listener = overflowListeners.poll()); )
                {
                    addPending(listener, nowNs + timeoutNs);
                }
            }
        }
        final long durable = durablePosition;
        final long committed = Math.min(durable, gatePosition);
        final String refusal = gateRefusal;
        int i = 0;
        while (i < pendingListeners.size())
        {
            final DurableListener listener = pendingListeners.get(i);
            final long position = pendingPositions[i];
            if (position <= committed)
            {
                removePending(i);
                tell(listener, committed, null);
            }
            else if (position <= durable && null != refusal)
            {
                removePending(i);
                tell(listener, committed, new JournalFrozenException("position " + position + " is durable here but " +
                    "was not acknowledged by the mirror: " + refusal));
            }
            else if (nowNs - pendingDeadlinesNs[i] > 0 && (position > durable || nowNs - pendingDeadlinesNs[i] -
                gateTimeoutNs > 0))
            {
                removePending(i);
                final String reason = frozen;
                tell(listener, committed, new JournalFrozenException(null != reason ? "the journal is frozen " +
                    "(durable up to " + durable + "): " + reason : position <= durable ? "position " + position +
                    " is durable here but the mirror did not let it through in time (acknowledged up to " +
                    gatePosition + ")" : "position " + position + " did not become durable within " +
                    config.freezeTimeoutMs() + " ms (durable up to " + durable + ")"));
            }
            else
            {
                i++;
            }
        }
        pendingCount = pendingListeners.size();
    }

    /**
     * Call a listener; one that throws is logged, never allowed to stop the writer.
     */
    private void tell(final DurableListener listener, final long durable, final JournalFrozenException failure)
    {
        try
        {
            if (null == failure)
            {
                listener.durable(durable);
            }
            else
            {
                listener.failed(failure);
            }
        }
        catch (final RuntimeException ex)
        {
            log.warning(SUBSYSTEM, "a durability listener failed: " + ex);
        }
    }

    private void addPending(final DurableListener listener, final long deadlineNs)
    {
        final int index = pendingListeners.size();
        if (index == pendingPositions.length)
        {
            pendingPositions = Arrays.copyOf(pendingPositions, index * 2);
            pendingDeadlinesNs = Arrays.copyOf(pendingDeadlinesNs, index * 2);
        }
        pendingListeners.add(listener);
        pendingPositions[index] = listener.awaitedPosition();
        pendingDeadlinesNs[index] = deadlineNs;
    }

    /**
     * Swap-remove: the order of pending listeners does not matter.
     */
    private void removePending(final int index)
    {
        final int last = pendingListeners.size() - 1;
        pendingListeners.set(index, pendingListeners.get(last));
        pendingPositions[index] = pendingPositions[last];
        pendingDeadlinesNs[index] = pendingDeadlinesNs[last];
        pendingListeners.remove(last);
    }

    /**
     * Fail every listener not yet told (the writer stopped): none is left waiting forever. The
     * queue has one consumer at a time: the writer, or (synchronized) whoever runs this after it ended.
     */
    private synchronized void failListeners(final String reason)
    {
        final List<DurableListener> failed = new ArrayList<>();
        if (Thread.currentThread() == writer || !writer.isAlive())
        {
            failed.addAll(pendingListeners);
            pendingListeners.clear();
        }
        for (DurableListener listener; null != (listener = newListeners.poll()); )
        {
            failed.add(listener);
        }
        synchronized (overflowListeners)
        {
            failed.addAll(overflowListeners);
            overflowListeners.clear();
        }
        pendingCount = 0;
        for (final DurableListener listener : failed)
        {
            final long committed = committedPosition();
            if (committed >= listener.awaitedPosition())
            {
                tell(listener, committed, null);
            }
            else
            {
                tell(listener, committed, new JournalFrozenException(reason + " (committed up to " + committed + ")"));
            }
        }
    }

    /**
     * Have the writer write and sync now rather than at its next interval.
     */
    public void requestFlush()
    {
        LockSupport.unpark(writer);
    }

    /**
     * Start a new journal file after what is appended now (SPEC J-2, on demand).
     */
    public void switchFile()
    {
        switchRequested = true;
        requestFlush();
    }

    /**
     * @return why the journal is frozen, or null.
     */
    public String frozenReason()
    {
        return frozen;
    }

    private void checkNotFrozen()
    {
        final String reason = frozen;
        if (null != reason)
        {
            throw new JournalFrozenException("the journal is frozen: " + reason);
        }
    }

    // ------------------------------------------------------------------ the writer

    private void runWriter()
    {
        final long idleNs = TimeUnit.MILLISECONDS.toNanos(config.asyncFlushIntervalMs());
        while (true)
        {
            final boolean worked;
            writeLock.lock();
            try
            {
                worked = null == frozen && writeOnce();
                completeListeners();
                if (!worked && !running && (buffer.head() == buffer.tail() || null != frozen))
                {
                    writerStopped = true;
                    failListeners("the journal is closed");
                    return;
                }
            }
            finally
            {
                writeLock.unlock();
            }
            if (!worked)
            {
                LockSupport.parkNanos(this, idleNs);
            }
        }
    }

    /**
     * Write the published records that fit the current file, sync, publish the durable position.
     *
     * @return true if anything was done.
     */
    private boolean writeOnce()
    {
        try
        {
            final long head = buffer.head();
            final long tail = buffer.tail(); // claimed so far: published frames lie in [head, tail)
            long end = head;
            boolean fileFull = false;
            while (end < tail)
            {
                final int frameLength = buffer.frameLengthVolatile(end);
                if (0 == frameLength)
                {
                    break;
                }
                final int aligned = frameLength < 0 ? -frameLength : JournalRecord.alignedLength(frameLength);
                if (end > head && end + aligned - head > MAX_BATCH_BYTES)
                {
                    break;
                }
                if (JournalFiles.HEADER_LENGTH + end + aligned - currentEntry.startPosition() > config.fileSizeBytes())
                {
                    fileFull = true;
                    break;
                }
                end += aligned;
            }
            if (end > head)
            {
                write(head, end);
                buffer.release(end);
                publishDurable(end);
                return true;
            }
            if (fileFull || (switchRequested && head == buffer.tail()))
            {
                switchRequested = false;
                openNewFile(head);
                return true;
            }
            return false;
        }
        catch (final IOException | RuntimeException ex)
        {
            freeze(ex);
            return false;
        }
    }

    private void write(final long from, final long to) throws IOException
    {
        final int first = buffer.index(from);
        final long bytes = to - from;
        final int firstLength = (int)Math.min(bytes, buffer.capacity() - first);
        segments[0].clear().position(first).limit(first + firstLength);
        int count = 1;
        if (firstLength < bytes)
        {
            segments[1].clear().position(0).limit((int)(bytes - firstLength));
            count = 2;
        }
        final long fileOffset = JournalFiles.HEADER_LENGTH + from - currentEntry.startPosition();
        final long startNs = System.nanoTime();
        final boolean dsync = config.syncMethod() == JournalConfig.SyncMethod.DSYNC;
        try
        {
            current.write(segments, 0, count, fileOffset);
        }
        catch (final IOException ex)
        {
            throw failed((dsync ? "O_DSYNC write of " : "write of ") + bytes + " bytes at offset " + fileOffset +
                " of " + files.path(currentEntry), ex);
        }
        writtenPosition = to;
        final JournalTap tapNow = tap;
        if (null != tapNow)
        {
            // Before the sync: a mirror primary ships these bytes while its own sync runs (M-6).
            final UnsafeBuffer bytesNow = buffer.buffer();
            tapNow.written(bytesNow, first, firstLength, from);
            if (count > 1)
            {
                tapNow.written(bytesNow, 0, (int)(bytes - firstLength), from + firstLength);
            }
        }
        if (!dsync)
        {
            try
            {
                current.sync(SyncLevel.DATA);
            }
            catch (final IOException ex)
            {
                throw failed("fdatasync of " + files.path(currentEntry), ex);
            }
        }
        final long elapsedUs = (System.nanoTime() - startNs) / 1_000;
        final long clampedUs = Math.min(elapsedUs, SYNC_LATENCY_MAX_US);
        syncLatencyUs.recordValue(clampedUs);
        syncLatencyRecorderUs.recordValue(clampedUs);
        syncs = syncs + 1;
        bytesWritten = bytesWritten + bytes;
    }

    private void publishDurable(final long position)
    {
        durablePosition = position;
        final JournalTap tapNow = tap;
        if (null != tapNow)
        {
            tapNow.synced(position);
        }
        // A waiter whose position is durable but held by the gate wakes too: it waits for the gate
        // from then on (awaitGate), bounded by the gate's timeout instead of the freeze timeout.
        unparkCommitted(position);
    }

    private void unparkCommitted(final long position)
    {
        if (waiters.get() > 0)
        {
            for (int slot = 0; slot < WAITER_SLOTS; slot++)
            {
                final Thread waiter = waiterThreads.get(slot);
                if (null != waiter && waiterPositions.get(slot) <= position)
                {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }

    private void freeze(final Throwable cause)
    {
        // Our own errors say what failed where; others keep their type (NoSuchFileException: path).
        final String reason = cause.getClass() == IOException.class && null != cause.getMessage() ?
            cause.getMessage() : cause.toString();
        final String action = isNoSpace(cause) ? "free space in " + config.directory() + " (a new journal file needs " +
            config.fileSizeBytes() + " bytes), then restart the member" :
            "check the device and the kernel log, then restart the member";
        frozen = reason;
        log.fatal(SUBSYSTEM, "journal FROZEN at position " + durablePosition + ": " + reason +
            "; no further update is journaled or acknowledged until the member restarts: " + action);
        publishDurable(durablePosition);
    }

    /**
     * @return the error with what the journal was doing, for messages.log and {@code <JOURNAL FROZEN>}.
     */
    private static IOException failed(final String what, final IOException cause)
    {
        return new IOException(what + " failed: " + cause.getMessage(), cause);
    }

    private static boolean isNoSpace(final Throwable cause)
    {
        for (Throwable t = cause; null != t; t = t.getCause())
        {
            if (null != t.getMessage() && t.getMessage().contains("No space left on device"))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return write-and-sync latencies in microseconds (read when no one writes: idle or stopped).
     */
    public Histogram syncLatencyUs()
    {
        return syncLatencyUs;
    }

    /**
     * @return write-and-sync latencies in microseconds for one reader on any thread: it takes
     * interval histograms ({@link Recorder#getIntervalHistogramInto}) while the writer goes on.
     */
    public Recorder syncLatencyRecorderUs()
    {
        return syncLatencyRecorderUs;
    }

    public long syncs()
    {
        return syncs;
    }

    /**
     * @return records appended since the journal was opened (readable from any thread).
     */
    public long recordsAppended()
    {
        // The volatile read of the claim lock sees every sequence number handed out before its last release.
        claimLock.get();
        return nextSequence - firstSequence;
    }

    public long bytesWritten()
    {
        return bytesWritten;
    }

    /**
     * Stop as a killed process would: what is not written yet is lost, nothing more is synced.
     * For tests that simulate a crash inside one JVM.
     */
    public void abandon() throws IOException
    {
        frozen = "abandoned";
        running = false;
        requestFlush();
        try
        {
            writer.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive())
        {
            failListeners("the journal was abandoned");
        }
        if (null != current)
        {
            current.close();
            current = null;
        }
    }

    /**
     * Write and sync everything appended, stop the writer, close the file.
     */
    @Override
    public void close() throws IOException
    {
        running = false;
        requestFlush();
        try
        {
            writer.join(config.freezeTimeoutMs() + 10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive())
        {
            failListeners("the journal is closed");
        }
        if (null != current)
        {
            if (null == frozen)
            {
                current.sync(SyncLevel.DATA);
            }
            current.close();
            current = null;
        }
        log.info(SUBSYSTEM, "journal closed at position " + durablePosition + (null != frozen ? " (frozen)" : ""));
    }
}
