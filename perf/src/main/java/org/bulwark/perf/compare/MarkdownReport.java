package org.bulwark.perf.compare;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders a {@link Comparison} as markdown: the absolute figures of every system (best round by throughput), the
 * ratios of the baseline to each peer, and the goals with their verdicts. A run with error replies or unfinished
 * ops is never shown unmarked: its ops/s carries them, as {@code 16,000 (2 errors)}.
 */
final class MarkdownReport
{
    private final Comparison comparison;
    private final String baseline;
    private final List<Goal> goals;

    MarkdownReport(final Comparison comparison, final String baseline, final List<Goal> goals)
    {
        this.comparison = comparison;
        this.baseline = baseline;
        this.goals = goals;
    }

    String render()
    {
        final StringBuilder md = new StringBuilder();
        absolute(md);
        ratios(md);
        goals(md);
        return md.toString();
    }

    private void absolute(final StringBuilder md)
    {
        md.append("### Absolute figures\n\n")
            .append("Aggregation: best of ").append(maxRounds()).append(" round(s) by throughput. Each row is the ")
            .append("round with the highest ops/s, with that same round's latencies; \"rounds\" lists every ")
            .append("round's ops/s in order. ops/s counts the replies without an error that arrived in the ")
            .append("measured time. A round with errors or unfinished ops is chosen only when every round has ")
            .append("some, and marked. Latencies in µs, from the client's side.\n\n")
            .append("| clients | system | ops/s | p50 µs | p99 µs | p99.9 µs | max µs | errors | rounds ops/s |\n")
            .append("|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (final int clients : comparison.clientCounts())
        {
            for (final String system : comparison.systems())
            {
                final RunResult best = comparison.best(system, clients);
                if (best == null)
                {
                    md.append(String.format(Locale.ROOT, "| %d | %s | no run | | | | | | |%n", clients, system));
                    continue;
                }
                final String rounds = comparison.rounds(system, clients).stream()
                    .map(MarkdownReport::marked).collect(Collectors.joining(" / "));
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %,d | %s |%n", clients,
                    system.equals(baseline) ? "**" + system + "**" : system, marked(best),
                    micros(best.p50Us()), micros(best.p99Us()), micros(best.p999Us()), micros(best.maxUs()),
                    best.errors(), rounds));
            }
        }
        md.append('\n');
    }

    private void ratios(final StringBuilder md)
    {
        md.append("### ").append(baseline).append(" / peer\n\n")
            .append("Latency ratio: ").append(baseline).append(" p50 / peer p50 (below 1: ").append(baseline)
            .append(" answers faster). Throughput ratio: ").append(baseline)
            .append(" ops/s / peer ops/s (above 1: ").append(baseline).append(" does more). Best rounds.\n\n")
            .append("| clients | peer | p50 ").append(baseline).append("/peer | throughput ").append(baseline)
            .append("/peer |\n")
            .append("|---:|---|---:|---:|\n");
        boolean flawed = false;
        for (final int clients : comparison.clientCounts())
        {
            for (final String peer : comparison.systems())
            {
                if (peer.equals(baseline))
                {
                    continue;
                }
                final double p50 = comparison.p50Ratio(baseline, peer, clients);
                final String mark = Double.isNaN(p50) || comparison.bothClean(baseline, peer, clients) ? "" : " *";
                flawed |= !mark.isEmpty();
                md.append(String.format(Locale.ROOT, "| %d | %s | %s%s | %s%s |%n", clients, peer, ratio(p50), mark,
                    ratio(comparison.throughputRatio(baseline, peer, clients)), mark));
            }
        }
        if (flawed)
        {
            md.append("\n\\* a ratio involving a run with errors or unfinished ops (marked in the figures above)\n");
        }
        md.append('\n');
    }

    private void goals(final StringBuilder md)
    {
        md.append("### Goals (durable SET)\n\n")
            .append("| goal | measured | verdict |\n")
            .append("|---|---:|---|\n");
        for (final Goal goal : goals)
        {
            md.append("| ").append(goal.describe(baseline)).append(" | ")
                .append(ratio(goal.measured(comparison, baseline))).append(" | ")
                .append(goal.verdict(comparison, baseline)).append(" |\n");
        }
        md.append('\n');
    }

    private int maxRounds()
    {
        int rounds = 0;
        for (final String system : comparison.systems())
        {
            for (final int clients : comparison.clientCounts())
            {
                rounds = Math.max(rounds, comparison.rounds(system, clients).size());
            }
        }
        return rounds;
    }

    /**
     * @return the run's ops/s, followed by its errors and unfinished ops if it has any.
     */
    static String marked(final RunResult run)
    {
        return opsPerSec(run.throughputOpsPerSec()) + (run.clean() ? "" : " (" + run.flaws() + ")");
    }

    static String opsPerSec(final double value)
    {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    /** One decimal below 100 µs (loopback round trips), whole microseconds above. */
    static String micros(final double value)
    {
        return value < 100 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%,.0f", value);
    }

    static String ratio(final double value)
    {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f ×", value);
    }
}
