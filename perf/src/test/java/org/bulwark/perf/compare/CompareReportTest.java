package org.bulwark.perf.compare;

import org.bulwark.probes.JsonReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareReportTest
{
    private static final List<String> SYSTEMS = List.of("bulwark", "redis-aof", "pg-sync");

    private static Path samples() throws URISyntaxException
    {
        return Path.of(CompareReportTest.class.getResource("/compare").toURI());
    }

    private static Comparison sampleComparison() throws IOException, URISyntaxException
    {
        final List<RunResult> results = new ArrayList<>();
        try (var files = Files.list(samples()))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList())
            {
                results.add(RunResult.fromJson(JsonReader.parse(Files.readString(file), file.toString()),
                    file.toString()));
            }
        }
        return new Comparison(results, SYSTEMS);
    }

    @Test
    void theBestRoundIsTheFastestOneWithItsOwnLatencies() throws Exception
    {
        final Comparison comparison = sampleComparison();

        final RunResult bulwark = comparison.best("bulwark", 1);
        assertEquals(2, bulwark.round());
        assertEquals(3600.0, bulwark.throughputOpsPerSec());
        assertEquals(240.5, bulwark.p50Us());
        // Redis' second round has the lower p50 but the lower throughput: the first round's p50 is reported.
        final RunResult redis = comparison.best("redis-aof", 1);
        assertEquals(1, redis.round());
        assertEquals(180.0, redis.p50Us());
        assertEquals(List.of(1, 2), comparison.rounds("redis-aof", 1).stream().map(RunResult::round).toList());
        assertNull(comparison.best("pg-sync", 1));
        assertEquals(List.of(1, 64), comparison.clientCounts());
        assertEquals(SYSTEMS, comparison.systems());
    }

    @Test
    void ratiosAreBulwarkOverThePeer() throws Exception
    {
        final Comparison comparison = sampleComparison();

        assertEquals(240.5 / 180.0, comparison.p50Ratio("bulwark", "redis-aof", 1), 1e-9);
        assertEquals(3600.0 / 5300.0, comparison.throughputRatio("bulwark", "redis-aof", 1), 1e-9);
        assertEquals(34000.0 / 12000.0, comparison.throughputRatio("bulwark", "pg-sync", 64), 1e-9);
        assertTrue(Double.isNaN(comparison.p50Ratio("bulwark", "pg-sync", 1)));
    }

    @Test
    void goalsAreJudgedOnTheirRatios() throws Exception
    {
        final Comparison comparison = sampleComparison();
        final Goal p50 = Goal.DURABLE_SET.get(0);
        final Goal redisThroughput = Goal.DURABLE_SET.get(1);
        final Goal pgThroughput = Goal.DURABLE_SET.get(2);

        assertEquals("1-client p50: bulwark ≤ 0.6 × redis-aof", p50.describe("bulwark"));
        assertEquals(false, p50.met(p50.measured(comparison, "bulwark")));
        assertEquals(true, p50.met(0.6));
        assertEquals(true, redisThroughput.met(redisThroughput.measured(comparison, "bulwark")));
        assertEquals(false, pgThroughput.met(pgThroughput.measured(comparison, "bulwark")));
        assertEquals(true, pgThroughput.met(3.0));
    }

    @Test
    void theReportHasTheTablesTheGoalsAndTheFailedRuns() throws Exception
    {
        final String report = CompareReport.report(new String[] {samples().toString(), "--systems",
            "bulwark redis-aof pg-sync"});

        assertTrue(report.contains("best of 2 round(s) by throughput"), report);
        assertTrue(report.contains("| 1 | **bulwark** | 3,600 | 241 | 500 | 880 | 8,000 | 0 | 3,400 / 3,600 |"),
            report);
        assertTrue(report.contains("| 1 | pg-sync | no run |"), report);
        // Redis' only 64-client round had error replies: marked wherever it shows, and its goal not judged.
        assertTrue(report.contains("| 64 | redis-aof | 16,000 (2 errors) | 3,900 | 8,000 | 12,000 | 15,000 | 2 | " +
            "16,000 (2 errors) |"), report);
        assertTrue(report.contains("| 1 | redis-aof | 1.34 × | 0.68 × |"), report);
        assertTrue(report.contains("| 64 | redis-aof | 0.31 × * | 2.13 × * |"), report);
        assertTrue(report.contains("\\* a ratio involving a run with errors or unfinished ops"), report);
        assertTrue(report.contains("| 64 | pg-sync | 0.23 × | 2.83 × |"), report);
        assertTrue(report.contains("| 1-client p50: bulwark ≤ 0.6 × redis-aof | 1.34 × | not met |"), report);
        assertTrue(report.contains("| 64-client throughput: bulwark ≥ 2 × redis-aof | 2.13 × | not measured " +
            "(redis-aof-c64-r1 has 2 errors) |"), report);
        assertTrue(report.contains("| 64-client throughput: bulwark ≥ 3 × pg-sync | 2.83 × | not met |"), report);
        assertTrue(report.contains("- pg-sync-c1-r1: failed (peer did not start)"), report);
        assertTrue(!report.contains("bulwark-c1-r1: ok"), report);
    }

    @Test
    void aGoalWithoutRunsIsNotMeasured(@TempDir final Path dir) throws Exception
    {
        Files.copy(samples().resolve("bulwark-c1-r1.json"), dir.resolve("bulwark-c1-r1.json"));

        final String report = CompareReport.report(new String[] {dir.toString()});

        assertTrue(report.contains("| 64-client throughput: bulwark ≥ 3 × pg-sync | – | not measured"), report);
    }

    @Test
    void aRoundWithErrorsOrUnfinishedOpsIsBestOnlyWhenAllAreAndIsMarked(@TempDir final Path dir) throws Exception
    {
        write(dir, "bulwark-c1-r1", 1, "set=100", 0, 3000.0, 0, 0);
        write(dir, "bulwark-c1-r2", 1, "set=100", 0, 4000.0, 5, 0);
        write(dir, "redis-aof-c1-r1", 1, "set=100", 0, 5000.0, 0, 3);
        write(dir, "redis-aof-c1-r2", 1, "set=100", 0, 6000.0, 1, 0);

        final String report = CompareReport.report(new String[] {dir.toString(), "--systems", "bulwark redis-aof"});

        // The faster bulwark round had errors: the clean one is reported, the other marked in the rounds.
        assertTrue(report.contains("| 1 | **bulwark** | 3,000 | 200 | 400 | 600 | 800 | 0 | 3,000 / 4,000 " +
            "(5 errors) |"), report);
        // No clean redis round: the fastest, marked.
        assertTrue(report.contains("| 1 | redis-aof | 6,000 (1 error) | 200 | 400 | 600 | 800 | 1 | " +
            "5,000 (3 unfinished) / 6,000 (1 error) |"), report);
        assertTrue(report.contains("| 1-client p50: bulwark ≤ 0.6 × redis-aof | 1.00 × | not measured " +
            "(redis-aof-c1-r2 has 1 error) |"), report);
    }

    @Test
    void goalsAreEvaluatedOnlyForDurableSetsInAClosedLoop(@TempDir final Path dir) throws Exception
    {
        write(dir, "bulwark-c1-r1", 1, "set=50,get=50", 0, 3000.0, 0, 0);
        write(dir, "redis-aof-c1-r1", 1, "set=50,get=50", 0, 5000.0, 0, 0);
        write(dir, "bulwark-c64-r1", 64, "set=100", 20000, 20000.0, 0, 0);
        write(dir, "redis-aof-c64-r1", 64, "set=100", 20000, 5000.0, 0, 0);

        final String report = CompareReport.report(new String[] {dir.toString()});

        final String notEvaluated = " | not evaluated (goals are defined for durable SET, closed loop) |";
        assertTrue(report.contains("| 1-client p50: bulwark ≤ 0.6 × redis-aof | 1.00 ×" + notEvaluated), report);
        assertTrue(report.contains("| 64-client throughput: bulwark ≥ 2 × redis-aof | 4.00 ×" + notEvaluated),
            report);
    }

    /**
     * A harness summary as the harness writes it, with a p50 of 200 µs.
     */
    private static void write(final Path dir, final String label, final int clients, final String mix,
        final long rate, final double opsPerSec, final long errors, final long unfinished) throws IOException
    {
        final StringBuilder mixJson = new StringBuilder("{");
        for (final String part : mix.split(","))
        {
            final String[] kv = part.split("=");
            mixJson.append(mixJson.length() > 1 ? ", " : "").append('"').append(kv[0]).append("\": ").append(kv[1]);
        }
        Files.writeString(dir.resolve(label + ".json"), "{\"label\": \"" + label + "\", \"system\": \"resp\", " +
            "\"clients\": " + clients + ", \"rateTarget\": " + rate + ", \"durationS\": 20.000, \"mix\": " +
            mixJson + "}, \"ops\": " + (long)(opsPerSec * 20) + ", \"errors\": " + errors + ", \"unfinished\": " +
            unfinished + ", \"throughputOpsPerSec\": " + opsPerSec + ", \"latencyUs\": {\"p50\": 200.0, " +
            "\"p90\": 300.0, \"p99\": 400.0, \"p999\": 600.0, \"max\": 800.0, \"mean\": 210.0}}\n",
            StandardCharsets.UTF_8);
    }

    @Test
    void anUnreadableSummaryIsListedAndTheOthersStillReported(@TempDir final Path dir) throws Exception
    {
        Files.copy(samples().resolve("bulwark-c1-r1.json"), dir.resolve("bulwark-c1-r1.json"));
        Files.writeString(dir.resolve("redis-aof-c1-r1.json"), "{\"label\": \"redis-aof-c1-r1\",\n  \"clients\": 1,",
            StandardCharsets.UTF_8);

        final String report = CompareReport.report(new String[] {dir.toString()});

        assertTrue(report.contains("| 1 | **bulwark** | 3,400 |"), report);
        assertTrue(report.contains("- unreadable: " + dir.resolve("redis-aof-c1-r1.json") +
            ": line 2, column 16: unexpected end of the text, expected a member name"), report);
    }

    @Test
    void jmhResultsInTheSameDirectoryAreNotRuns(@TempDir final Path dir) throws Exception
    {
        Files.copy(samples().resolve("bulwark-c1-r1.json"), dir.resolve("bulwark-c1-r1.json"));
        Files.writeString(dir.resolve("jmh-111341.json"), "[ {\"benchmark\": \"x\"} ]", StandardCharsets.UTF_8);

        final String report = CompareReport.report(new String[] {dir.toString()});

        assertTrue(report.contains("| 1 | **bulwark** | 3,400 |"), report);
        assertFalse(report.contains("jmh-111341"), report);
    }

    @Test
    void onlyFailedRunsGiveTheirList(@TempDir final Path dir) throws Exception
    {
        Files.writeString(dir.resolve("runs.tsv"), "label\tstatus\tdetail\nbulwark-c1-r1\tfailed\tthe harness failed\n",
            StandardCharsets.UTF_8);

        final String report = CompareReport.report(new String[] {dir.toString()});

        assertEquals("No run produced a summary.\n\n### Runs missing from the tables\n\n" +
            "- bulwark-c1-r1: failed (the harness failed)\n\n", report);
    }

    @Test
    void anEmptyDirectoryIsAnError(@TempDir final Path dir)
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> CompareReport.report(new String[] {dir.toString()}));

        assertEquals("no readable harness summary (*.json) in " + dir, error.getMessage());
    }

    @Test
    void aSummaryWrittenByTheHarnessIsRead() throws Exception
    {
        final Path file = Path.of(CompareReportTest.class.getResource("/compare-harness/bulwark-c1-r1.json").toURI());

        final RunResult run = RunResult.fromJson(JsonReader.parse(Files.readString(file), file.toString()),
            file.toString());

        assertEquals("bulwark", run.system());
        assertEquals(1, run.clients());
        assertEquals(1, run.round());
        assertEquals("set=100", run.mix());
        assertEquals(0, run.rateTarget());
        assertTrue(run.durableSetClosedLoop());
        assertEquals(0, run.unfinished());
        assertEquals(4130, run.ops());
        assertEquals(2065.0, run.throughputOpsPerSec());
        assertEquals(313.343, run.p50Us());
        assertEquals(12754.943, run.p999Us());
    }

    @Test
    void badJsonIsNamedByLineAndColumn()
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> JsonReader.parse("{\n  \"a\": 1,\n  \"b\" 2\n}", "x.json"));

        assertEquals("x.json: line 3, column 7: expected ':', found '2'", error.getMessage());
    }

    @Test
    void jsonValuesOfEveryKindAreRead()
    {
        final Object json = JsonReader.parse(
            "{\"s\": \"a\\\"b\\u00b5\", \"n\": -1.5e2, \"t\": true, \"f\": false, \"z\": null, " +
                "\"l\": [1, {}], \"o\": {}}",
            "y.json");

        assertEquals(Map.of("s", "a\"bµ", "n", -150.0, "t", true, "f", false, "l", List.of(1.0, Map.of()),
            "o", Map.of()), withoutNull((Map<?, ?>)json));
        assertTrue(((Map<?, ?>)json).containsKey("z"));
    }

    @Test
    void aMissingFieldIsNamed()
    {
        final Object json = JsonReader.parse("{\"label\": \"bulwark-c1-r1\", \"clients\": 1, \"ops\": 5, " +
            "\"errors\": 0," +
            " \"throughputOpsPerSec\": 5.0, \"latencyUs\": {\"p50\": 1, \"p99\": 2, \"max\": 4}}", "z.json");

        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> RunResult.fromJson(json, "z.json"));

        assertEquals("z.json latencyUs: missing number field 'p999'", error.getMessage());
    }

    private static Map<Object, Object> withoutNull(final Map<?, ?> map)
    {
        final Map<Object, Object> copy = new java.util.HashMap<>();
        map.forEach((k, v) ->
        {
            if (v != null)
            {
                copy.put(k, v);
            }
        });
        return copy;
    }
}
