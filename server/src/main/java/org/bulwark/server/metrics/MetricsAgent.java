package org.bulwark.server.metrics;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The duty cycle that keeps the counters file current: on every call it copies the sampled
 * values (journal, write daemon, pool, sessions, locks) into their counters, and once per metrics
 * interval it publishes the latency histograms of that interval. Counters that the hot paths
 * increment themselves (commits, rollbacks) need nothing from it.
 */
final class MetricsAgent implements Agent
{
    private final EpochClock clock;
    private final long intervalMs;
    private final List<AtomicCounter> sampledCounters = new ArrayList<>();
    private final List<LongSupplier> samplers = new ArrayList<>();
    private final List<LatencyPublisher> latencies = new ArrayList<>();
    // Copied on registration and volatile, so that a subsystem started later (a server, mirroring)
    // may register while the agent runs; the agent reads each array once per duty cycle.
    private volatile Sampled sampled = new Sampled(new AtomicCounter[0], new LongSupplier[0]);
    private volatile LatencyPublisher[] latencyArray = new LatencyPublisher[0];

    /**
     * Counters and their sources, swapped as one so that the two arrays always match.
     */
    private record Sampled(AtomicCounter[] counters, LongSupplier[] sources)
    {
    }
    private long nextIntervalMs;

    MetricsAgent(final EpochClock clock, final long intervalMs)
    {
        this.clock = clock;
        this.intervalMs = intervalMs;
        this.nextIntervalMs = clock.time() + intervalMs;
    }

    synchronized void sample(final AtomicCounter counter, final LongSupplier source)
    {
        sampledCounters.add(counter);
        samplers.add(source);
        sampled = new Sampled(sampledCounters.toArray(new AtomicCounter[0]), samplers.toArray(new LongSupplier[0]));
    }

    synchronized void latency(final LatencyPublisher publisher)
    {
        latencies.add(publisher);
        latencyArray = latencies.toArray(new LatencyPublisher[0]);
    }

    @Override
    public String roleName()
    {
        return "bulwark-metrics";
    }

    /**
     * @return always 0: the idle strategy then sleeps one sampling period.
     */
    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        sampleNow();
        if (nowMs - nextIntervalMs >= 0)
        {
            nextIntervalMs = nowMs + intervalMs;
            for (final LatencyPublisher publisher : latencyArray)
            {
                publisher.publish();
            }
        }
        return 0;
    }

    void sampleNow()
    {
        final Sampled current = sampled;
        final AtomicCounter[] counters = current.counters();
        final LongSupplier[] sources = current.sources();
        for (int i = 0; i < counters.length; i++)
        {
            counters[i].setRelease(sources[i].getAsLong());
        }
    }

    @Override
    public void onClose()
    {
        // A last sample, so that a reader still mapping the file sees the final figures.
        sampleNow();
    }
}
