package org.bulwark.probes;

import java.util.concurrent.TimeUnit;

/**
 * What the pinger of {@code bulwark probe net} sends, and how long it waits.
 *
 * @param messages      measured pings (warm-up pings come on top, see {@link #warmupMessages()}).
 * @param sizeBytes     length of every ping and stream message.
 * @param ratePerSecond pings sent per second, on a fixed schedule.
 * @param streamNs      how long the one-way stream runs.
 * @param timeoutNs     how long the pinger waits for any answer before it gives up on the responder.
 * @param idle          how the pinger's thread waits (the responder has its own {@code --idle}).
 * @param replyPort     UDP port the answers come to, 0 for any free port.
 */
public record NetProbeSettings(
    int messages, int sizeBytes, int ratePerSecond, long streamNs, long timeoutNs, NetIdle idle, int replyPort)
{
    public static final int DEFAULT_PORT = 6390;
    public static final int DEFAULT_MESSAGES = 10_000;
    /** A small group commit's worth of journal: large enough to stream at link speed, small enough for one frame. */
    public static final int DEFAULT_SIZE_BYTES = 1024;
    public static final int DEFAULT_RATE_PER_SECOND = 2_000;
    public static final long DEFAULT_STREAM_NS = TimeUnit.SECONDS.toNanos(2);
    public static final long DEFAULT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    public static final int MAX_MESSAGES = 10_000_000;
    public static final int MAX_SIZE_BYTES = 64 * 1024;
    public static final int MAX_RATE_PER_SECOND = 1_000_000;
    private static final int MIN_WARMUP_MESSAGES = 50;
    private static final int MAX_WARMUP_MESSAGES = 5_000;

    /**
     * @throws IllegalArgumentException naming the option whose value is out of range.
     */
    public NetProbeSettings
    {
        check("--messages", messages, 1, MAX_MESSAGES);
        check("--size", sizeBytes, NetProbeMessages.HEADER_LENGTH, MAX_SIZE_BYTES);
        check("--rate", ratePerSecond, 1, MAX_RATE_PER_SECOND);
        check("--reply-port", replyPort, 0, 65_535);
        if (streamNs < TimeUnit.MILLISECONDS.toNanos(1) || streamNs > TimeUnit.HOURS.toNanos(1))
        {
            throw new IllegalArgumentException("option --stream must be 1 ms to 1 h");
        }
        if (timeoutNs < TimeUnit.MILLISECONDS.toNanos(10) || timeoutNs > TimeUnit.HOURS.toNanos(1))
        {
            throw new IllegalArgumentException("option --timeout must be 10 ms to 1 h");
        }
        if (null == idle)
        {
            throw new IllegalArgumentException("an idle strategy is needed");
        }
    }

    public static NetProbeSettings defaults()
    {
        return new NetProbeSettings(DEFAULT_MESSAGES, DEFAULT_SIZE_BYTES, DEFAULT_RATE_PER_SECOND, DEFAULT_STREAM_NS,
            DEFAULT_TIMEOUT_NS, NetIdle.BACKOFF, 0);
    }

    /**
     * Pings sent first and not recorded: the JIT, the drivers' buffers and the sockets settle in them.
     * A fifth of the measured ones, at least 50 and at most 5,000.
     */
    public int warmupMessages()
    {
        return Math.max(MIN_WARMUP_MESSAGES, Math.min(MAX_WARMUP_MESSAGES, messages / 5));
    }

    private static void check(final String option, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("option " + option + " must be " + min + " to " + max + ", not " +
                value);
        }
    }
}
