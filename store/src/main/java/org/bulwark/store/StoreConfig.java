package org.bulwark.store;

import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.NioFileLayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@link Store#open(StoreConfig)} needs: databases, global mapping, buffer pool size,
 * limits and wait bounds. Defaults suit a small host.
 */
public final class StoreConfig
{
    public static final long DEFAULT_POOL_SIZE_BYTES = 64L << 20;
    public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
    public static final int MAX_MAX_VALUE_BYTES = 16 << 20;
    public static final long DEFAULT_LATCH_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_FRAME_WAIT_TIMEOUT_MS = 60_000;
    /** Databases one instance can mount; the WIJ marks datasets in a bitmap of this size. */
    public static final int MAX_DATABASES = 256;

    private final List<DatabaseConfig> databases = new ArrayList<>();
    private GlobalMapping mapping;
    private long poolSizeBytes = DEFAULT_POOL_SIZE_BYTES;
    private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    private long latchTimeoutMs = DEFAULT_LATCH_TIMEOUT_MS;
    private long frameWaitTimeoutMs = DEFAULT_FRAME_WAIT_TIMEOUT_MS;
    private FileLayer fileLayer = NioFileLayer.INSTANCE;
    private StoreEvents events = StoreEvents.NONE;

    public StoreConfig addDatabase(final DatabaseConfig database)
    {
        for (final DatabaseConfig d : databases)
        {
            if (d.name().equalsIgnoreCase(database.name()))
            {
                throw new IllegalArgumentException("database " + database.name() + " is configured twice");
            }
            if (d.directory().toAbsolutePath().normalize().equals(database.directory().toAbsolutePath().normalize()))
            {
                throw new IllegalArgumentException("databases " + d.name() + " and " + database.name() +
                    " share the directory " + d.directory());
            }
        }
        if (databases.size() == MAX_DATABASES)
        {
            throw new IllegalArgumentException("at most " + MAX_DATABASES + " databases per instance");
        }
        databases.add(database);
        return this;
    }

    public List<DatabaseConfig> databases()
    {
        return databases;
    }

    /**
     * @return the mapping; by default every global goes to the first database.
     */
    public GlobalMapping mapping()
    {
        if (null == mapping)
        {
            if (databases.isEmpty())
            {
                throw new IllegalStateException("no database configured");
            }
            mapping = new GlobalMapping(databases.get(0).name());
        }
        return mapping;
    }

    public StoreConfig mapping(final GlobalMapping mapping)
    {
        this.mapping = Objects.requireNonNull(mapping);
        return this;
    }

    public long poolSizeBytes()
    {
        return poolSizeBytes;
    }

    public StoreConfig poolSizeBytes(final long poolSizeBytes)
    {
        this.poolSizeBytes = poolSizeBytes;
        return this;
    }

    public int maxValueBytes()
    {
        return maxValueBytes;
    }

    public StoreConfig maxValueBytes(final int maxValueBytes)
    {
        if (maxValueBytes < 1 || maxValueBytes > MAX_MAX_VALUE_BYTES)
        {
            throw new IllegalArgumentException("maximum value size must be 1 to " + MAX_MAX_VALUE_BYTES +
                " bytes: " + maxValueBytes);
        }
        this.maxValueBytes = maxValueBytes;
        return this;
    }

    public long latchTimeoutMs()
    {
        return latchTimeoutMs;
    }

    public StoreConfig latchTimeoutMs(final long latchTimeoutMs)
    {
        this.latchTimeoutMs = latchTimeoutMs;
        return this;
    }

    public long frameWaitTimeoutMs()
    {
        return frameWaitTimeoutMs;
    }

    public StoreConfig frameWaitTimeoutMs(final long frameWaitTimeoutMs)
    {
        this.frameWaitTimeoutMs = frameWaitTimeoutMs;
        return this;
    }

    public FileLayer fileLayer()
    {
        return fileLayer;
    }

    public StoreConfig fileLayer(final FileLayer fileLayer)
    {
        this.fileLayer = Objects.requireNonNull(fileLayer);
        return this;
    }

    public StoreEvents events()
    {
        return events;
    }

    public StoreConfig events(final StoreEvents events)
    {
        this.events = Objects.requireNonNull(events);
        return this;
    }
}
