package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The load/latency harness (SPEC B-2): drives a RESP server (a Bulwark member, Redis) or
 * PostgreSQL with N clients, closed loop or at a fixed rate with coordinated-omission corrected
 * latencies ({@link RunSchedule}), and writes an HdrHistogram log, a JSON summary and a percentile
 * plot, then prints one summary line on standard output (progress goes to standard error).
 *
 * <pre>
 * perf/run-harness.sh --target resp://127.0.0.1:6380 --clients 16 --duration 30s --rate 5000 --mix set=50,get=50
 * perf/run-harness.sh --target 'jdbc:postgresql://127.0.0.1:5432/bench?user=bench' --clients 4
 * </pre>
 *
 * Exit status: 0 after a run (error replies are counted, not fatal), 1 when the run failed (a
 * connection refused or lost), 2 for bad options.
 */
public final class LoadHarness
{
    private static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** Beyond the drivers' own drain time: how long a client stuck in a call may keep the run open. */
    private static final long STUCK_GRACE_NS = TimeUnit.SECONDS.toNanos(5);

    private LoadHarness()
    {
    }

    public static void main(final String[] args)
    {
        final int status = execute(args, System.out, System.err);
        if (status != 0)
        {
            System.exit(status);
        }
    }

    /**
     * @return the exit status: 0 after a run, 1 when it failed, 2 for bad options.
     */
    static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        final HarnessOptions options;
        try
        {
            options = HarnessOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("run-harness: " + ex.getMessage());
            return 2;
        }
        if (null == options)
        {
            out.print(HarnessOptions.USAGE);
            return 0;
        }
        try
        {
            out.println(run(options, err).summaryLine());
            return 0;
        }
        catch (final HarnessException ex)
        {
            err.println("run-harness: " + ex.getMessage());
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("run-harness: interrupted");
            return 1;
        }
    }

    /**
     * One run: connect, preload if asked, warm up, measure, drain, write the files.
     *
     * @param progress where progress lines go.
     */
    static HarnessResult run(final HarnessOptions options, final PrintStream progress)
        throws HarnessException, InterruptedException
    {
        final Path out = options.outDir;
        try
        {
            Files.createDirectories(out);
        }
        catch (final IOException ex)
        {
            throw new HarnessException("--out: cannot create directory " + out + ": " + ex.getMessage(), ex);
        }
        final HarnessResult result = new HarnessResult(options, out.resolve(options.label + ".json"),
            out.resolve(options.label + ".hlog"), out.resolve(options.label + ".png"));
        try (LoadDriver driver = options.target.isResp() ? new RespLoadDriver(options) :
            new JdbcLoadDriver(options))
        {
            progress.printf("run-harness: %s: connecting %d client(s)%n", options.target.printable(), options.clients);
            driver.connect();
            if (options.preload)
            {
                progress.printf("run-harness: preloading %,d keys%n", options.keys);
                driver.preload();
            }
            progress.printf(Locale.ROOT, "run-harness: %s%s, warm-up %.1f s, measuring %.1f s%n", options.describe(),
                options.waitReplicas > 0 ? " wait-replicas=" + options.waitReplicas : "", options.warmupNs / 1e9,
                options.durationNs / 1e9);
            final Recorder recorder = OpRecording.newRecorder();
            final RunSchedule schedule = new RunSchedule(System.nanoTime(), options.warmupNs, options.durationNs,
                options.rateOpsPerSec, options.clients);
            driver.start(schedule, recorder);
            driver.awaitEnd(schedule.measureStartNs);
            // Nothing of the warm-up is recorded: what the recorder holds now are the first ops of the
            // measured time, which go into the first interval.
            final Histogram early = recorder.getIntervalHistogram();
            final long lateNs = System.nanoTime() - schedule.measureStartNs;
            result.startedAt = Instant.now().minusNanos(Math.max(0, lateNs));
            result.latencyNs = measure(options, driver, schedule, recorder, early, result);
            result.totals = driver.totals();
        }
        result.durationS = options.durationNs / 1e9;
        write(result);
        return result;
    }

    /**
     * Log one interval per second until every client has ended.
     *
     * @return the whole run's latencies.
     */
    private static Histogram measure(final HarnessOptions options, final LoadDriver driver,
        final RunSchedule schedule, final Recorder recorder, final Histogram early, final HarnessResult result)
        throws HarnessException, InterruptedException
    {
        final Histogram total = new Histogram(OpRecording.HIGHEST_NS, 3);
        final long stuckDeadlineNs = schedule.endNs + LoadDriver.DRAIN_NS + STUCK_GRACE_NS;
        try (IntervalLog log = new IntervalLog(result.hlog, options.label + ", " + options.describe(),
            result.startedAt.toEpochMilli()))
        {
            Histogram interval = null;
            long tickNs = schedule.measureStartNs + INTERVAL_NS;
            boolean ended = false;
            while (!ended)
            {
                ended = driver.awaitEnd(Math.min(tickNs, stuckDeadlineNs));
                final long nowNs = System.nanoTime();
                if (ended || nowNs - tickNs >= 0)
                {
                    interval = recorder.getIntervalHistogram(interval);
                    if (early.getTotalCount() > 0)
                    {
                        interval.add(early);
                        early.reset();
                    }
                    if (tickNs == schedule.measureStartNs + INTERVAL_NS)
                    {
                        interval.setStartTimeStamp(result.startedAt.toEpochMilli());
                    }
                    log.write(interval);
                    total.add(interval);
                    tickNs += INTERVAL_NS;
                }
                if (!ended && nowNs - stuckDeadlineNs >= 0)
                {
                    throw new HarnessException(options.target.printable() + ": clients still wait for replies " +
                        TimeUnit.NANOSECONDS.toSeconds(nowNs - schedule.endNs) + " s after the end of the " +
                        "measured time; giving up");
                }
            }
        }
        catch (final IOException ex)
        {
            throw new HarnessException("--out: cannot write " + result.hlog + ": " + ex.getMessage(), ex);
        }
        return total;
    }

    private static void write(final HarnessResult result) throws HarnessException
    {
        final HarnessOptions options = result.options;
        try
        {
            Files.writeString(result.json, SummaryJson.render(options, result.totals, result.latencyNs,
                result.durationS, result.startedAt), StandardCharsets.UTF_8);
            PercentilePlot.write(result.latencyNs, options.label, String.format(Locale.ROOT,
                "%s: %s, %d client(s), %s, %s; %,d ops, %,.0f ops/s", options.target.system,
                options.target.printable(), options.clients, options.closedLoop() ? "closed loop" :
                "fixed rate " + options.rateOpsPerSec + " ops/s", options.mix, result.totals.ops,
                result.totals.throughputOpsPerSec(result.durationS)), result.png);
        }
        catch (final IOException ex)
        {
            throw new HarnessException("--out: cannot write the results to " + options.outDir + ": " +
                ex.getMessage(), ex);
        }
    }
}
