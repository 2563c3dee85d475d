package org.bulwark.perf.compare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The runs of one side-by-side comparison grouped by system and client count, each group aggregated as the best
 * of its rounds by throughput: the round with the highest ops/s, with that same round's latencies (never a
 * mix of rounds). Rounds are interleaved across systems, so the best round of each is the one the machine's
 * other load disturbed least. A round with error replies or unfinished ops is best only when every round of
 * its group has some; the report marks it ({@link RunResult#clean()}).
 */
final class Comparison
{
    private final List<String> systems;
    private final TreeSet<Integer> clientCounts = new TreeSet<>();
    private final Map<String, Map<Integer, List<RunResult>>> runs = new LinkedHashMap<>();

    /**
     * @param systemOrder the order systems are listed in; systems of {@code results} not in it follow, by name.
     */
    Comparison(final List<RunResult> results, final List<String> systemOrder)
    {
        final List<String> order = new ArrayList<>(systemOrder);
        results.stream().map(RunResult::system).distinct().filter(s -> !order.contains(s)).sorted()
            .forEach(order::add);
        for (final String system : order)
        {
            runs.put(system, new TreeMap<>());
        }
        for (final RunResult run : results)
        {
            clientCounts.add(run.clients());
            runs.get(run.system()).computeIfAbsent(run.clients(), c -> new ArrayList<>()).add(run);
        }
        for (final Map<Integer, List<RunResult>> byClients : runs.values())
        {
            byClients.values().forEach(rounds -> rounds.sort(Comparator.comparingInt(RunResult::round)));
        }
        this.systems = List.copyOf(order);
    }

    List<String> systems()
    {
        return systems;
    }

    List<Integer> clientCounts()
    {
        return List.copyOf(clientCounts);
    }

    /**
     * @return the runs of {@code system} with {@code clients}, by round; empty when there are none.
     */
    List<RunResult> rounds(final String system, final int clients)
    {
        final Map<Integer, List<RunResult>> byClients = runs.get(system);
        return byClients == null ? List.of() : byClients.getOrDefault(clients, List.of());
    }

    /**
     * @return the clean round (no errors, nothing unfinished) of {@code system} with {@code clients} with the
     * highest throughput; without a clean round the round with the highest throughput; null without runs.
     */
    RunResult best(final String system, final int clients)
    {
        final List<RunResult> rounds = rounds(system, clients);
        final Comparator<RunResult> byThroughput = Comparator.comparingDouble(RunResult::throughputOpsPerSec);
        return rounds.stream().filter(RunResult::clean).max(byThroughput)
            .orElseGet(() -> rounds.stream().max(byThroughput).orElse(null));
    }

    /**
     * @return whether the best rounds of both systems with {@code clients} exist and are clean.
     */
    boolean bothClean(final String system, final String peer, final int clients)
    {
        final RunResult mine = best(system, clients);
        final RunResult theirs = best(peer, clients);
        return mine != null && theirs != null && mine.clean() && theirs.clean();
    }

    /**
     * @return p50 latency of {@code system} over that of {@code peer} (below 1: {@code system} answers faster),
     * or NaN when either has no run with {@code clients}.
     */
    double p50Ratio(final String system, final String peer, final int clients)
    {
        final RunResult mine = best(system, clients);
        final RunResult theirs = best(peer, clients);
        return mine == null || theirs == null ? Double.NaN : mine.p50Us() / theirs.p50Us();
    }

    /**
     * @return throughput of {@code system} over that of {@code peer} (above 1: {@code system} does more),
     * or NaN when either has no run with {@code clients}.
     */
    double throughputRatio(final String system, final String peer, final int clients)
    {
        final RunResult mine = best(system, clients);
        final RunResult theirs = best(peer, clients);
        return mine == null || theirs == null ? Double.NaN :
            mine.throughputOpsPerSec() / theirs.throughputOpsPerSec();
    }
}
