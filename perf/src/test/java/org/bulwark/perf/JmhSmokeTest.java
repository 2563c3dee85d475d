package org.bulwark.perf;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every JMH benchmark of this module still runs (SPEC B-1: the suites must not rot): each benchmark
 * class found in JMH's generated benchmark list runs through the JMH {@link Runner} with tiny
 * settings and small sizes, and every one of its benchmarks must report a positive score. Not a
 * measurement: the figures are meaningless at these settings, only their existence is checked.
 *
 * <p>Runs in this JVM (forks 0), so each class is also checked for leaks: its temporary files (all
 * benchmarks create theirs under {@code bulwark.perf.dir}, set here to a temporary directory) must
 * be gone, and no thread it started may outlive it. A new benchmark class is picked up by itself;
 * if its default sizes are large, add small ones to {@link #SMALL_PARAMS}.
 */
class JmhSmokeTest
{
    private static final String PACKAGE = "org.bulwark.perf.";

    /** Per class, parameter values that make its setup small (each class here has the defaults of a real run). */
    private static final Map<String, Map<String, String>> SMALL_PARAMS = Map.of(
        PACKAGE + "StoreBenchmark", Map.of("keyCount", "2000", "hotKeyCount", "100", "poolMiB", "16"),
        PACKAGE + "WijBenchmark", Map.of("cycleBlocks", "32", "cyclePoolMiB", "16", "restoreBlocks", "32",
            "restorePoolMiB", "16"),
        PACKAGE + "BTreeInsertBenchmark", Map.of("poolMiB", "16"),
        PACKAGE + "JournalAppendBenchmark", Map.of("bufferMiB", "1"),
        PACKAGE + "RingHandoffBenchmark", Map.of("ringBytes", "65536"));

    private static final long THREAD_EXIT_TIMEOUT_MS = 10_000;
    /**
     * The JDK's pooled thread that waits for child processes (JMH starts one to describe the
     * machine): it idles for a minute before it ends, and is not the benchmarks'.
     */
    private static final Set<String> JDK_THREADS = Set.of("process reaper");

    @TempDir
    Path perfDir;

    private String previousPerfDir;
    private Set<Thread> threadsBefore;

    static Stream<String> benchmarkClasses() throws IOException
    {
        return benchmarks().stream().map(BenchmarkListEntry::getUserClassQName).distinct().sorted();
    }

    private static List<BenchmarkListEntry> benchmarks() throws IOException
    {
        try (InputStream in = JmhSmokeTest.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST))
        {
            assertNotNull(in, BenchmarkList.BENCHMARK_LIST + " is not on the class path: did the JMH annotation " +
                "processor run?");
            return BenchmarkList.readBenchmarkList(in);
        }
    }

    @BeforeEach
    void useTemporaryPerfDir()
    {
        previousPerfDir = System.setProperty("bulwark.perf.dir", perfDir.toString());
        threadsBefore = Thread.getAllStackTraces().keySet();
    }

    @AfterEach
    void restorePerfDir()
    {
        if (null == previousPerfDir)
        {
            System.clearProperty("bulwark.perf.dir");
        }
        else
        {
            System.setProperty("bulwark.perf.dir", previousPerfDir);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("benchmarkClasses")
    void everyBenchmarkOfTheClassReportsAPositiveScore(final String className) throws Exception
    {
        final Set<String> expected = benchmarks().stream()
            .filter(entry -> entry.getUserClassQName().equals(className))
            .map(BenchmarkListEntry::getUsername)
            .collect(Collectors.toCollection(TreeSet::new));

        final ChainedOptionsBuilder options = new OptionsBuilder()
            .include("^" + Pattern.quote(className) + "\\.")
            .forks(0)
            .warmupIterations(1)
            .warmupTime(TimeValue.milliseconds(100))
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .shouldFailOnError(true)
            .verbosity(VerboseMode.NORMAL);
        SMALL_PARAMS.getOrDefault(className, Map.of()).forEach(options::param);

        final Collection<RunResult> results;
        try
        {
            results = new Runner(options.build()).run();
        }
        catch (final RunnerException ex)
        {
            throw new AssertionError(className + " failed to run (its output is in this test's surefire output " +
                "file): " + ex.getMessage(), ex);
        }

        final Set<String> reported = new TreeSet<>();
        for (final RunResult result : results)
        {
            final String benchmark = result.getParams().getBenchmark();
            final Result<?> primary = result.getPrimaryResult();
            reported.add(benchmark);
            assertTrue(primary.getScore() > 0, benchmark + " scored " + primary.getScore() + " " +
                primary.getScoreUnit());
        }
        assertEquals(expected, reported, className + ": benchmarks without a result");

        try (Stream<Path> left = Files.list(perfDir))
        {
            final List<Path> files = left.collect(Collectors.toList());
            assertTrue(files.isEmpty(), className + " left files behind: " + files);
        }
        awaitNoNewThreads(className);
    }

    /**
     * Wait, boundedly, until every thread started during the run has ended (JMH's own workers end
     * shortly after the run; a benchmark's daemon or writer thread that is still alive leaked).
     */
    private void awaitNoNewThreads(final String className) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(THREAD_EXIT_TIMEOUT_MS);
        while (true)
        {
            final List<String> leaked = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !threadsBefore.contains(thread) && thread.isAlive() &&
                    !JDK_THREADS.contains(thread.getName()))
                .map(Thread::getName)
                .sorted()
                .collect(Collectors.toList());
            if (leaked.isEmpty())
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail(className + " left threads running: " + leaked);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void everyClassWithLargeDefaultsIsStillABenchmark() throws IOException
    {
        final Set<String> classes = benchmarkClasses().collect(Collectors.toSet());
        for (final String className : SMALL_PARAMS.keySet())
        {
            assertTrue(classes.contains(className), className + " has small parameters here but is no benchmark");
        }
        assertFalse(classes.isEmpty(), "no benchmark found");
    }
}
