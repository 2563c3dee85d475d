package org.bulwark.probes;

import org.HdrHistogram.Histogram;

/**
 * The latencies of one shape of durable write and the rate of the measured part.
 *
 * @param latencyNs    one value per measured write (warm-up excluded), in nanoseconds.
 * @param opsPerSecond measured writes divided by the wall-clock time they took together.
 */
public record WriteLatency(Histogram latencyNs, double opsPerSecond)
{
    /**
     * Two measurements of the same shape as one: the histograms added, the rate over the time both took.
     *
     * @param earlier null for none.
     */
    public static WriteLatency merge(final WriteLatency earlier, final WriteLatency later)
    {
        if (null == earlier)
        {
            return later;
        }
        final Histogram both = Latency.newHistogram();
        both.add(earlier.latencyNs);
        both.add(later.latencyNs);
        final double seconds = earlier.count() / earlier.opsPerSecond + later.count() / later.opsPerSecond;
        return new WriteLatency(both, both.getTotalCount() / seconds);
    }

    public long p50Ns()
    {
        return latencyNs.getValueAtPercentile(50);
    }

    public long percentileNs(final double percentile)
    {
        return latencyNs.getValueAtPercentile(percentile);
    }

    public long maxNs()
    {
        return latencyNs.getMaxValue();
    }

    public long count()
    {
        return latencyNs.getTotalCount();
    }
}
