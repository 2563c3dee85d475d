package org.bulwark.server;

import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.collections.Long2LongHashMap;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalConfig;
import org.bulwark.journal.JournalPurge;
import org.bulwark.journal.RollForward;
import org.bulwark.replication.MirrorConfig;
import org.bulwark.replication.MirrorMember;
import org.bulwark.replication.MirrorStatus;
import org.bulwark.server.metrics.MemberMetrics;
import org.bulwark.server.metrics.MetricsConfig;
import org.bulwark.server.metrics.MetricsEndpoint;
import org.bulwark.store.Store;
import org.bulwark.store.StoreConfig;
import org.bulwark.store.StoreEvents;
import org.bulwark.common.log.MessageLog;
import org.bulwark.wij.WijConfig;
import org.bulwark.wij.WijRecovery;
import org.bulwark.wij.WijRecoveryException;
import org.bulwark.wij.WriteDaemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The composition root of a member (ARCHITECTURE: open databases → WIJ recovery → journal
 * recovery → serve): opens messages.log, runs WIJ recovery, opens the journal and the store, runs
 * the write daemon on its own thread, rolls the journal forward from the checkpoint and rolls back
 * transactions left open. Closing it is the graceful shutdown: sessions are disconnected, every
 * changed block is written, the WIJ is marked clean and the journal synced.
 */
public final class Instance implements AutoCloseable
{
    private static final String SUBSYSTEM = "INSTANCE";

    private final InstanceConfig config;
    private final InstanceOptions options;
    private final MessageLog log;
    private final WijRecovery.Result recovery;
    private final Store store;
    private final WriteDaemon daemon;
    private final AgentRunner runner;
    private final Journal journal;
    private final JournalBridge bridge;
    private final LockTable locks = new LockTable();
    private final AtomicLong transactionIds = new AtomicLong();
    private final Set<BulwarkSession> sessions = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<SessionSlot> threadSessions = ThreadLocal.withInitial(SessionSlot::new);
    private final Queue<SessionSlot> sessionSlots = new ConcurrentLinkedQueue<>();
    private final boolean asyncCommit;
    private final MemberMetrics metrics;
    private final MetricsEndpoint metricsEndpoint;
    private DataDirectoryLock directoryLock;
    private boolean closed;
    private MirrorMember mirror;
    private InstanceMirrorHost mirrorHost;
    private final MirrorConfig mirrorConfig;

    private Instance(
        final InstanceConfig config,
        final InstanceOptions options,
        final MessageLog log,
        final WijRecovery.Result recovery,
        final Store store,
        final WriteDaemon daemon,
        final AgentRunner runner,
        final Journal journal,
        final MemberMetrics metrics,
        final MetricsEndpoint metricsEndpoint)
    {
        this.config = config;
        this.options = options;
        this.log = log;
        this.recovery = recovery;
        this.store = store;
        this.daemon = daemon;
        this.runner = runner;
        this.journal = journal;
        this.bridge = null == journal ? null : new JournalBridge(journal);
        this.metrics = metrics;
        this.metricsEndpoint = metricsEndpoint;
        boolean async = false;
        try
        {
            async = config.asyncCommit();
        }
        catch (final InstanceConfig.ConfigException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex); // validated at load
        }
        this.asyncCommit = async;
        try
        {
            this.mirrorConfig = config.mirrorConfig();
        }
        catch (final InstanceConfig.ConfigException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
        // Transaction ids stay unique across restarts: each run's ids start past the journal's end,
        // and a run cannot start more transactions than it writes record bytes.
        this.transactionIds.set(null == journal ? 1 : journal.appendedPosition() + 1);
    }

    /**
     * Open an instance: messages.log, WIJ recovery, the journal, the store, the write daemon, then
     * journal recovery (roll forward from the checkpoint, roll back open transactions).
     *
     * @throws WijRecoveryException if WIJ recovery refuses startup (the message says why and what to do).
     */
    public static Instance open(final InstanceConfig config, final InstanceOptions options)
        throws IOException, WijRecoveryException, InstanceConfig.ConfigException
    {
        final StoreConfig storeConfig = config.storeConfig().fileLayer(options.fileLayer());
        final WijConfig wijConfig = config.wijConfig().enabled(options.wijEnabled());
        final JournalConfig journalConfig = config.journalConfig();
        // Before anything is opened, messages.log included: another member or tool on these files
        // would corrupt them, and its log is not ours to write a refusal into.
        final DataDirectoryLock directoryLock = options.holdsDirectoryLock() ? null :
            DataDirectoryLock.acquire(config.dataDirectory(), "member");
        final MessageLog log;
        try
        {
            log = MessageLog.open(config.logDirectory(), options.echo(), options.echoThreshold());
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(directoryLock);
            throw ex;
        }
        WijRecovery.Result recovery = null;
        Store store = null;
        Journal journal = null;
        AgentRunner runner = null;
        MemberMetrics metrics = null;
        MetricsEndpoint endpoint = null;
        try
        {
            log.info(SUBSYSTEM, "starting: data " + config.dataDirectory().toAbsolutePath() + ", WIJ " +
                wijConfig.directory() + ", journal " + (null == journalConfig ? "off" : journalConfig.directory()) +
                ", " + storeConfig.databases().size() + " database(s), pool " +
                (storeConfig.poolSizeBytes() >> 20) + " MiB, pid " + ProcessHandle.current().pid());
            // The counters file before the WIJ and the journal: it also refuses a live member's file
            // (the directory lock above is the first guard). Sampling starts once there is a store.
            final MetricsConfig metricsConfig = config.metricsConfig();
            metrics = MemberMetrics.create(config.dataDirectory(), metricsConfig.intervalMs());
            if (metricsConfig.enabled())
            {
                endpoint = MetricsEndpoint.start(metricsConfig.bind(), metricsConfig.port(), metrics.reader());
                log.info(SUBSYSTEM, "metrics at http://" + metricsConfig.bind() + ":" + endpoint.port() +
                    MetricsEndpoint.PATH);
            }
            recovery = new WijRecovery(wijConfig, config.datasetLocations(), options.recovery(), options.fileLayer(),
                log).run();
            if (null != journalConfig)
            {
                journal = Journal.open(journalConfig, options.fileLayer(), log, recovery.checkpoint());
            }
            storeConfig.events(new LogEvents(log));
            store = Store.open(storeConfig);
            final WriteDaemon daemon = new WriteDaemon(store, options.wijEnabled() ? recovery.wij() : null, wijConfig,
                log, options.probe(), new SystemNanoClock());
            if (options.daemonThread())
            {
                runner = new AgentRunner(new SleepingMillisIdleStrategy(1), ex -> log.severe("WIJ", ex.toString()),
                    null, daemon);
                AgentRunner.startOnThread(runner);
            }
            final Instance instance = new Instance(config, options, log, recovery, store, daemon, runner, journal,
                metrics, endpoint);
            instance.directoryLock = directoryLock;
            InstanceMetrics.wire(metrics, instance);
            metrics.start(ex -> log.warning("METRICS", "sampling failed: " + ex));
            instance.recoverJournal();
            instance.startMirror();
            log.info(SUBSYSTEM, "ready: WIJ recovery " + recovery.recoveryCase() + " in " + recovery.elapsedMs() +
                " ms" + (recovery.blocksRestored() > 0 ? ", " + recovery.blocksRestored() + " blocks restored" : "") +
                (recovery.blocksCompared() > 0 ? ", " + recovery.blocksCompared() + " blocks compared" : ""));
            return instance;
        }
        catch (final IOException | WijRecoveryException | InstanceConfig.ConfigException | RuntimeException ex)
        {
            log.fatal(SUBSYSTEM, "startup failed: " + ex.getMessage());
            CloseHelper.quietCloseAll(endpoint, metrics);
            if (null != runner)
            {
                CloseHelper.quietClose(runner);
            }
            if (null != store)
            {
                CloseHelper.quietClose(store);
            }
            if (null != journal)
            {
                CloseHelper.quietClose(journal);
            }
            if (null != recovery)
            {
                CloseHelper.quietClose(recovery.wij());
            }
            CloseHelper.quietClose(log);
            CloseHelper.quietClose(directoryLock);
            throw ex;
        }
    }

    /**
     * SPEC J-5: roll forward from the checkpoint without journaling again, then roll back every
     * transaction left open (journaled, so that a crash meanwhile is rolled back again).
     */
    private void recoverJournal() throws IOException
    {
        if (null == journal)
        {
            return;
        }
        if (options.recovery().skipRecovery())
        {
            log.severe("JRN", "journal recovery skipped by request: nothing is rolled forward or back");
            store.updateListener(bridge);
            return;
        }
        final long checkpoint = recovery.checkpoint();
        final long oldest = recovery.oldestOpenTransaction();
        final long scanFrom = oldest >= 0 ? Math.min(checkpoint, oldest) : checkpoint;
        final ReplayListener replay = new ReplayListener(store.session(), checkpoint, scanFrom)
        {
            @Override
            public void at(final long position, final long end)
            {
                if (null == runner && store.dirtyBlockCount() > store.poolFrameCount() / 2)
                {
                    flushForReplay();
                }
                super.at(position, end);
            }
        };
        store.updateListener(replay);
        final RollForward.Result result;
        try
        {
            result = RollForward.run(journal.files(), options.fileLayer(), checkpoint, oldest, replay);
        }
        catch (final IOException ex)
        {
            throw new IOException("journal recovery stopped: " + ex.getMessage() + ". Nothing past that point was " +
                "applied; start with the skip-recovery option only after restoring the journal or the databases", ex);
        }
        if (result.endPosition() != journal.appendedPosition())
        {
            throw new IOException("journal recovery read to position " + result.endPosition() + " but the journal " +
                "ends at " + journal.appendedPosition());
        }
        log.info("JRN", String.format("rolled forward %d records (%.1f MiB) from checkpoint %d to %d in %d ms; " +
            "%d transaction(s) open", result.applied(), result.bytesRead() / 1048576.0, checkpoint,
            result.endPosition(), result.elapsedMs(), result.openTransactions().size()));
        if (null != mirrorConfig)
        {
            // A mirror member does not know yet whether it is primary: as a backup, the transactions
            // open here are still open on the primary. The role decides (InstanceMirrorHost).
            store.readOnly(true, "this member is starting in mirror " + mirrorConfig.mirrorName());
            mirrorHost = new InstanceMirrorHost(this, result.openTransactions(), result.endPosition());
            return;
        }
        store.updateListener(bridge);
        rollBackOpen(result.openTransactions(), "left open by the crash");
    }

    /**
     * Roll back transactions (id → position of its last record), journaling the rollback.
     */
    void rollBackOpen(final Long2LongHashMap open, final String why)
    {
        if (open.isEmpty())
        {
            return;
        }
        final BulwarkSession recoverer = openSession();
        try
        {
            final Long2LongHashMap.KeyIterator it = open.keySet().iterator();
            while (it.hasNext())
            {
                final long transaction = it.nextValue();
                recoverer.adoptAndRollBack(transaction, open.get(transaction));
                log.info("JRN", "rolled back transaction " + transaction + " " + why);
            }
        }
        finally
        {
            recoverer.close();
        }
    }

    /**
     * Transaction ids go on past the journal's end (a member that took over has a longer journal).
     */
    void resetTransactionIds()
    {
        final long next = journal.appendedPosition() + 1;
        transactionIds.accumulateAndGet(next, Math::max);
    }

    private void startMirror() throws IOException
    {
        if (null == mirrorConfig)
        {
            return;
        }
        if (null == journal)
        {
            throw new IOException("mirror " + mirrorConfig.mirrorName() + ": a mirrored member needs its journal " +
                "(journal.enabled = true)");
        }
        if (null == mirrorHost)
        {
            // Recovery was skipped by request: the databases are as they are.
            mirrorHost = new InstanceMirrorHost(this, new Long2LongHashMap(-1), journal.appendedPosition());
        }
        mirror = MirrorMember.start(mirrorConfig, mirrorHost, log);
    }

    /**
     * @return this member's mirroring, or null if it is not mirrored.
     */
    public MirrorMember mirror()
    {
        return mirror;
    }

    private void flushForReplay()
    {
        try
        {
            daemon.runCycle();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("write daemon cycle during journal replay failed", ex);
        }
    }

    /**
     * @return a new session for the calling client (close it when done: a disconnect).
     */
    public BulwarkSession openSession()
    {
        final BulwarkSession session = new BulwarkSession(this, store.newSession(), asyncCommit);
        sessions.add(session);
        return session;
    }

    /**
     * @return this thread's session, opened on first use (closed with the instance).
     */
    public BulwarkSession session()
    {
        final SessionSlot slot = threadSessions.get();
        BulwarkSession session = slot.session;
        if (null == session)
        {
            session = openSession();
            slot.session = session;
            sessionSlots.add(slot);
        }
        return session;
    }

    /**
     * Holds a thread's session. Close empties every slot: a thread-local value that pointed at the
     * session would keep the closed instance, its journal buffer and its pool reachable for as long
     * as the thread lives.
     */
    private static final class SessionSlot
    {
        BulwarkSession session;
    }

    int openSessionCount()
    {
        return sessions.size();
    }

    void sessionClosed(final BulwarkSession session)
    {
        sessions.remove(session);
    }

    long nextTransactionId()
    {
        return transactionIds.getAndIncrement();
    }

    /**
     * @return the logical journal, or null when journaling is off.
     */
    public Journal journal()
    {
        return journal;
    }

    JournalBridge journalBridge()
    {
        return bridge;
    }

    /**
     * The lowest journal position anything still needs: crash recovery reads from the last
     * completed cycle's checkpoint (or the oldest transaction open at it), and every open
     * transaction may roll back from its first record.
     *
     * @param why receives what needs it, for messages.
     */
    long journalNeededFrom(final StringBuilder why)
    {
        long checkpoint = daemon.checkpoint();
        long openAtCheckpoint = daemon.checkpointOldestOpen();
        if (checkpoint < 0)
        {
            checkpoint = recovery.checkpoint();
            openAtCheckpoint = recovery.oldestOpenTransaction();
        }
        long needed = checkpoint;
        why.setLength(0);
        why.append("the write daemon's checkpoint");
        if (openAtCheckpoint >= 0 && openAtCheckpoint < needed)
        {
            needed = openAtCheckpoint;
            why.setLength(0);
            why.append("a transaction open at the checkpoint");
        }
        final long open = null == bridge ? -1 : bridge.oldestOpenTransaction();
        if (open >= 0 && open < needed)
        {
            needed = open;
            why.setLength(0);
            why.append("an open transaction");
        }
        return needed;
    }

    /**
     * SPEC J-9: delete the journal files the policy lets go and nothing needs any more.
     *
     * @param dryRun only plan.
     * @return the plan, file by file.
     */
    public List<JournalPurge.Decision> purgeJournal(final JournalPurge.Policy policy, final boolean dryRun)
        throws IOException
    {
        if (null == journal)
        {
            throw new IllegalStateException("journaling is off: there is no journal to purge");
        }
        final StringBuilder why = new StringBuilder();
        final long neededFrom = journalNeededFrom(why);
        final List<JournalPurge.Decision> plan = JournalPurge.plan(journal.files().list(), neededFrom,
            why.toString(), policy, backupHistory().journalStarts(), java.time.Instant.now());
        final int deletions = JournalPurge.deletions(plan);
        if (!dryRun && deletions > 0)
        {
            final List<org.bulwark.journal.JournalFiles.Entry> removed = journal.files().removeOldest(deletions);
            log.info("JRN", "purged " + removed.size() + " journal file(s) (" + removed.get(0).name() + " to " +
                removed.get(removed.size() - 1).name() + "); the journal now starts at " +
                plan.get(deletions).entry().startPosition());
        }
        return plan;
    }

    /**
     * Hold the write daemon between cycles: the block files then stay exactly as of
     * {@link #blockFilesCheckpoint()}. Updates go on in the buffer pool meanwhile; keep it short,
     * a full pool makes them wait. Without a daemon thread (tests drive cycles) it does nothing.
     *
     * @throws IOException if a cycle in progress did not end within the timeout.
     */
    void pauseWriteDaemon(final long timeoutMs) throws IOException
    {
        if (null == runner)
        {
            return;
        }
        try
        {
            if (!daemon.stopCycling(timeoutMs))
            {
                throw new IOException("a write daemon cycle did not end within " + timeoutMs + " ms");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pausing the write daemon", ex);
        }
    }

    void resumeWriteDaemon()
    {
        if (null != runner)
        {
            daemon.resumeCycling();
        }
    }

    /**
     * @return {checkpoint, oldest transaction open at it or -1}: the journal position the block files
     * are complete to, as of the last completed cycle (or recovery, before any cycle).
     */
    long[] blockFilesCheckpoint()
    {
        final long checkpoint = daemon.checkpoint();
        if (checkpoint < 0)
        {
            return new long[] {recovery.checkpoint(), recovery.oldestOpenTransaction()};
        }
        return new long[] {checkpoint, daemon.checkpointOldestOpen()};
    }

    BackupHistory backupHistory()
    {
        return new BackupHistory(config.dataDirectory());
    }

    LockTable locks()
    {
        return locks;
    }

    org.bulwark.common.io.FileLayer fileLayer()
    {
        return options.fileLayer();
    }

    /**
     * @return the counters of this member (its counters file), for the metrics endpoint and tools.
     */
    /**
     * @return the mirror monitor's data (SPEC M-17) for this member, or null if it is not mirrored.
     */
    public MirrorStatus mirrorStatus()
    {
        return null == mirror ? null : mirror.status();
    }

        public MemberMetrics metrics()
    {
        return metrics;
    }

    /**
     * @return the Prometheus endpoint, or null unless {@code metrics.enabled}.
     */
    public MetricsEndpoint metricsEndpoint()
    {
        return metricsEndpoint;
    }

    public InstanceConfig config()
    {
        return config;
    }

    public Store store()
    {
        return store;
    }

    public MessageLog log()
    {
        return log;
    }

    public WriteDaemon daemon()
    {
        return daemon;
    }

    public WijRecovery.Result recovery()
    {
        return recovery;
    }

    public Path dataDirectory()
    {
        return config.dataDirectory();
    }

    /**
     * Graceful shutdown: stop the daemon's thread, write every changed block, mark the WIJ clean.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (null != runner)
            {
                // Let a cycle in progress finish: closing the runner would interrupt it after 5 s.
                try
                {
                    if (!daemon.stopCycling(TimeUnit.MINUTES.toMillis(10)))
                    {
                        log.severe(SUBSYSTEM, "a write daemon cycle did not end within 10 minutes; stopping anyway");
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                runner.close();
            }
            for (final BulwarkSession session : sessions)
            {
                CloseHelper.quietClose(session); // disconnects: open transactions roll back
            }
            for (SessionSlot slot; null != (slot = sessionSlots.poll()); )
            {
                slot.session = null;
            }
            stopMirror();
            // From here on an update would not be in the last cycle: refuse it instead of losing it.
            store.fail("the instance is shutting down");
            daemon.shutdown();
            log.info(SUBSYSTEM, "shut down cleanly");
        }
        finally
        {
            // Metrics first: their last sample reads the store and the journal.
            CloseHelper.closeAll(metricsEndpoint, metrics, store, journal, recovery.wij(), log, directoryLock);
        }
    }

    /**
     * A graceful stop of a mirror member (SPEC M-12): a primary hands over to its active backup unless
     * {@code bulwark stop --nofailover} left its marker.
     */
    private void stopMirror()
    {
        if (null == mirror)
        {
            return;
        }
        final Path noFailover = config.dataDirectory().resolve(StopCommand.NO_FAILOVER_FILE);
        final boolean failover = !Files.exists(noFailover);
        mirror.stop(failover);
        mirror.close();
        if (null != mirrorHost)
        {
            mirrorHost.close();
        }
        try
        {
            Files.deleteIfExists(noFailover);
        }
        catch (final IOException ex)
        {
            log.warning("MIRROR", "cannot remove " + noFailover + ": " + ex.getMessage());
        }
    }

    /**
     * Stop as a killed process would: the journal's unwritten tail is lost, no flush, no
     * clean-shutdown mark, files closed as they are. For tests that need a crashed member on disk.
     */
    public void abandon() throws IOException
    {
        closed = true;
        // The daemon first: a cycle in progress waits for the journal to be durable up to its
        // checkpoint, which an abandoned journal never is (the wait would last the freeze timeout).
        if (null != runner)
        {
            try
            {
                daemon.stopCycling(60_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            runner.close();
        }
        if (null != journal)
        {
            journal.abandon();
        }
        CloseHelper.closeAll(metricsEndpoint, metrics, store, recovery.wij(), log, directoryLock);
    }

    /**
     * Writes what the store reports to messages.log.
     */
    private static final class LogEvents implements StoreEvents
    {
        private final MessageLog log;

        LogEvents(final MessageLog log)
        {
            this.log = log;
        }

        @Override
        public void databaseCreated(final String name, final Path directory, final int blockSizeBytes)
        {
            log.info("STORE", "created database " + name + " in " + directory + " (" + blockSizeBytes +
                "-byte blocks)");
        }

        @Override
        public void databaseMounted(final String name, final Path directory, final int sizeBlocks,
            final int blockSizeBytes)
        {
            log.info("STORE", "mounted database " + name + " (" + directory + "): " + sizeBlocks + " blocks, " +
                ((long)sizeBlocks * blockSizeBytes >> 10) + " KiB");
        }

        @Override
        public void databaseExpanded(final String name, final int oldSizeBlocks, final int newSizeBlocks,
            final int blockSizeBytes)
        {
            log.info("STORE", "expanded database " + name + " from " + oldSizeBlocks + " to " + newSizeBlocks +
                " blocks (+" + ((long)(newSizeBlocks - oldSizeBlocks) * blockSizeBytes >> 10) + " KiB)");
        }

        @Override
        public void databaseDismounted(final String name, final Path directory)
        {
            log.warning("STORE", "database " + name + " (" + directory + ") is dismounted and was not mounted");
        }
    }
}
