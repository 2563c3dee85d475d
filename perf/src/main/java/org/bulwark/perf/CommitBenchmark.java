package org.bulwark.perf;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.journal.Journal;
import org.bulwark.probes.DurableWrites;
import org.bulwark.probes.SyncMode;
import org.bulwark.probes.WriteLatency;
import org.bulwark.server.BulwarkSession;
import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.bulwark.server.PerfAccess;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.StoreSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Synchronous commit latency and throughput of a real member (SPEC J-3, J-4): an {@link Instance}
 * on a fresh data directory (preallocated journal file, write daemon on its own thread, default
 * commit mode {@code sync}) and N committer threads, each in a closed loop of
 * {@code TSTART; SET ^c(thread, slot) = <value>; TCOMMIT} through its own {@link BulwarkSession},
 * for each sync method. {@code TCOMMIT} returns once the transaction's records are durable: that is
 * the acknowledged commit. A commit's latency runs from before {@code TSTART} to the return of
 * {@code TCOMMIT}; it is recorded in nanoseconds in the thread's own HdrHistogram.
 *
 * <p>The SETs go through the session's store session with a preallocated {@link GlobalKey} and value
 * (the allocation-free API); they are journaled in the transaction like any SET of the session.
 * Each thread overwrites {@code --slots} nodes of its own in turn, so the tree stays small and every
 * SET after the first round carries an old value in its record, as updates in transactions do.
 *
 * <p>Besides latency and throughput it reports what explains them: the journal's syncs (commits
 * per sync is the group-commit factor), its own write+sync latency, and the process's CPU time and
 * context switches per commit ({@link ProcessStats}), all over the measured window.
 *
 * <p>Timing: every thread starts at one barrier and then keeps to one schedule, warm-up until
 * {@code start + warmup}, measurement until {@code start + warmup + measure}; a commit counts if
 * it started in the measured window. Closed loop: each committer waits for its commit, so the
 * latencies are service times under that load (no coordinated-omission correction).
 *
 * <pre>
 * perf/run-main.sh CommitBenchmark [--threads 1,8,64] [--sync fdatasync,dsync] [--sets 1]
 *     [--value-bytes 32] [--warmup-s 5] [--measure-s 10] [--dir perf/target/perf-data]
 * </pre>
 */
public final class CommitBenchmark
{
    private static final String GLOBAL = "c";

    private CommitBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final PerfArgs options = new PerfArgs("CommitBenchmark")
            .option("threads", "1,8,64", "committer thread counts, one run each")
            .option("sync", "fdatasync,dsync", "journal.syncMethod values, one run each")
            .option("sets", "1", "SETs per transaction")
            .option("value-bytes", "32", "bytes per value")
            .option("slots", "1024", "nodes each thread cycles through")
            .option("warmup-s", "5", "seconds of warm-up per run")
            .option("measure-s", "10", "seconds measured per run")
            .option("journal-file-mb", "512", "journal.fileSize: large enough that no run switches files")
            .option("baseline-ops", "5000", "raw durable writes per shape measured before each sync method, 0 for none")
            .option("dir", "perf/target/perf-data", "parent of the member's data directory (on the disk to measure)")
            .parse(args);
        if (null == options)
        {
            return;
        }
        final Path root = options.directory("dir").resolve("commit");
        final int baselineOps = options.integer("baseline-ops");
        final List<String> rows = new ArrayList<>();
        final List<String> journalRows = new ArrayList<>();
        final List<String> baselineRows = new ArrayList<>();
        final List<String> verdicts = new ArrayList<>();
        for (final String sync : options.list("sync"))
        {
            final boolean dsync = sync.equalsIgnoreCase("dsync");
            // The raw disk, measured just before this sync method's runs, for the 1-committer target.
            WriteLatency append = null;
            WriteLatency page = null;
            if (baselineOps > 0)
            {
                final Path file = root.resolve("baseline.dat");
                Files.createDirectories(root);
                DurableWrites.preallocate(file, 64L << 20);
                final SyncMode mode = dsync ? SyncMode.DSYNC : SyncMode.FDATASYNC;
                append = DurableWrites.overwrite(file, 64L << 20, 256, mode, baselineOps / 10, baselineOps);
                page = DurableWrites.overwrite(file, 64L << 20, 4096, mode, baselineOps / 10, baselineOps);
                Files.delete(file);
                baselineRows.add(Latency.row("raw 256 B append, " + sync, append.latencyNs(), append.opsPerSecond()));
                baselineRows.add(Latency.row("raw 4 KiB overwrite, " + sync, page.latencyNs(), page.opsPerSecond()));
            }
            Run single = null;
            for (final String threads : options.list("threads"))
            {
                final Run run = new Run(root, sync, Integer.parseInt(threads), options);
                run.execute();
                rows.add(run.row);
                journalRows.add(run.journalRow);
                System.out.println(Latency.header("sync | committers"));
                System.out.println(run.row);
                if (1 == run.threads)
                {
                    single = run;
                    if (null != append)
                    {
                        final double toAppend = run.p50Ns / (double)p50(append);
                        final double toPage = run.p50Ns / (double)p50(page);
                        verdicts.add(String.format(Locale.ROOT, "%s, 1 committer: p50 %.1f µs = %.2f × raw 256 B " +
                            "append p50 (%.1f µs): %s; %.2f × raw 4 KiB overwrite p50 (%.1f µs): %s (target ≤ 1.2 ×)",
                            sync, Latency.us(run.p50Ns), toAppend, Latency.us(p50(append)),
                            toAppend <= 1.2 ? "met" : "not met", toPage, Latency.us(p50(page)),
                            toPage <= 1.2 ? "met" : "not met"));
                    }
                }
                else if (null != single)
                {
                    final double factor = run.commitsPerSecond / single.commitsPerSecond;
                    verdicts.add(String.format(Locale.ROOT, "%s, %d committers: %,.0f commits/s = %.1f × the " +
                        "1-committer rate (%,.0f/s); target for 64 ≥ 20 ×: %s", sync, run.threads,
                        run.commitsPerSecond, factor, single.commitsPerSecond,
                        run.threads < 64 ? "n/a" : factor >= 20 ? "met" : "not met"));
                }
            }
        }
        System.out.printf("%nCommitBenchmark: %d SET(s) of %d bytes per transaction, %d s warm-up, %d s measured " +
            "per run, %d processors, load average at the end %s%n%n", options.integer("sets"),
            options.integer("value-bytes"), options.integer("warmup-s"), options.integer("measure-s"),
            Runtime.getRuntime().availableProcessors(), loadAverage());
        System.out.println(Latency.header("sync | committers"));
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println("Measured window only, except the journal's write+sync latency (its whole run).");
        System.out.println("| sync | committers | commits | journal syncs | commits per sync | bytes per commit | " +
            "journal write+sync p50 µs | p99 µs | user CPU µs/commit | sys CPU µs/commit | voluntary cs/commit | " +
            "involuntary cs/commit |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        journalRows.forEach(System.out::println);
        if (!baselineRows.isEmpty())
        {
            System.out.println();
            System.out.println(Latency.header("raw disk, just before the runs of that sync method"));
            baselineRows.forEach(System.out::println);
        }
        System.out.println();
        verdicts.forEach(System.out::println);
    }

    private static long p50(final WriteLatency result)
    {
        return result.latencyNs().getValueAtPercentile(50);
    }

    private static String loadAverage()
    {
        try
        {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    /**
     * Wait for an instant on the committers' schedule (a timed wait, not a hand-off between threads).
     */
    static void parkUntil(final long deadlineNs)
    {
        long remainingNs;
        while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remainingNs);
        }
    }

    /**
     * One member, one sync method, one thread count.
     */
    private static final class Run
    {
        private final Path dir;
        private final String sync;
        final int threads;
        private final int sets;
        private final int valueBytes;
        private final int slots;
        private final long warmupNs;
        private final long measureNs;
        private final long journalFileBytes;
        String row;
        String journalRow;
        long p50Ns;
        double commitsPerSecond;
        private volatile long scheduleStartNs;

        Run(final Path root, final String sync, final int threads, final PerfArgs options)
        {
            this.dir = root.resolve(sync + "-" + threads);
            this.sync = sync;
            this.threads = threads;
            this.sets = options.integer("sets");
            this.valueBytes = options.integer("value-bytes");
            if (valueBytes < Long.BYTES)
            {
                throw new IllegalArgumentException("--value-bytes must be at least 8 (a counter is stored in it)");
            }
            this.slots = options.integer("slots");
            this.warmupNs = TimeUnit.SECONDS.toNanos(options.number("warmup-s"));
            this.measureNs = TimeUnit.SECONDS.toNanos(options.number("measure-s"));
            this.journalFileBytes = options.number("journal-file-mb") << 20;
        }

        void execute() throws Exception
        {
            BenchMember.delete(dir);
            Files.createDirectories(dir);
            final InstanceConfig config = InstanceConfig.defaults(dir.resolve("data"))
                .set("journal.syncMethod", sync)
                .set("journal.fileSize", Long.toString(journalFileBytes))
                .set("commit.mode", "sync")
                .set("pool.size", "256m");
            try (Instance instance = Instance.open(config, new InstanceOptions()))
            {
                final Journal journal = PerfAccess.journal(instance);
                // The last thread to arrive starts the clock: one schedule for every committer.
                final CyclicBarrier start = new CyclicBarrier(threads + 1, () -> scheduleStartNs = System.nanoTime());
                final CyclicBarrier finished = new CyclicBarrier(threads + 1);
                final CountDownLatch release = new CountDownLatch(1);
                final Committer[] committers = new Committer[threads];
                final Thread[] workers = new Thread[threads];
                for (int t = 0; t < threads; t++)
                {
                    committers[t] = new Committer(instance.openSession(), t, start, finished, release);
                    workers[t] = new Thread(committers[t], "committer-" + t);
                    workers[t].start();
                }
                start.await();
                // Counters over the measured window: from its start (a known instant on the
                // committers' schedule) until every committer has finished.
                parkUntil(scheduleStartNs + warmupNs);
                final long syncsBefore = journal.syncs();
                final long bytesBefore = journal.bytesWritten();
                final ProcessStats statsBefore = ProcessStats.read();
                // The committers stay alive until their counts of context switches are read.
                finished.await();
                final ProcessStats stats = ProcessStats.read().minus(statsBefore);
                final long syncs = journal.syncs() - syncsBefore;
                final long bytes = journal.bytesWritten() - bytesBefore;
                release.countDown();
                for (final Thread worker : workers)
                {
                    worker.join();
                }
                final Histogram all = Latency.newHistogram();
                long measured = 0;
                for (final Committer committer : committers)
                {
                    if (null != committer.failure)
                    {
                        throw new IllegalStateException("committer failed", committer.failure);
                    }
                    all.add(committer.histogram);
                    measured += committer.measuredCommits;
                    committer.session.close();
                }
                p50Ns = all.getValueAtPercentile(50);
                commitsPerSecond = measured / (measureNs / 1e9);
                row = Latency.row(sync + " | " + threads, all, commitsPerSecond);
                final Histogram syncUs = journal.syncLatencyUs();
                final double perCommit = Math.max(1, measured);
                journalRow = String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %.2f | %.0f | %d | %d | %.1f | %.1f " +
                    "| %.2f | %.2f |", sync, threads, measured, syncs, syncs == 0 ? 0.0 : measured / (double)syncs,
                    bytes / perCommit, syncUs.getValueAtPercentile(50), syncUs.getValueAtPercentile(99),
                    stats.userNs / perCommit / 1e3, stats.systemNs / perCommit / 1e3,
                    stats.voluntarySwitches / perCommit, stats.involuntarySwitches / perCommit);
                final int files = journal.files().list().size();
                if (files > 1)
                {
                    System.out.println("note: the run switched journal files (" + files + " files): a switch " +
                        "preallocates the next file on the writer thread; raise --journal-file-mb");
                }
            }
            BenchMember.delete(dir);
        }

        /**
         * One committer thread: its own session, key, value and histogram, allocated up front.
         */
        private final class Committer implements Runnable
        {
            final BulwarkSession session;
            final StoreSession store;
            final long id;
            final CyclicBarrier start;
            final CyclicBarrier finished;
            final CountDownLatch release;
            final GlobalKey key = new GlobalKey();
            final UnsafeBuffer value;
            final Histogram histogram = Latency.newHistogram();
            long measuredCommits;
            long commits;
            Throwable failure;

            Committer(final BulwarkSession session, final long id, final CyclicBarrier start,
                final CyclicBarrier finished, final CountDownLatch release)
            {
                this.finished = finished;
                this.release = release;
                this.session = session;
                this.store = session.storeSession();
                this.id = id;
                this.start = start;
                this.value = new UnsafeBuffer(new byte[valueBytes]);
                value.setMemory(0, valueBytes, (byte)('a' + id % 26));
            }

            @Override
            public void run()
            {
                try
                {
                    start.await();
                    commitLoop(scheduleStartNs + warmupNs, scheduleStartNs + warmupNs + measureNs);
                }
                catch (final InterruptedException | BrokenBarrierException ex)
                {
                    failure = ex;
                    Thread.currentThread().interrupt();
                }
                catch (final RuntimeException ex)
                {
                    failure = ex;
                }
                finally
                {
                    // Also after a failure: the main thread waits for every committer here.
                    arriveFinished();
                }
            }

            private void commitLoop(final long measureFromNs, final long endNs)
            {
                long slot = 0;
                while (true)
                {
                    final long startNs = System.nanoTime();
                    if (startNs - endNs >= 0)
                    {
                        return;
                    }
                    session.tstart();
                    for (int s = 0; s < sets; s++)
                    {
                        key.global(GLOBAL).add(id).add(slot);
                        value.putLong(0, commits);
                        store.set(key, value, 0, valueBytes);
                        slot = slot + 1 == slots ? 0 : slot + 1;
                    }
                    session.tcommit();
                    final long doneNs = System.nanoTime();
                    commits++;
                    if (startNs - measureFromNs >= 0)
                    {
                        Latency.record(histogram, doneNs - startNs);
                        measuredCommits++;
                    }
                }
            }

            private void arriveFinished()
            {
                try
                {
                    finished.await();
                    release.await();
                }
                catch (final InterruptedException | BrokenBarrierException ex)
                {
                    if (null == failure)
                    {
                        failure = ex;
                    }
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
