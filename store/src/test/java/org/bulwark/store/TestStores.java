package org.bulwark.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Small stores for tests: 4 KiB blocks so that trees split and merge after few keys.
 */
final class TestStores
{
    private TestStores()
    {
    }

    static StoreConfig config(final Path dir, final int blockSizeBytes, final long poolBytes)
    {
        return new StoreConfig()
            .addDatabase(new DatabaseConfig("MAIN", dir.resolve("main"))
                .blockSizeBytes(blockSizeBytes)
                .initialSizeBytes(64 * 1024)
                .expansionBytes(64 * 1024))
            .poolSizeBytes(poolBytes)
            .latchTimeoutMs(20_000)
            .frameWaitTimeoutMs(20_000);
    }

    static Store open(final Path dir) throws IOException
    {
        return Store.open(config(dir, 4096, 2L << 20));
    }
}
