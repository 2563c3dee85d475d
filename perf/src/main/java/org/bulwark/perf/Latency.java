package org.bulwark.perf;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * Latency histograms recorded in nanoseconds (created and recorded by the native-probes module's
 * {@code Latency}, so probe and benchmark percentiles compare) and printed in microseconds, one
 * Markdown table row per measurement, so that results paste into RESULTS.md as they are.
 */
final class Latency
{
    /** Longest latency a histogram holds: anything longer is clamped to it (and shows as the max). */
    static final long HIGHEST_NS = org.bulwark.probes.Latency.HIGHEST_NS;

    private Latency()
    {
    }

    static Histogram newHistogram()
    {
        return org.bulwark.probes.Latency.newHistogram();
    }

    /**
     * Record without allocating, clamping values beyond the histogram's range.
     */
    static void record(final Histogram histogram, final long ns)
    {
        org.bulwark.probes.Latency.record(histogram, ns);
    }

    static String header(final String firstColumns)
    {
        return "| " + firstColumns + " | ops | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | ops/s |\n" +
            "|" + "---|".repeat(firstColumns.split("\\|").length) + "---:|---:|---:|---:|---:|---:|---:|";
    }

    /**
     * @param opsPerSecond NaN to leave the column empty.
     */
    static String row(final String firstColumns, final Histogram ns, final double opsPerSecond)
    {
        return String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %.1f | %.1f | %s |", firstColumns,
            ns.getTotalCount(), us(ns.getValueAtPercentile(50)), us(ns.getValueAtPercentile(90)),
            us(ns.getValueAtPercentile(99)), us(ns.getValueAtPercentile(99.9)), us(ns.getMaxValue()),
            Double.isNaN(opsPerSecond) ? "–" : String.format(Locale.ROOT, "%,.0f", opsPerSecond));
    }

    static double us(final long ns)
    {
        return ns / 1_000.0;
    }
}
