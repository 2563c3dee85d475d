package org.bulwark.perf.compare;

import java.util.List;
import java.util.Locale;

/**
 * One target of the side-by-side comparison: a ratio of the baseline (Bulwark) to a peer at one client count,
 * either p50 latency at most {@code factor} times the peer's, or throughput at least {@code factor} times.
 * Judged only on the workload the targets are defined for (durable SETs, closed loop) and on runs where every
 * op replied without an error.
 */
record Goal(String peer, int clients, Measure measure, double factor)
{
    /** What a goal compares. */
    enum Measure
    {
        /** Baseline p50 / peer p50 ≤ factor. */
        P50_AT_MOST,
        /** Baseline throughput / peer throughput ≥ factor. */
        THROUGHPUT_AT_LEAST
    }

    /**
     * The targets of SPEC B-3 for durable SETs: 1-client p50 ≤ 0.6 × Redis with appendfsync always; 64-client
     * throughput ≥ 2 × Redis and ≥ 3 × PostgreSQL with synchronous_commit = on.
     */
    static final List<Goal> DURABLE_SET = List.of(
        new Goal("redis-aof", 1, Measure.P50_AT_MOST, 0.6),
        new Goal("redis-aof", 64, Measure.THROUGHPUT_AT_LEAST, 2.0),
        new Goal("pg-sync", 64, Measure.THROUGHPUT_AT_LEAST, 3.0));

    String describe(final String baseline)
    {
        return measure == Measure.P50_AT_MOST ?
            String.format(Locale.ROOT, "%d-client p50: %s ≤ %.1f × %s", clients, baseline, factor, peer) :
            String.format(Locale.ROOT, "%d-client throughput: %s ≥ %.0f × %s", clients, baseline, factor, peer);
    }

    /**
     * @return the measured ratio (baseline over peer), NaN when either system has no run at this client count.
     */
    double measured(final Comparison comparison, final String baseline)
    {
        return measure == Measure.P50_AT_MOST ? comparison.p50Ratio(baseline, peer, clients) :
            comparison.throughputRatio(baseline, peer, clients);
    }

    boolean met(final double ratio)
    {
        return measure == Measure.P50_AT_MOST ? ratio <= factor : ratio >= factor;
    }

    /**
     * @return the verdict on the best rounds of the baseline and the peer: met, not met, not measured (a run
     * missing, or with errors or unfinished ops), not evaluated (another workload than durable SET, closed loop).
     */
    String verdict(final Comparison comparison, final String baseline)
    {
        final RunResult mine = comparison.best(baseline, clients);
        final RunResult theirs = comparison.best(peer, clients);
        if (mine == null || theirs == null)
        {
            return "not measured (no " + clients + "-client run of both)";
        }
        if (!mine.durableSetClosedLoop() || !theirs.durableSetClosedLoop())
        {
            return "not evaluated (goals are defined for durable SET, closed loop)";
        }
        for (final RunResult run : List.of(mine, theirs))
        {
            if (!run.clean())
            {
                return "not measured (" + run.label() + " has " + run.flaws() + ")";
            }
        }
        return met(measured(comparison, baseline)) ? "**met**" : "not met";
    }
}
