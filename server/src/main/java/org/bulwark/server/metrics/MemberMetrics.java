package org.bulwark.server.metrics;

import org.HdrHistogram.Recorder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;
import org.bulwark.store.ErrorCode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A member's metrics (SPEC V-5): the counters of {@link CounterDescriptor} in its counters file,
 * the commit latency recorder, and the agent thread that samples the rest and publishes latency
 * percentiles once per interval. The methods the hot paths call ({@link #committed(long)},
 * {@link #rolledBack()}) are an atomic add and a wait-free recording: nothing allocates.
 */
public final class MemberMetrics implements AutoCloseable
{
    /**
     * Commits slower than this are recorded as this: a histogram of fixed range never resizes,
     * so recording never allocates.
     */
    private static final long LATENCY_MAX_US = TimeUnit.MINUTES.toMicros(10);
    private static final int SAMPLE_PERIOD_MAX_MS = 100;

    private final CountersFile file;
    private final AtomicCounter[] counters = new AtomicCounter[CounterDescriptor.values().length];
    private final AtomicCounter commits;
    private final AtomicCounter rollbacks;
    private final AtomicCounter[] errors = new AtomicCounter[ErrorCode.values().length];
    private final Recorder commitLatencyUs = new Recorder(LATENCY_MAX_US, 3);
    private final MetricsAgent agent;
    private final int samplePeriodMs;
    private Thread sampler;
    private volatile boolean sampling;

    private MemberMetrics(final CountersFile file, final int intervalMs)
    {
        this.file = file;
        for (final CounterDescriptor descriptor : CounterDescriptor.values())
        {
            final AtomicCounter counter = file.newCounter(descriptor.label(), descriptor.kind().typeId());
            if (counter.id() != descriptor.id())
            {
                throw new IllegalStateException("counter " + descriptor + " got id " + counter.id() + ", expected " +
                    descriptor.id());
            }
            counters[descriptor.id()] = counter;
        }
        for (final ErrorCode code : ErrorCode.values())
        {
            errors[code.ordinal()] = file.newCounter(errorLabel(code), CounterDescriptor.Kind.COUNTER.typeId());
        }
        this.commits = counter(CounterDescriptor.COMMITS);
        this.rollbacks = counter(CounterDescriptor.ROLLBACKS);
        this.agent = new MetricsAgent(SystemEpochClock.INSTANCE, intervalMs);
        // Sample several times per interval, so that sampled counters are never much older than
        // the ones the hot paths move themselves.
        this.samplePeriodMs = Math.max(1, Math.min(SAMPLE_PERIOD_MAX_MS, intervalMs / 10));
        latency(commitLatencyUs, CounterDescriptor.COMMIT_LATENCY_P50_US);
    }

    /**
     * Create the counters file in the data directory (replacing one a killed member left).
     *
     * @param intervalMs latency percentiles cover this long; sampled counters are copied ten
     *                   times per interval, at least every 100 ms.
     */
    public static MemberMetrics create(final Path dataDirectory, final int intervalMs) throws IOException
    {
        final CountersFile file = CountersFile.create(dataDirectory, System.currentTimeMillis(), intervalMs);
        try
        {
            return new MemberMetrics(file, intervalMs);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(file);
            throw ex;
        }
    }

    /**
     * Copy a value into a counter on every sampling (from now on, also after {@link #start}).
     */
    public MemberMetrics sample(final CounterDescriptor descriptor, final LongSupplier source)
    {
        agent.sample(counter(descriptor), source);
        return this;
    }

    /**
     * Publish a latency recorder in microseconds through the counters that follow {@code first} in
     * {@link CounterDescriptor}: its percentiles, then its maximum, sample count and sum.
     */
    public MemberMetrics latency(final Recorder recorderUs, final CounterDescriptor first)
    {
        final CounterDescriptor[] all = CounterDescriptor.values();
        int id = first.id();
        int quantiles = 0;
        while (all[id + quantiles].kind() == CounterDescriptor.Kind.QUANTILE_US)
        {
            quantiles++;
        }
        final AtomicCounter[] quantileCounters = new AtomicCounter[quantiles];
        final double[] values = new double[quantiles];
        for (int i = 0; i < quantiles; i++)
        {
            quantileCounters[i] = counters[id + i];
            values[i] = all[id + i].quantile();
        }
        id += quantiles;
        expect(all[id], CounterDescriptor.Kind.MAX_US);
        expect(all[id + 1], CounterDescriptor.Kind.SUMMARY_COUNT);
        expect(all[id + 2], CounterDescriptor.Kind.SUMMARY_SUM_US);
        agent.latency(new LatencyPublisher(recorderUs, quantileCounters, values, counters[id], counters[id + 1],
            counters[id + 2]));
        return this;
    }

    private static void expect(final CounterDescriptor descriptor, final CounterDescriptor.Kind kind)
    {
        if (descriptor.kind() != kind)
        {
            throw new IllegalStateException(descriptor + " is " + descriptor.kind() + " where a latency's " + kind +
                " belongs");
        }
    }

    /**
     * Start the agent thread and publish the file as running.
     *
     * @param errorHandler receives what a sampling throws (messages.log).
     */
    public void start(final Consumer<Throwable> errorHandler)
    {
        agent.sampleNow();
        sampling = true;
        sampler = new Thread(() -> sample(errorHandler), agent.roleName());
        sampler.setDaemon(true);
        sampler.start();
        file.running();
    }

    /**
     * The sampling thread: parks between samples rather than sleeping, so that close wakes it at
     * once (a member opened and closed many times, as recovery tests do, would otherwise wait out
     * a sampling period at every close).
     */
    private void sample(final Consumer<Throwable> errorHandler)
    {
        final long periodNs = TimeUnit.MILLISECONDS.toNanos(samplePeriodMs);
        while (sampling)
        {
            try
            {
                agent.doWork();
            }
            catch (final RuntimeException ex)
            {
                errorHandler.accept(ex);
            }
            LockSupport.parkNanos(this, periodNs);
        }
        agent.onClose();
    }

    /**
     * A commit that returned once durable: count it and record how long the caller waited.
     */
    public void committed(final long latencyNs)
    {
        commits.increment();
        commitLatencyUs.recordValue(Math.min(LATENCY_MAX_US, latencyNs / 1_000));
    }

    /**
     * The latency of a commit counted earlier by {@link #committedWithoutWait()} whose caller
     * learned later that it is durable (the RESP server's held replies).
     */
    public void commitLatency(final long latencyNs)
    {
        commitLatencyUs.recordValue(Math.min(LATENCY_MAX_US, latencyNs / 1_000));
    }

    /**
     * A commit that returned before it was durable (asynchronous), or without a journal.
     */
    public void committedWithoutWait()
    {
        commits.increment();
    }

    /**
     * A whole transaction rolled back.
     */
    public void rolledBack()
    {
        rollbacks.increment();
    }

    /**
     * An error returned to a client, by its G-5 name: called where errors become replies (the
     * shell; the RESP server and the terminal).
     */
    public void error(final ErrorCode code)
    {
        errors[code.ordinal()].increment();
    }

    /**
     * @return the counter id of the errors of one G-5 name: they follow {@link CounterDescriptor}'s.
     */
    public static int errorCounterId(final ErrorCode code)
    {
        return CounterDescriptor.values().length + code.ordinal();
    }

    static String errorLabel(final ErrorCode code)
    {
        return "errors " + code.bracketed();
    }

    public AtomicCounter counter(final CounterDescriptor descriptor)
    {
        return counters[descriptor.id()];
    }

    /**
     * @return a reader over these counters: what the Prometheus endpoint serves.
     */
    public CountersReader reader()
    {
        return file.reader();
    }

    public Path path()
    {
        return file.path();
    }

    /**
     * Stop the agent (it samples a last time) and mark the counters file closed and delete it.
     */
    @Override
    public void close() throws IOException
    {
        sampling = false;
        final Thread thread = sampler;
        if (null != thread)
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        file.close();
    }
}
