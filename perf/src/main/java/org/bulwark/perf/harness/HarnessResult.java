package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/**
 * What a run produced: the totals, the whole run's latency histogram and the files written.
 */
final class HarnessResult
{
    final HarnessOptions options;
    final Path json;
    final Path hlog;
    final Path png;
    RunTotals totals;
    Histogram latencyNs;
    double durationS;
    Instant startedAt;

    HarnessResult(final HarnessOptions options, final Path json, final Path hlog, final Path png)
    {
        this.options = options;
        this.json = json;
        this.hlog = hlog;
        this.png = png;
    }

    /**
     * @return the one line printed on standard output; its ops/s is the throughput achieved (non-error replies
     *         inside the measured time).
     */
    String summaryLine()
    {
        return String.format(Locale.ROOT, "%s: %,d ops, %,d errors%s, %,.0f ops/s over %.1f s; latency µs p50 %.1f " +
            "p90 %.1f p99 %.1f p99.9 %.1f max %.1f; %s", options.label, totals.ops, totals.errors,
            totals.unfinished > 0 ? ", " + totals.unfinished + " unfinished" : "",
            totals.throughputOpsPerSec(durationS), durationS, us(50), us(90), us(99), us(99.9),
            latencyNs.getMaxValue() / 1_000.0, json.resolveSibling(options.label + ".{json,hlog,png}"));
    }

    private double us(final double percentile)
    {
        return latencyNs.getValueAtPercentile(percentile) / 1_000.0;
    }
}
