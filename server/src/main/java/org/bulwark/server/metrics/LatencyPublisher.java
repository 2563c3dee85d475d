package org.bulwark.server.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Publishes one latency {@link Recorder} as counters: each interval it takes the samples recorded
 * since the last one (recording goes on meanwhile, wait-free) and sets the percentile and maximum
 * counters to that interval's figures, and adds to the since-start sample count and sum.
 * Called by the metrics agent's thread only.
 */
final class LatencyPublisher
{
    private final Recorder recorder;
    private final AtomicCounter[] quantileCounters;
    private final double[] percentiles;
    private final AtomicCounter maxCounter;
    private final AtomicCounter countCounter;
    private final AtomicCounter sumCounter;
    // Auto-resizing, so that it can take the samples of a recorder of any range; it only grows.
    private final Histogram interval = new Histogram(3);

    LatencyPublisher(final Recorder recorder, final AtomicCounter[] quantileCounters, final double[] quantiles,
        final AtomicCounter maxCounter, final AtomicCounter countCounter, final AtomicCounter sumCounter)
    {
        this.recorder = recorder;
        this.quantileCounters = quantileCounters;
        this.percentiles = new double[quantiles.length];
        for (int i = 0; i < quantiles.length; i++)
        {
            percentiles[i] = quantiles[i] * 100.0;
        }
        this.maxCounter = maxCounter;
        this.countCounter = countCounter;
        this.sumCounter = sumCounter;
    }

    void publish()
    {
        recorder.getIntervalHistogramInto(interval);
        final long count = interval.getTotalCount();
        for (int i = 0; i < quantileCounters.length; i++)
        {
            quantileCounters[i].setRelease(0 == count ? 0 : interval.getValueAtPercentile(percentiles[i]));
        }
        maxCounter.setRelease(0 == count ? 0 : interval.getMaxValue());
        if (count > 0)
        {
            // This thread is the only writer of these two.
            countCounter.setRelease(countCounter.getPlain() + count);
            sumCounter.setRelease(sumCounter.getPlain() + Math.round(interval.getMean() * count));
        }
    }
}
