package org.bulwark.store;

import org.bulwark.store.block.BlockLayout;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One database of an instance (SPEC S-1, S-4): its name, directory and growth settings. Block
 * size, initial size, expansion and maximum apply when the database is created; expansion and
 * maximum are stored in its label.
 */
public final class DatabaseConfig
{
    public static final long DEFAULT_EXPANSION_BYTES = 8L << 20;
    public static final long DEFAULT_INITIAL_SIZE_BYTES = 1L << 20;

    private final String name;
    private final Path directory;
    private int blockSizeBytes = BlockLayout.DEFAULT_BLOCK_SIZE_BYTES;
    private long initialSizeBytes = DEFAULT_INITIAL_SIZE_BYTES;
    private long expansionBytes = DEFAULT_EXPANSION_BYTES;
    private long maxSizeBytes;
    private boolean readOnly;
    private boolean create = true;

    public DatabaseConfig(final String name, final Path directory)
    {
        this.name = Objects.requireNonNull(name, "name");
        this.directory = Objects.requireNonNull(directory, "directory");
        if (name.isEmpty() || name.length() > 64)
        {
            throw new IllegalArgumentException("database name must have 1 to 64 characters: '" + name + "'");
        }
    }

    public String name()
    {
        return name;
    }

    public Path directory()
    {
        return directory;
    }

    public int blockSizeBytes()
    {
        return blockSizeBytes;
    }

    public DatabaseConfig blockSizeBytes(final int blockSizeBytes)
    {
        BlockLayout.validateBlockSize(blockSizeBytes);
        this.blockSizeBytes = blockSizeBytes;
        return this;
    }

    public long initialSizeBytes()
    {
        return initialSizeBytes;
    }

    public DatabaseConfig initialSizeBytes(final long initialSizeBytes)
    {
        this.initialSizeBytes = initialSizeBytes;
        return this;
    }

    public long expansionBytes()
    {
        return expansionBytes;
    }

    public DatabaseConfig expansionBytes(final long expansionBytes)
    {
        if (expansionBytes <= 0)
        {
            throw new IllegalArgumentException("expansion of database " + name + " must be positive: " +
                expansionBytes);
        }
        this.expansionBytes = expansionBytes;
        return this;
    }

    /**
     * @return the maximum size, 0 for no limit.
     */
    public long maxSizeBytes()
    {
        return maxSizeBytes;
    }

    public DatabaseConfig maxSizeBytes(final long maxSizeBytes)
    {
        if (maxSizeBytes < 0)
        {
            throw new IllegalArgumentException("maximum size of database " + name + " must not be negative");
        }
        this.maxSizeBytes = maxSizeBytes;
        return this;
    }

    public boolean readOnly()
    {
        return readOnly;
    }

    public DatabaseConfig readOnly(final boolean readOnly)
    {
        this.readOnly = readOnly;
        return this;
    }

    /**
     * @return true to create the database if its directory holds no block file.
     */
    public boolean create()
    {
        return create;
    }

    public DatabaseConfig create(final boolean create)
    {
        this.create = create;
        return this;
    }

    int blocks(final long bytes)
    {
        return (int)Math.min(Integer.MAX_VALUE, (bytes + blockSizeBytes - 1) / blockSizeBytes);
    }

    @Override
    public String toString()
    {
        return name + " (" + directory + ")";
    }
}
