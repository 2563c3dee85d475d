package org.bulwark.wij;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the write image journal and the write daemon (SPEC W-1, W-3, W-5), with defaults.
 */
public final class WijConfig
{
    public static final long DEFAULT_CYCLE_INTERVAL_MS = 1_000;
    public static final int DEFAULT_DIRTY_THRESHOLD_PERCENT = 25;
    public static final long DEFAULT_COMPARE_TIME_LIMIT_MS = 10_000;
    public static final long DEFAULT_SEAL_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_SLOW_CYCLE_MS = 1_000;
    public static final long DEFAULT_SUMMARY_INTERVAL_MS = 600_000;

    private final Path directory;
    private long targetSizeBytes;
    private long cycleIntervalMs = DEFAULT_CYCLE_INTERVAL_MS;
    private int dirtyThresholdPercent = DEFAULT_DIRTY_THRESHOLD_PERCENT;
    private long compareTimeLimitMs = DEFAULT_COMPARE_TIME_LIMIT_MS;
    private long sealTimeoutMs = DEFAULT_SEAL_TIMEOUT_MS;
    private long slowCycleMs = DEFAULT_SLOW_CYCLE_MS;
    private long summaryIntervalMs = DEFAULT_SUMMARY_INTERVAL_MS;
    private int restoreThreads = 4;
    private boolean enabled = true;

    /**
     * @param directory {@code wijdir}: where {@code bulwark.wij} and {@code MISMATCH.WIJ} live.
     */
    public WijConfig(final Path directory)
    {
        this.directory = Objects.requireNonNull(directory, "wij directory");
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * @return {@code targwijsz}: bytes reserved up front; 0 grows the file as needed.
     */
    public long targetSizeBytes()
    {
        return targetSizeBytes;
    }

    public WijConfig targetSizeBytes(final long targetSizeBytes)
    {
        if (targetSizeBytes < 0)
        {
            throw new IllegalArgumentException("WIJ target size must not be negative: " + targetSizeBytes);
        }
        this.targetSizeBytes = targetSizeBytes;
        return this;
    }

    public long cycleIntervalMs()
    {
        return cycleIntervalMs;
    }

    public WijConfig cycleIntervalMs(final long cycleIntervalMs)
    {
        if (cycleIntervalMs < 1)
        {
            throw new IllegalArgumentException("write daemon interval must be at least 1 ms: " + cycleIntervalMs);
        }
        this.cycleIntervalMs = cycleIntervalMs;
        return this;
    }

    /**
     * @return the share of the buffer pool that, once dirty, starts a cycle at once.
     */
    public int dirtyThresholdPercent()
    {
        return dirtyThresholdPercent;
    }

    public WijConfig dirtyThresholdPercent(final int dirtyThresholdPercent)
    {
        if (dirtyThresholdPercent < 1 || dirtyThresholdPercent > 90)
        {
            throw new IllegalArgumentException("dirty threshold must be 1 to 90 percent: " + dirtyThresholdPercent);
        }
        this.dirtyThresholdPercent = dirtyThresholdPercent;
        return this;
    }

    public long compareTimeLimitMs()
    {
        return compareTimeLimitMs;
    }

    public WijConfig compareTimeLimitMs(final long compareTimeLimitMs)
    {
        this.compareTimeLimitMs = compareTimeLimitMs;
        return this;
    }

    public long sealTimeoutMs()
    {
        return sealTimeoutMs;
    }

    public WijConfig sealTimeoutMs(final long sealTimeoutMs)
    {
        this.sealTimeoutMs = sealTimeoutMs;
        return this;
    }

    /**
     * @return cycles slower than this are logged one by one.
     */
    public long slowCycleMs()
    {
        return slowCycleMs;
    }

    public WijConfig slowCycleMs(final long slowCycleMs)
    {
        this.slowCycleMs = slowCycleMs;
        return this;
    }

    public long summaryIntervalMs()
    {
        return summaryIntervalMs;
    }

    public WijConfig summaryIntervalMs(final long summaryIntervalMs)
    {
        this.summaryIntervalMs = summaryIntervalMs;
        return this;
    }

    public int restoreThreads()
    {
        return restoreThreads;
    }

    public WijConfig restoreThreads(final int restoreThreads)
    {
        this.restoreThreads = Math.max(1, restoreThreads);
        return this;
    }

    /**
     * @return false only in tests and benchmarks that measure what the WIJ prevents: blocks then go
     * straight to the block files, and a crash can tear them.
     */
    public boolean enabled()
    {
        return enabled;
    }

    public WijConfig enabled(final boolean enabled)
    {
        this.enabled = enabled;
        return this;
    }

    public Path wijPath()
    {
        return directory.resolve(WijFile.FILE_NAME);
    }

    public Path mismatchPath()
    {
        return directory.resolve(WijFile.MISMATCH_FILE_NAME);
    }
}
