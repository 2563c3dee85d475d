package org.bulwark.server;

import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.bulwark.store.Store;
import org.bulwark.store.StoreConfig;
import org.bulwark.store.StoreEvents;
import org.bulwark.common.log.MessageLog;
import org.bulwark.wij.WijConfig;
import org.bulwark.wij.WijRecovery;
import org.bulwark.wij.WijRecoveryException;
import org.bulwark.wij.WriteDaemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The composition root of a member (ARCHITECTURE: open databases → WIJ recovery → serve): opens
 * messages.log, runs WIJ recovery, opens the store, and runs the write daemon on its own thread.
 * Closing it is the graceful shutdown: every changed block is written and the WIJ is marked clean.
 */
public final class Instance implements AutoCloseable
{
    private static final String SUBSYSTEM = "INSTANCE";

    private final InstanceConfig config;
    private final MessageLog log;
    private final WijRecovery.Result recovery;
    private final Store store;
    private final WriteDaemon daemon;
    private final AgentRunner runner;
    private boolean closed;

    private Instance(
        final InstanceConfig config,
        final MessageLog log,
        final WijRecovery.Result recovery,
        final Store store,
        final WriteDaemon daemon,
        final AgentRunner runner)
    {
        this.config = config;
        this.log = log;
        this.recovery = recovery;
        this.store = store;
        this.daemon = daemon;
        this.runner = runner;
    }

    /**
     * Open an instance.
     *
     * @throws WijRecoveryException if WIJ recovery refuses startup (the message says why and what to do).
     */
    public static Instance open(final InstanceConfig config, final InstanceOptions options)
        throws IOException, WijRecoveryException, InstanceConfig.ConfigException
    {
        final StoreConfig storeConfig = config.storeConfig().fileLayer(options.fileLayer());
        final WijConfig wijConfig = config.wijConfig().enabled(options.wijEnabled());
        final MessageLog log = MessageLog.open(config.logDirectory(), options.echo(), options.echoThreshold());
        WijRecovery.Result recovery = null;
        Store store = null;
        try
        {
            log.info(SUBSYSTEM, "starting: data " + config.dataDirectory().toAbsolutePath() + ", WIJ " +
                wijConfig.directory() + ", " + storeConfig.databases().size() + " database(s), pool " +
                (storeConfig.poolSizeBytes() >> 20) + " MiB, pid " + ProcessHandle.current().pid());
            recovery = new WijRecovery(wijConfig, config.datasetLocations(), options.recovery(), options.fileLayer(),
                log)
                .run();
            storeConfig.events(new LogEvents(log));
            store = Store.open(storeConfig);
            final WriteDaemon daemon = new WriteDaemon(store, options.wijEnabled() ? recovery.wij() : null, wijConfig,
                log, options.probe(), new SystemNanoClock());
            AgentRunner runner = null;
            if (options.daemonThread())
            {
                runner = new AgentRunner(new SleepingMillisIdleStrategy(1), ex -> log.severe("WIJ", ex.toString()),
                    null, daemon);
                AgentRunner.startOnThread(runner);
            }
            log.info(SUBSYSTEM, "ready: WIJ recovery " + recovery.recoveryCase() + " in " + recovery.elapsedMs() +
                " ms" +
                (recovery.blocksRestored() > 0 ? ", " + recovery.blocksRestored() + " blocks restored" : "") +
                (recovery.blocksCompared() > 0 ? ", " + recovery.blocksCompared() + " blocks compared" : ""));
            return new Instance(config, log, recovery, store, daemon, runner);
        }
        catch (final IOException | WijRecoveryException | InstanceConfig.ConfigException | RuntimeException ex)
        {
            log.fatal(SUBSYSTEM, "startup failed: " + ex.getMessage());
            if (null != store)
            {
                CloseHelper.quietClose(store);
            }
            if (null != recovery)
            {
                CloseHelper.quietClose(recovery.wij());
            }
            CloseHelper.quietClose(log);
            throw ex;
        }
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
            // From here on an update would not be in the last cycle: refuse it instead of losing it.
            store.fail("the instance is shutting down");
            daemon.shutdown();
            log.info(SUBSYSTEM, "shut down cleanly");
        }
        finally
        {
            CloseHelper.closeAll(store, recovery.wij(), log);
        }
    }

    /**
     * Stop as a killed process would: no flush, no clean-shutdown mark, files closed as they are.
     * For tests that need a crashed member on disk.
     */
    void abandon() throws IOException
    {
        closed = true;
        if (null != runner)
        {
            runner.close();
        }
        CloseHelper.closeAll(store, recovery.wij(), log);
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
