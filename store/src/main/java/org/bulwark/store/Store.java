package org.bulwark.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.block.BlockFile;
import org.bulwark.store.block.BlockLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;

/**
 * The globals store of one instance (SPEC G, S): its mounted databases, the buffer pool of
 * changed blocks, and per-thread {@link StoreSession}s for the operations.
 *
 * <p>The store never writes a block file itself. The write daemon (module {@code wij}) takes the
 * changed blocks with {@link #seal(long)}, makes them durable, and gives them back with
 * {@link #complete(SealedCycle)}. Update steps hold the <em>update gate</em> shared; sealing holds
 * it exclusively for a moment, so every cycle is a consistent picture of every tree.
 */
public final class Store implements AutoCloseable
{
    /** A file in a database directory that keeps the database from being mounted (SPEC W-6). */
    public static final String DISMOUNTED_MARKER = "DISMOUNTED";

    private final StoreConfig config;
    private final List<Database> databases;
    private final Map<String, Database> databasesByName = new HashMap<>();
    private final Map<String, Path> dismounted = new HashMap<>();
    private final List<MountedDatabase> mounted;
    private final BufferPool pool;
    private final StampedLock gate = new StampedLock();
    private volatile BlockWriteListener blockWriteListener;
    private final AtomicLong updateSequence = new AtomicLong();
    private final ConcurrentHashMap<String, Database> globalToDatabase = new ConcurrentHashMap<>();
    private final ThreadLocal<SessionHolder> sessions = ThreadLocal.withInitial(SessionHolder::new);
    private final java.util.Queue<SessionHolder> sessionHolders = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final SealedCycle cycle;
    private final long latchTimeoutNs;
    private final long frameWaitTimeoutNs;
    private final int[] sealCount = new int[1];
    private long cycleNumber;
    private volatile String failure;
    private volatile UpdateListener listener;
    private volatile boolean readOnly;
    private volatile String readOnlyReason = "this member is read-only";
    private volatile boolean closed;

    private Store(final StoreConfig config, final List<Database> databases, final BufferPool pool)
    {
        this.config = config;
        this.databases = databases;
        this.pool = pool;
        this.latchTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.latchTimeoutMs());
        this.frameWaitTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.frameWaitTimeoutMs());
        final List<MountedDatabase> views = new ArrayList<>();
        for (final Database db : databases)
        {
            databasesByName.put(db.name.toUpperCase(Locale.ROOT), db);
            views.add(new MountedDatabase(db));
        }
        this.mounted = Collections.unmodifiableList(views);
        final int[] blockSizes = new int[databases.size()];
        for (final Database db : databases)
        {
            blockSizes[db.index] = db.blockSizeBytes;
        }
        this.cycle = new SealedCycle(pool, blockSizes);
    }

    /**
     * Open (creating where configured) every database and allocate the buffer pool. WIJ recovery
     * must have run before this.
     *
     * @throws IOException naming the file and offset if a database file is damaged.
     */
    public static Store open(final StoreConfig config) throws IOException
    {
        if (config.databases().isEmpty())
        {
            throw new IllegalArgumentException("no database configured");
        }
        final List<Database> databases = new ArrayList<>();
        final Map<String, Path> dismounted = new HashMap<>();
        int maxBlockSize = BlockLayout.MIN_BLOCK_SIZE_BYTES;
        try
        {
            for (final DatabaseConfig dc : config.databases())
            {
                final Path directory = dc.directory();
                if (Files.exists(directory.resolve(DISMOUNTED_MARKER)))
                {
                    dismounted.put(dc.name().toUpperCase(Locale.ROOT), directory);
                    config.events().databaseDismounted(dc.name(), directory);
                    continue;
                }
                if (!Files.exists(directory.resolve(BlockFile.FILE_NAME)))
                {
                    if (!dc.create())
                    {
                        throw new IOException("database " + dc.name() + ": no " + BlockFile.FILE_NAME + " in " +
                            directory + " and creation is off");
                    }
                    BlockFile.create(config.fileLayer(), directory, dc.name(), dc.blockSizeBytes(),
                        dc.blocks(dc.initialSizeBytes()), dc.blocks(dc.expansionBytes()),
                        dc.maxSizeBytes() == 0 ? 0 : dc.blocks(dc.maxSizeBytes()));
                    config.events().databaseCreated(dc.name(), directory, dc.blockSizeBytes());
                }
                final BlockFile file = BlockFile.open(config.fileLayer(), directory);
                final Database db = new Database(dc.name(), databases.size(), directory, file, dc.readOnly(),
                    TimeUnit.MILLISECONDS.toNanos(config.latchTimeoutMs()));
                databases.add(db);
                maxBlockSize = Math.max(maxBlockSize, db.blockSizeBytes);
                config.events().databaseMounted(dc.name(), directory, db.allocator.sizeBlocks(), db.blockSizeBytes);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            for (final Database db : databases)
            {
                closeQuietly(db.file);
            }
            throw ex;
        }

        final long frames = config.poolSizeBytes() / maxBlockSize;
        if (frames < 256 || frames > (1 << 24))
        {
            for (final Database db : databases)
            {
                closeQuietly(db.file);
            }
            throw new IllegalArgumentException("buffer pool of " + config.poolSizeBytes() + " bytes holds " + frames +
                " blocks of " + maxBlockSize + " bytes; it must hold 256 to 16777216");
        }
        final Store store = new Store(config, databases, new BufferPool(maxBlockSize, (int)frames));
        store.dismounted.putAll(dismounted);
        return store;
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final Exception ignore)
        {
            // already failing
        }
    }

    /**
     * @return this thread's session.
     */
    public StoreSession session()
    {
        checkOpen();
        final SessionHolder holder = sessions.get();
        StoreSession session = holder.session;
        if (null == session)
        {
            session = new StoreSession(this);
            holder.session = session;
            sessionHolders.add(holder);
        }
        return session;
    }

    /**
     * @return a new session, for a client that owns it (one thread at a time).
     */
    public StoreSession newSession()
    {
        checkOpen();
        final SessionHolder holder = new SessionHolder();
        holder.session = new StoreSession(this);
        sessionHolders.add(holder);
        return holder.session;
    }

    /**
     * Holds a thread's session. At close the store empties every holder, so that a thread-local
     * entry does not keep a closed store (and its pool) reachable.
     */
    private static final class SessionHolder
    {
        StoreSession session;
    }

    public StoreConfig config()
    {
        return config;
    }

    public List<MountedDatabase> databases()
    {
        return mounted;
    }

    /**
     * @return names of configured databases that are dismounted (a {@link #DISMOUNTED_MARKER} file).
     */
    public Map<String, Path> dismountedDatabases()
    {
        return Collections.unmodifiableMap(dismounted);
    }

    /**
     * @return the mounted database of that name (case-insensitive), or null.
     */
    public MountedDatabase database(final String name)
    {
        final Database db = databasesByName.get(name.toUpperCase(Locale.ROOT));
        return null == db ? null : mounted.get(db.index);
    }

    /**
     * @return the number of logical updates so far (stamped into changed blocks until the
     * journal supplies positions).
     */
    public long updateSequence()
    {
        return updateSequence.get();
    }

    /**
     * Report every update from now on (the journal); null to stop. Set it before sessions update,
     * and after replaying a journal, whose updates must not be journaled again.
     */
    public void updateListener(final UpdateListener listener)
    {
        this.listener = listener;
    }

    UpdateListener listener()
    {
        return listener;
    }

    /**
     * Refuse every update with {@code <PROTECT>} (a read-only member), or accept them again.
     */
    public void readOnly(final boolean readOnly)
    {
        this.readOnly = readOnly;
    }

    /**
     * As {@link #readOnly(boolean)} with the reason {@code <PROTECT>} gives (e.g. a mirror backup's).
     * Sessions marked {@link StoreSession#applier(boolean)} still write: they apply another member's
     * journal.
     */
    public void readOnly(final boolean readOnly, final String reason)
    {
        this.readOnlyReason = reason;
        this.readOnly = readOnly;
    }

    /**
     * @return true while every update from a client session is refused with {@code <PROTECT>}.
     */
    public boolean isReadOnly()
    {
        return readOnly;
    }

    /**
     * Refuse every update from now on: the write daemon can no longer make blocks durable.
     */
    public void fail(final String reason)
    {
        if (null == failure)
        {
            failure = reason;
        }
        pool.fail(reason);
    }

    /**
     * @return why updates are refused, or null.
     */
    public String failure()
    {
        return failure;
    }

    // ------------------------------------------------------------------ write daemon interface

    /**
     * @return blocks changed since the last seal.
     */
    public int dirtyBlockCount()
    {
        return pool.dirtyCount();
    }

    public int poolFrameCount()
    {
        return pool.frameCount();
    }

    public int freeFrameCount()
    {
        return pool.freeCount();
    }

    /**
     * Called (from any thread) when an update waits for frames: the write daemon should run now.
     */
    public void flushRequester(final Runnable requester)
    {
        pool.flushRequest(requester);
    }

    /**
     * Take every changed block into a new cycle, at an instant when no update step is running.
     * The previous cycle must have been completed.
     *
     * @param timeoutNs how long to wait for running update steps to finish.
     * @return the cycle (reused object), possibly with no blocks.
     */
    public SealedCycle seal(final long timeoutNs)
    {
        final long stamp;
        try
        {
            stamp = gate.tryWriteLock(timeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new BulwarkException(ErrorCode.DATABASE, "interrupted while sealing a write daemon cycle");
        }
        if (0 == stamp)
        {
            throw new LatchTimeoutException("update steps held the update gate for more than " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms; cannot seal a write daemon cycle");
        }
        final int[] frames;
        final long sequence;
        final long oldestOpenTransaction;
        try
        {
            frames = pool.seal(sealCount);
            final UpdateListener journal = listener;
            sequence = null == journal ? updateSequence.get() : journal.position();
            oldestOpenTransaction = null == journal ? -1 : journal.oldestOpenTransaction();
        }
        finally
        {
            gate.unlockWrite(stamp);
        }
        cycle.reset(++cycleNumber, sequence, oldestOpenTransaction, frames, sealCount[0]);
        final UnsafeBuffer image = new UnsafeBuffer(0, 0);
        for (int i = 0; i < cycle.blockCount(); i++)
        {
            final Database db = databases.get(cycle.databaseIndex(i));
            image.wrap(cycle.imageAddress(i), db.blockSizeBytes);
            assert BlockLayout.blockNumber(image) == cycle.blockNumber(i) :
                "frame of block " + cycle.blockNumber(i) + " carries number " + BlockLayout.blockNumber(image);
            BlockLayout.stampChecksum(image, db.blockSizeBytes);
        }
        return cycle;
    }

    /**
     * Tell {@code listener} of every block written by cycles completed from now on; null to stop.
     */
    public void blockWriteListener(final BlockWriteListener listener)
    {
        this.blockWriteListener = listener;
    }

    /**
     * Before any of a cycle's blocks is written durably, the journal must hold every update the
     * cycle contains (write-ahead): wait for it.
     */
    public void awaitJournal(final SealedCycle sealed)
    {
        final UpdateListener journal = listener;
        if (null != journal)
        {
            journal.awaitDurable(sealed.sealedUpdateSequence());
        }
    }

    /**
     * The cycle's blocks are durable in their block files: release their frames, so that readers
     * read those blocks through the mapping again.
     */
    public void complete(final SealedCycle sealed)
    {
        final BlockWriteListener written = blockWriteListener;
        if (null != written)
        {
            for (int i = 0; i < sealed.blockCount(); i++)
            {
                written.written(sealed.databaseIndex(i), sealed.blockNumber(i));
            }
        }
        final Backoff backoff = new Backoff();
        for (int i = 0; i < sealed.blockCount(); i++)
        {
            final int frame = sealed.frame(i);
            final Database db = databases.get(sealed.databaseIndex(i));
            final int block = sealed.blockNumber(i);
            acquireForRelease(db, block, backoff);
            try
            {
                if (db.table.frame(block) == frame)
                {
                    db.table.frame(block, BlockTable.NO_FRAME);
                }
            }
            finally
            {
                db.table.releaseExclusive(block);
            }
            pool.release(frame);
        }
        pool.signalReleased();
    }

    /**
     * Check a mounted database while the store runs. Blocks are read under their latches one at a
     * time, so run it when updates are quiet: a check racing updates may report transient
     * inconsistencies between blocks.
     */
    public org.bulwark.store.integrity.IntegrityReport checkIntegrity(final String databaseName)
    {
        checkOpen();
        final Database db = databasesByName.get(databaseName.toUpperCase(Locale.ROOT));
        if (null == db)
        {
            throw new IllegalArgumentException("no mounted database " + databaseName);
        }
        final Backoff backoff = new Backoff();
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        return org.bulwark.store.integrity.IntegrityChecker.check(new org.bulwark.store.integrity.BlockSource()
        {
            @Override
            public int blockSizeBytes()
            {
                return db.blockSizeBytes;
            }

            @Override
            public int sizeBlocks()
            {
                return db.allocator.sizeBlocks();
            }

            @Override
            public boolean read(final int block, final org.agrona.MutableDirectBuffer into)
            {
                db.table.acquireShared(block, backoff);
                try
                {
                    final int frame = db.table.frame(block);
                    view.wrap(BlockTable.NO_FRAME == frame ? db.file.mappedAddress(block) : pool.address(frame),
                        db.blockSizeBytes);
                    into.putBytes(0, view, 0, db.blockSizeBytes);
                    return BlockTable.NO_FRAME == frame;
                }
                finally
                {
                    db.table.releaseShared(block);
                }
            }
        }, db.name);
    }

    /**
     * The cycle is durable, so releasing its frames must not give up: wait for the latch however
     * long a reader holds it.
     */
    private static void acquireForRelease(final Database db, final int block, final Backoff backoff)
    {
        while (true)
        {
            try
            {
                db.table.acquireExclusive(block, backoff);
                return;
            }
            catch (final LatchTimeoutException ex)
            {
                Thread.onSpinWait(); // keep waiting: a latch held this long is a reader stalled, not lost
            }
        }
    }

    // ------------------------------------------------------------------ for sessions

    BufferPool pool()
    {
        return pool;
    }

    StoreEvents events()
    {
        return config.events();
    }

    long frameWaitTimeoutNs()
    {
        return frameWaitTimeoutNs;
    }

    long latchTimeoutNs()
    {
        return latchTimeoutNs;
    }

    long nextUpdateSequence()
    {
        return updateSequence.incrementAndGet();
    }

    /**
     * Enter an update step: take the gate shared.
     *
     * @return the stamp for {@link #exitUpdate(long)}.
     */
    long enterUpdate()
    {
        final String failed = failure;
        if (null != failed)
        {
            throw new BulwarkException(ErrorCode.DATABASE, "updates are refused: " + failed);
        }
        final long stamp;
        try
        {
            stamp = gate.tryReadLock(latchTimeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new BulwarkException(ErrorCode.DATABASE, "interrupted while waiting for the update gate");
        }
        if (0 == stamp)
        {
            throw new LatchTimeoutException("waited more than " + TimeUnit.NANOSECONDS.toMillis(latchTimeoutNs) +
                " ms for the update gate (the write daemon holds it)");
        }
        return stamp;
    }

    void exitUpdate(final long stamp)
    {
        gate.unlockRead(stamp);
    }

    void checkWritable(final Database db, final boolean applier)
    {
        if (readOnly && !applier)
        {
            throw new BulwarkException(ErrorCode.PROTECT, readOnlyReason);
        }
        if (db.readOnly)
        {
            throw new BulwarkException(ErrorCode.PROTECT, "database " + db.name + " is read-only");
        }
    }

    int maxValueBytes()
    {
        return config.maxValueBytes();
    }

    /**
     * @return the database that holds a global.
     */
    Database databaseOf(final String global)
    {
        final Database cached = globalToDatabase.get(global);
        if (null != cached)
        {
            return cached;
        }
        final String name = config.mapping().databaseFor(global);
        final Database db = databasesByName.get(name.toUpperCase(Locale.ROOT));
        if (null == db)
        {
            if (dismounted.containsKey(name.toUpperCase(Locale.ROOT)))
            {
                throw new BulwarkException(ErrorCode.DATABASE, "^" + global + " maps to database " + name +
                    ", which is dismounted");
            }
            throw new BulwarkException(ErrorCode.DATABASE, "^" + global + " maps to database " + name +
                ", which is not configured");
        }
        globalToDatabase.put(global, db);
        return db;
    }

    Database database(final int index)
    {
        return databases.get(index);
    }

    boolean isClosed()
    {
        return closed;
    }

    void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("store is closed");
        }
    }

    /**
     * Close the databases. The write daemon must have written every changed block first; blocks
     * still dirty are lost (the WIJ and, later, the journal protect what was made durable).
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        // An operation already past its check may still read block memory: wait for it before
        // unmapping, or leave the mappings in place rather than crash the process.
        boolean quiet = true;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (SessionHolder holder; null != (holder = sessionHolders.poll()); )
        {
            final StoreSession session = holder.session;
            holder.session = null;
            while (null != session && session.busy() && quiet)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    quiet = false;
                }
                Thread.onSpinWait();
            }
        }
        IOException first = null;
        for (final Database db : databases)
        {
            try
            {
                db.file.close(quiet);
            }
            catch (final IOException ex)
            {
                if (null == first)
                {
                    first = ex;
                }
            }
        }
        pool.close();
        if (null != first)
        {
            throw first;
        }
    }
}
