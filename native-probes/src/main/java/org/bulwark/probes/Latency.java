package org.bulwark.probes;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Latency histograms recorded in nanoseconds: one range and precision for every probe and
 * benchmark, so their percentiles compare.
 */
public final class Latency
{
    /** Longest latency a histogram holds: anything longer is clamped to it (and shows as the max). */
    public static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    private Latency()
    {
    }

    public static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_NS, 3);
    }

    /**
     * Record without allocating, clamping values beyond the histogram's range.
     */
    public static void record(final Histogram histogram, final long ns)
    {
        histogram.recordValue(Math.min(Math.max(ns, 0), HIGHEST_NS));
    }

    public static double us(final long ns)
    {
        return ns / 1_000.0;
    }
}
