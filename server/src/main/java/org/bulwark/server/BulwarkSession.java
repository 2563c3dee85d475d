package org.bulwark.server;

import org.agrona.DirectBuffer;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalFrozenException;
import org.bulwark.journal.JournalRecord;
import org.bulwark.journal.TransactionUndo;
import org.bulwark.server.metrics.MemberMetrics;
import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.ScanVisitor;
import org.bulwark.store.StoreSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded API of a member (SPEC V-4): the globals operations of {@link StoreSession} with
 * journaling, commits, transactions (T-1) and locks (T-2). One per thread of a client; close it
 * to roll back what is open and release its locks (a disconnect).
 *
 * <p>Outside a transaction every update is its own commit: it returns once its journal records
 * are durable (synchronous commit mode, the default) or at once (asynchronous, durable within the
 * journal's flush interval). Inside one, {@link #tcommit()} at the outermost level is the commit.
 */
public final class BulwarkSession implements AutoCloseable
{
    private final Instance instance;
    private final StoreSession store;
    private final Journal journal;
    private final JournalBridge bridge;
    private final LockTable locks;
    private final MemberMetrics metrics;
    private final TransactionState state = new TransactionState();
    private final GlobalKey lockKey = new GlobalKey();
    private final GlobalKey undoKey = new GlobalKey();
    private final List<Object[]> deferredUnlocks = new ArrayList<>();
    private boolean asyncByDefault;
    private boolean deferDurableWaits;
    private long ackPosition;
    private boolean closed;

    BulwarkSession(final Instance instance, final StoreSession store, final boolean asyncByDefault)
    {
        this.instance = instance;
        this.store = store;
        this.journal = instance.journal();
        this.bridge = instance.journalBridge();
        this.locks = instance.locks();
        this.metrics = instance.metrics();
        this.asyncByDefault = asyncByDefault;
        store.attach(state);
    }

    // =================================================================== globals

    public void set(final Object value, final String global, final Object... subscripts)
    {
        checkOpen();
        final long startNs = System.nanoTime();
        store.set(value, global, subscripts);
        committed(startNs);
    }

    public byte[] get(final String global, final Object... subscripts)
    {
        checkOpen();
        return store.get(global, subscripts);
    }

    public String getString(final String global, final Object... subscripts)
    {
        checkOpen();
        return store.getString(global, subscripts);
    }

    public String getStringOrDefault(final String defaultValue, final String global, final Object... subscripts)
    {
        checkOpen();
        return store.getStringOrDefault(defaultValue, global, subscripts);
    }

    public byte[] getOrDefault(final byte[] defaultValue, final String global, final Object... subscripts)
    {
        checkOpen();
        return store.getOrDefault(defaultValue, global, subscripts);
    }

    public void kill(final String global, final Object... subscripts)
    {
        checkOpen();
        final long startNs = System.nanoTime();
        store.kill(global, subscripts);
        committed(startNs);
    }

    public void zkill(final String global, final Object... subscripts)
    {
        checkOpen();
        final long startNs = System.nanoTime();
        store.zkill(global, subscripts);
        committed(startNs);
    }

    public int data(final String global, final Object... subscripts)
    {
        checkOpen();
        return store.data(global, subscripts);
    }

    public String order(final int direction, final String global, final Object... subscripts)
    {
        checkOpen();
        return store.order(direction, global, subscripts);
    }

    public String query(final int direction, final String global, final Object... subscripts)
    {
        checkOpen();
        return store.query(direction, global, subscripts);
    }

    public String increment(final String global, final Object... subscripts)
    {
        checkOpen();
        final long startNs = System.nanoTime();
        final String result = store.increment(global, subscripts);
        committed(startNs);
        return result;
    }

    public String incrementBy(final Object by, final String global, final Object... subscripts)
    {
        checkOpen();
        final long startNs = System.nanoTime();
        final String result = store.incrementBy(by, global, subscripts);
        committed(startNs);
        return result;
    }

    public void scan(final String global, final Object[] subscripts, final ScanVisitor visitor)
    {
        checkOpen();
        store.scan(global, subscripts, visitor);
    }

    // =================================================================== globals, allocation-free

    /**
     * Read a node into {@link #value()} / {@link #valueLength()} (valid until the next call).
     *
     * @return false if the node has no value.
     */
    public boolean get(final GlobalKey key)
    {
        checkOpen();
        return store.get(key);
    }

    public DirectBuffer value()
    {
        return store.value();
    }

    public int valueLength()
    {
        return store.valueLength();
    }

    public void set(final GlobalKey key, final DirectBuffer value, final int offset, final int length)
    {
        checkOpen();
        final long startNs = System.nanoTime();
        store.set(key, value, offset, length);
        committed(startNs);
    }

    public void kill(final GlobalKey key)
    {
        checkOpen();
        final long startNs = System.nanoTime();
        store.kill(key);
        committed(startNs);
    }

    public void zkill(final GlobalKey key)
    {
        checkOpen();
        final long startNs = System.nanoTime();
        store.zkill(key);
        committed(startNs);
    }

    public int data(final GlobalKey key)
    {
        checkOpen();
        return store.data(key);
    }

    /**
     * Atomic increment; the new value is left in {@link #value()}.
     */
    public void increment(final GlobalKey key, final java.math.BigDecimal by)
    {
        checkOpen();
        final long startNs = System.nanoTime();
        store.increment(key, by);
        committed(startNs);
    }

    public List<String> globalNames()
    {
        checkOpen();
        return store.globalNames();
    }

    /**
     * @return the raw store session (no journaling waits: for tools).
     */
    public StoreSession storeSession()
    {
        return store;
    }

    /**
     * Outside a transaction an update is a commit: wait for its records per the commit mode.
     *
     * @param startNs when the update began: a synchronous commit's latency runs from there.
     */
    private void committed(final long startNs)
    {
        if (state.inTransaction())
        {
            return;
        }
        if (null == journal || asyncByDefault)
        {
            metrics.committedWithoutWait();
            return;
        }
        if (deferDurableWaits)
        {
            // Counted; its latency is the network layer's to measure, once it is durable.
            metrics.committedWithoutWait();
            ackPosition = Math.max(ackPosition, state.lastEnd);
            return;
        }
        awaitDurable(state.lastEnd);
        metrics.committed(System.nanoTime() - startNs);
    }

    /**
     * For callers that must not block (network event loops): with {@code defer} true, updates
     * outside a transaction and the outermost synchronous {@code TCOMMIT} return without waiting
     * for their journal records; the caller must not acknowledge them before {@link #ackPosition()}
     * is durable (see {@link Journal#notifyWhenDurable}). Rollbacks still wait (they read the
     * journal back): run them where blocking is allowed.
     */
    public void deferDurableWaits(final boolean defer)
    {
        this.deferDurableWaits = defer;
    }

    /**
     * @return the journal position that must be durable before this session's commits so far may
     * be acknowledged (0 if none); it only grows. Meaningful with {@link #deferDurableWaits(boolean)}.
     */
    public long ackPosition()
    {
        return ackPosition;
    }

    private void awaitDurable(final long position)
    {
        try
        {
            journal.awaitDurable(position);
        }
        catch (final JournalFrozenException ex)
        {
            throw JournalBridge.frozen(ex);
        }
    }

    /**
     * @param async true: updates outside transactions return before their records are durable.
     */
    public void asyncCommit(final boolean async)
    {
        this.asyncByDefault = async;
    }

    // =================================================================== transactions

    /**
     * {@code TSTART}: open a transaction, or a nested level of the open one.
     *
     * @return the new level ({@code $TLEVEL}).
     */
    public int tstart()
    {
        return tstart(asyncByDefault);
    }

    /**
     * @param asyncCommit true: the outermost {@code TCOMMIT} returns before the commit is durable (J-4).
     */
    public int tstart(final boolean asyncCommit)
    {
        checkOpen();
        requireJournal("TSTART");
        if (state.level >= TransactionState.MAX_LEVELS)
        {
            throw new BulwarkException(ErrorCode.FRAMESTACK, "more than " + TransactionState.MAX_LEVELS +
                " transaction levels");
        }
        if (0 == state.level)
        {
            state.transaction = instance.nextTransactionId();
            state.asyncCommit = asyncCommit;
            final long position = appendMarker(JournalRecord.TYPE_TSTART, JournalRecord.NONE);
            state.lastPosition = position;
            state.levelStart[1] = position;
            bridge.opened(state.transaction, position);
        }
        else
        {
            state.levelStart[state.level + 1] = journal.appendedPosition();
        }
        return ++state.level;
    }

    /**
     * @return {@code $TLEVEL}: 0 outside a transaction.
     */
    public int tlevel()
    {
        return state.level;
    }

    /**
     * {@code TCOMMIT}: at the outermost level, commit (durable before return unless asynchronous);
     * at an inner level, just leave it.
     */
    public void tcommit()
    {
        checkOpen();
        if (0 == state.level)
        {
            throw new BulwarkException(ErrorCode.ROLLBACK, "TCOMMIT without a transaction");
        }
        if (state.level > 1)
        {
            state.level--;
            return;
        }
        final long startNs = System.nanoTime();
        final long position = appendMarker(JournalRecord.TYPE_TCOMMIT, state.lastPosition);
        final long end = state.lastEnd;
        final boolean async = state.asyncCommit;
        bridge.closed(state.transaction);
        state.reset();
        releaseDeferredUnlocks();
        if (async)
        {
            metrics.committedWithoutWait();
        }
        else
        {
            if (deferDurableWaits)
            {
                metrics.committedWithoutWait();
                ackPosition = Math.max(ackPosition, end);
            }
            else
            {
                awaitDurable(end);
                metrics.committed(System.nanoTime() - startNs);
            }
        }
        assert position >= 0;
    }

    /**
     * {@code TROLLBACK}: undo the whole transaction from its journaled old values.
     */
    public void trollback()
    {
        checkOpen();
        if (0 == state.level)
        {
            return;
        }
        rollbackTo(1);
    }

    /**
     * {@code TROLLBACK n}: undo the innermost {@code levels} levels only.
     */
    public void trollback(final int levels)
    {
        checkOpen();
        if (levels <= 0 || 0 == state.level)
        {
            return;
        }
        rollbackTo(Math.max(1, state.level - levels + 1));
    }

    private void rollbackTo(final int level)
    {
        final long last = state.lastPosition;
        try
        {
            // The records must be in the file to be read back.
            awaitDurable(state.lastEnd);
            TransactionUndo.undo(journal.files(), instance.fileLayer(), last, state.levelStart[level], this::restore);
        }
        catch (final IOException ex)
        {
            throw new BulwarkException(ErrorCode.ROLLBACK, "rollback of transaction " + state.transaction +
                " could not read its journal: " + ex.getMessage(), ex);
        }
        if (1 == level)
        {
            appendMarker(JournalRecord.TYPE_TROLLBACK, state.lastPosition);
            final long end = state.lastEnd;
            bridge.closed(state.transaction);
            state.reset();
            releaseDeferredUnlocks();
            awaitDurable(end);
            metrics.rolledBack();
        }
        else
        {
            state.level = level - 1;
        }
    }

    /**
     * Put a node back as it was before a transaction's record (journaled, inside the transaction).
     */
    private void restore(
        final int database, final String global, final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer oldValue, final int oldValueOffset, final int oldValueLength)
    {
        undoKey.fromEncoded(global, key, keyOffset, keyLength);
        if (oldValueLength >= 0)
        {
            store.set(undoKey, oldValue, oldValueOffset, oldValueLength);
        }
        else
        {
            store.zkill(undoKey);
        }
    }

    /**
     * Roll back a transaction left open by a crash (recovery): this session adopts it.
     */
    void adoptAndRollBack(final long transaction, final long lastPosition)
    {
        state.transaction = transaction;
        state.level = 1;
        state.lastPosition = lastPosition;
        state.levelStart[1] = 0;
        state.lastEnd = journal.appendedPosition();
        bridge.opened(transaction, lastPosition);
        rollbackTo(1);
    }

    private long appendMarker(final byte type, final long previous)
    {
        final int nameLength = 0;
        try
        {
            final long position = journal.append(type, 0, state.transaction, previous, null, 0, nameLength,
                null, 0, 0, null, 0, -1, null, 0, -1);
            state.lastEnd = position + JournalRecord.alignedLength(JournalRecord.frameLength(0, 0, -1, -1));
            return position;
        }
        catch (final JournalFrozenException ex)
        {
            throw JournalBridge.frozen(ex);
        }
    }

    private void requireJournal(final String what)
    {
        if (null == journal)
        {
            throw new BulwarkException(ErrorCode.ROLLBACK, what + " needs the journal, which is disabled");
        }
    }

    // =================================================================== locks

    /**
     * {@code LOCK +ref:timeout}: take a lock (incrementally), waiting at most {@code timeoutMs}.
     *
     * @return false if it could not be had in time ({@code $TEST} = 0).
     */
    public boolean tryLock(final long timeoutMs, final boolean exclusive, final String global,
        final Object... subscripts)
    {
        checkOpen();
        final byte[] key = encode(global, subscripts);
        try
        {
            return locks.lock(this, lockKey.global(), key, exclusive, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * As {@link #tryLock}, but a timeout is a {@code <LOCK TIMEOUT>} error.
     */
    public void lock(final long timeoutMs, final boolean exclusive, final String global, final Object... subscripts)
    {
        if (!tryLock(timeoutMs, exclusive, global, subscripts))
        {
            throw new BulwarkException(ErrorCode.LOCK_TIMEOUT, lockKey + " not locked within " + timeoutMs + " ms");
        }
    }

    /**
     * {@code LOCK -ref}: release one level. Inside a transaction the release waits for its end.
     */
    public void unlock(final boolean exclusive, final String global, final Object... subscripts)
    {
        checkOpen();
        final byte[] key = encode(global, subscripts);
        if (state.inTransaction())
        {
            deferredUnlocks.add(new Object[] {lockKey.global(), key, exclusive});
            return;
        }
        locks.unlock(this, lockKey.global(), key, exclusive);
    }

    /**
     * Release every lock of this session.
     */
    public void unlockAll()
    {
        deferredUnlocks.clear();
        locks.releaseAll(this);
    }

    private void releaseDeferredUnlocks()
    {
        for (final Object[] unlock : deferredUnlocks)
        {
            locks.unlock(this, (String)unlock[0], (byte[])unlock[1], (Boolean)unlock[2]);
        }
        deferredUnlocks.clear();
    }

    private byte[] encode(final String global, final Object[] subscripts)
    {
        lockKey.global(global);
        for (final Object s : subscripts)
        {
            lockKey.add(s);
        }
        final byte[] key = new byte[lockKey.length()];
        lockKey.buffer().getBytes(0, key);
        return key;
    }

    // =================================================================== lifecycle

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("session is closed");
        }
    }

    /**
     * A disconnect: roll back an open transaction, release every lock.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            if (state.inTransaction())
            {
                rollbackTo(1);
            }
        }
        finally
        {
            closed = true;
            unlockAll();
            instance.sessionClosed(this);
        }
    }
}
