package org.bulwark.journal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the journal (SPEC J-2, J-3, J-6), with defaults.
 */
public final class JournalConfig
{
    /**
     * How commits are made durable (SPEC J-3).
     */
    public enum SyncMethod
    {
        /** Positional writes, then {@code fdatasync} once per group of commits. */
        FDATASYNC,
        /** Writes through {@code O_DSYNC}: durable when the write returns. */
        DSYNC
    }

    public static final long DEFAULT_FILE_SIZE_BYTES = 64L << 20;
    public static final int DEFAULT_BUFFER_BYTES = 32 << 20;
    public static final long DEFAULT_FREEZE_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_ASYNC_FLUSH_INTERVAL_MS = 10;

    private final Path directory;
    private long fileSizeBytes = DEFAULT_FILE_SIZE_BYTES;
    private int bufferBytes = DEFAULT_BUFFER_BYTES;
    private SyncMethod syncMethod = SyncMethod.FDATASYNC;
    private long freezeTimeoutMs = DEFAULT_FREEZE_TIMEOUT_MS;
    private long asyncFlushIntervalMs = DEFAULT_ASYNC_FLUSH_INTERVAL_MS;
    private String filePrefix = "";
    private boolean committerSyncs = true;

    public JournalConfig(final Path directory)
    {
        this.directory = Objects.requireNonNull(directory, "journal directory");
    }

    public Path directory()
    {
        return directory;
    }

    public long fileSizeBytes()
    {
        return fileSizeBytes;
    }

    /**
     * Switch to a new file at this size; files are preallocated to it.
     */
    public JournalConfig fileSizeBytes(final long fileSizeBytes)
    {
        if (fileSizeBytes < (1 << 20) || fileSizeBytes > (1L << 40))
        {
            throw new IllegalArgumentException("journal file size must be 1 MiB to 1 TiB: " + fileSizeBytes);
        }
        this.fileSizeBytes = fileSizeBytes;
        return this;
    }

    public int bufferBytes()
    {
        return bufferBytes;
    }

    /**
     * The in-memory tail of the journal (a power of two); at most half of it per record.
     */
    public JournalConfig bufferBytes(final int bufferBytes)
    {
        if (Integer.bitCount(bufferBytes) != 1 || bufferBytes < (1 << 16))
        {
            throw new IllegalArgumentException("journal buffer must be a power of two of at least 64 KiB: " +
                bufferBytes);
        }
        this.bufferBytes = bufferBytes;
        return this;
    }

    public SyncMethod syncMethod()
    {
        return syncMethod;
    }

    public JournalConfig syncMethod(final SyncMethod syncMethod)
    {
        this.syncMethod = Objects.requireNonNull(syncMethod);
        return this;
    }

    public long freezeTimeoutMs()
    {
        return freezeTimeoutMs;
    }

    /**
     * How long a caller waits while the journal is frozen before it gets {@code <JOURNAL FROZEN>}.
     */
    public JournalConfig freezeTimeoutMs(final long freezeTimeoutMs)
    {
        this.freezeTimeoutMs = freezeTimeoutMs;
        return this;
    }

    public long asyncFlushIntervalMs()
    {
        return asyncFlushIntervalMs;
    }

    /**
     * How soon records of asynchronous commits are made durable (SPEC J-4).
     */
    public JournalConfig asyncFlushIntervalMs(final long asyncFlushIntervalMs)
    {
        this.asyncFlushIntervalMs = Math.max(1, asyncFlushIntervalMs);
        return this;
    }

    public String filePrefix()
    {
        return filePrefix;
    }

    /**
     * A prefix for file names and the list file: {@code MIRROR-<mirror>-} for mirror journals (J-2).
     */
    public JournalConfig filePrefix(final String filePrefix)
    {
        this.filePrefix = Objects.requireNonNull(filePrefix);
        return this;
    }

    public boolean committerSyncs()
    {
        return committerSyncs;
    }

    /**
     * Whether {@link Journal#writeNow(long)} may write and sync the journal on the caller's thread (a
     * RESP event loop after a turn's reads) when no write is in progress, rather than waking the writer
     * thread and waiting to be woken. On by default: it removes two thread wake-ups from a lone commit;
     * under load the writer thread is busy and loops rarely find the journal idle.
     */
    public JournalConfig committerSyncs(final boolean committerSyncs)
    {
        this.committerSyncs = committerSyncs;
        return this;
    }
}
