package org.bulwark.wij;

import org.agrona.concurrent.SystemNanoClock;
import org.bulwark.store.DatabaseConfig;
import org.bulwark.store.Store;
import org.bulwark.store.StoreConfig;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens what an instance opens, in order: WIJ recovery, the store, a write daemon driven by the
 * test (no runner thread, so cycles happen exactly when the test says). "Crash" closes files
 * without flushing the pool or marking a clean shutdown.
 */
final class WijHarness implements AutoCloseable
{
    final Path root;
    final WijConfig wijConfig;
    final StoreConfig storeConfig;
    final MessageLog log;
    final WijRecovery.Result recovery;
    final Store store;
    final WriteDaemon daemon;
    private boolean closed;

    WijHarness(final Path root, final int databases, final FileLayer layer, final RecoveryOptions options,
        final WriteDaemonProbe probe, final boolean wijEnabled) throws IOException, WijRecoveryException
    {
        this(root, databases, layer, options, probe, new WijConfig(root.resolve("wij")).enabled(wijEnabled));
    }

    WijHarness(final Path root, final int databases, final FileLayer layer, final RecoveryOptions options,
        final WriteDaemonProbe probe, final WijConfig wijConfig) throws IOException, WijRecoveryException
    {
        this.root = root;
        this.wijConfig = wijConfig;
        final boolean wijEnabled = wijConfig.enabled();
        this.storeConfig = storeConfig(root, databases, layer);
        this.log = MessageLog.open(root, null, Severity.FATAL);
        this.recovery = new WijRecovery(wijConfig, locations(storeConfig), options, layer, log).run();
        this.store = Store.open(storeConfig);
        this.daemon = new WriteDaemon(store, wijEnabled ? recovery.wij() : null, wijConfig, log, probe,
            new SystemNanoClock());
    }

    static WijHarness open(final Path root) throws IOException, WijRecoveryException
    {
        return new WijHarness(root, 1, NioFileLayer.INSTANCE, RecoveryOptions.NORMAL, WriteDaemonProbe.NONE, true);
    }

    static StoreConfig storeConfig(final Path root, final int databases, final FileLayer layer)
    {
        final StoreConfig config = new StoreConfig().poolSizeBytes(4L << 20).fileLayer(layer);
        for (int i = 0; i < databases; i++)
        {
            config.addDatabase(new DatabaseConfig(i == 0 ? "MAIN" : "DB" + i, root.resolve("db" + i))
                .blockSizeBytes(4096).initialSizeBytes(64 * 1024).expansionBytes(64 * 1024));
        }
        if (databases > 1)
        {
            config.mapping(new org.bulwark.store.GlobalMapping("MAIN").map("b*", "DB1"));
        }
        return config;
    }

    static List<DatasetLocation> locations(final StoreConfig config)
    {
        final List<DatasetLocation> locations = new ArrayList<>();
        config.databases().forEach(d -> locations.add(new DatasetLocation(d.name(), d.directory())));
        return locations;
    }

    /**
     * Close as a crash would leave things: no flush, no clean-shutdown mark.
     */
    void crash() throws IOException
    {
        closed = true;
        store.close();
        recovery.wij().close();
        log.close();
    }

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
            daemon.shutdown();
        }
        finally
        {
            store.close();
            recovery.wij().close();
            log.close();
        }
    }
}
