package org.bulwark.store;

/**
 * Told of every block a write daemon cycle has written to its block file, once the cycle is
 * complete — for an online backup, which copies block files while they change and copies again
 * what was written meanwhile. Called on the write daemon's thread: keep it short.
 */
@FunctionalInterface
public interface BlockWriteListener
{
    void written(int databaseIndex, int blockNumber);
}
