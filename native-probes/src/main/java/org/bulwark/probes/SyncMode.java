package org.bulwark.probes;

/**
 * How each write of a probe is made durable before the next one starts.
 */
public enum SyncMode
{
    /** Page cache only: not durable, the reference floor. */
    NONE("page cache only"),
    /** {@code FileChannel.force(true)}: {@code fsync}, data and all metadata. */
    FSYNC("fsync (force(true))"),
    /** {@code FileChannel.force(false)}: {@code fdatasync}, data and the metadata needed to read it back. */
    FDATASYNC("fdatasync (force(false))"),
    /** A channel opened with {@code StandardOpenOption.DSYNC}: {@code O_DSYNC}, each write returns durable. */
    DSYNC("O_DSYNC open option");

    private final String description;

    SyncMode(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }
}
