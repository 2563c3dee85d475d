package org.bulwark.perf;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.bulwark.store.DatabaseConfig;
import org.bulwark.store.Store;
import org.bulwark.store.StoreConfig;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.wij.DatasetLocation;
import org.bulwark.wij.RecoveryOptions;
import org.bulwark.wij.WijConfig;
import org.bulwark.wij.WijRecovery;
import org.bulwark.wij.WriteDaemon;
import org.bulwark.wij.WriteDaemonProbe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;

/**
 * A member as benchmarks need it: WIJ recovery, one database {@code MAIN} of 8 KiB blocks and the
 * real write daemon with the WIJ, driven by the benchmark ({@link WriteDaemon#runCycle()}) or on
 * its own thread ({@link #startDaemon()}) as in production.
 */
final class BenchMember implements AutoCloseable
{
    static final int BLOCK_SIZE_BYTES = 8192;

    final Path directory;
    final MessageLog log;
    final WijRecovery.Result recovery;
    final Store store;
    final WriteDaemon daemon;
    private AgentRunner runner;

    BenchMember(final Path directory, final long poolBytes, final long cycleIntervalMs, final WriteDaemonProbe probe)
        throws Exception
    {
        this.directory = directory;
        final WijConfig wijConfig = wijConfig(directory).cycleIntervalMs(cycleIntervalMs).dirtyThresholdPercent(50);
        log = MessageLog.open(directory, null, Severity.FATAL);
        recovery = new WijRecovery(wijConfig, locations(directory), RecoveryOptions.NORMAL, NioFileLayer.INSTANCE, log)
            .run();
        store = Store.open(new StoreConfig()
            .addDatabase(new DatabaseConfig("MAIN", directory.resolve("main")).blockSizeBytes(BLOCK_SIZE_BYTES)
                .expansionBytes(64L << 20))
            .poolSizeBytes(poolBytes));
        daemon = new WriteDaemon(store, recovery.wij(), wijConfig, log, probe, new SystemNanoClock());
    }

    static WijConfig wijConfig(final Path directory)
    {
        return new WijConfig(directory.resolve("wij"));
    }

    static List<DatasetLocation> locations(final Path directory)
    {
        return List.of(new DatasetLocation("MAIN", directory.resolve("main").toAbsolutePath()));
    }

    /**
     * Run the write daemon on its own thread from now on.
     */
    void startDaemon()
    {
        runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, daemon);
        AgentRunner.startOnThread(runner);
    }

    /**
     * Close as a crash would leave it: no flush, no clean-shutdown mark.
     */
    void abandon() throws IOException
    {
        store.close();
        recovery.wij().close();
        log.close();
    }

    @Override
    public void close() throws IOException
    {
        if (null != runner)
        {
            runner.close();
        }
        daemon.shutdown();
        abandon();
    }

    /**
     * A new temporary directory for a benchmark's files: under {@code -Dbulwark.perf.dir} if set (a
     * disk of your choice), else under {@code java.io.tmpdir}.
     */
    static Path newDirectory(final String prefix) throws IOException
    {
        final String parent = System.getProperty("bulwark.perf.dir");
        return null == parent ?
            Files.createTempDirectory(prefix) :
            Files.createTempDirectory(Files.createDirectories(Paths.get(parent)), prefix);
    }

    static void delete(final Path root) throws IOException
    {
        if (null == root || !Files.exists(root))
        {
            return;
        }
        try (var paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
