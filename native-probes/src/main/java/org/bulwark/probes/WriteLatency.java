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
