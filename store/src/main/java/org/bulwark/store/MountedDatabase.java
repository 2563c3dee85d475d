package org.bulwark.store;

import org.bulwark.store.block.BlockFile;

import java.nio.file.Path;

/**
 * A read-only view of a mounted database for the write daemon, tools and reports.
 */
public final class MountedDatabase
{
    private final Database db;

    MountedDatabase(final Database db)
    {
        this.db = db;
    }

    public String name()
    {
        return db.name;
    }

    /**
     * @return the index of the database in the instance (the order of configuration).
     */
    public int index()
    {
        return db.index;
    }

    public Path directory()
    {
        return db.directory;
    }

    /**
     * @return the random id written in the label at creation; the WIJ names datasets by it.
     */
    public long uid()
    {
        return db.uid;
    }

    public BlockFile file()
    {
        return db.file;
    }

    public int blockSizeBytes()
    {
        return db.blockSizeBytes;
    }

    public int sizeBlocks()
    {
        return db.allocator.sizeBlocks();
    }

    public int maxBlocks()
    {
        return db.allocator.maxBlocks();
    }

    public int expansionBlocks()
    {
        return db.allocator.expansionBlocks();
    }

    public int expansions()
    {
        return db.allocator.expansions();
    }

    public boolean readOnly()
    {
        return db.readOnly;
    }

    @Override
    public String toString()
    {
        return db.toString();
    }
}
