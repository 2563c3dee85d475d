package org.bulwark.common.io;

/**
 * How much of a file a sync makes durable.
 */
public enum SyncLevel
{
    /** No sync: the page cache decides (only for scratch files and benchmarks). */
    NONE,
    /** The file's data and the metadata needed to read it back ({@code fdatasync}). */
    DATA,
    /** Data and all metadata ({@code fsync}): after changing a file's size or creating it. */
    DATA_AND_METADATA
}
