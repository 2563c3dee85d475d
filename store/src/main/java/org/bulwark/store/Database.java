package org.bulwark.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.block.BlockFile;
import org.bulwark.store.block.DatabaseLabel;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One mounted database: its block file, its block table and its allocator, plus a cache of the
 * directory (global name → root block).
 */
final class Database
{
    final String name;
    final int index;
    final Path directory;
    final BlockFile file;
    final BlockTable table;
    final Allocator allocator;
    final int blockSizeBytes;
    final long uid;
    final boolean readOnly;
    final ConcurrentHashMap<String, Integer> roots = new ConcurrentHashMap<>();
    final Object directoryLock = new Object();

    Database(
        final String name,
        final int index,
        final Path directory,
        final BlockFile file,
        final boolean readOnly,
        final long latchTimeoutNs)
    {
        this.name = name;
        this.index = index;
        this.directory = directory;
        this.file = file;
        this.blockSizeBytes = file.blockSizeBytes();
        this.readOnly = readOnly;
        final UnsafeBuffer label = new UnsafeBuffer(file.mappedAddress(DatabaseLabel.LABEL_BLOCK), blockSizeBytes);
        this.uid = DatabaseLabel.uid(label);
        final int sizeBlocks = DatabaseLabel.sizeBlocks(label);
        this.table = new BlockTable(name, sizeBlocks, latchTimeoutNs);
        this.allocator = new Allocator(this, sizeBlocks, DatabaseLabel.expansionBlocks(label),
            DatabaseLabel.maxBlocks(label));
    }

    @Override
    public String toString()
    {
        return name + " (" + directory + ")";
    }
}
