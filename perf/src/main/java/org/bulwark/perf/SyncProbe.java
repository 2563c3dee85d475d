package org.bulwark.perf;

import org.HdrHistogram.Histogram;
import org.bulwark.probes.DurableWrites;
import org.bulwark.probes.SyncMode;
import org.bulwark.probes.WriteLatency;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The disk's durable-write latency as the journal sees it, without the journal: positional writes
 * into a file preallocated with written zeros (as journal files are, SPEC J-2), each made durable
 * before the next, with {@code FileChannel.force(false)} ({@code fdatasync}) or through a channel
 * opened with {@code StandardOpenOption.DSYNC} ({@code O_DSYNC}), one thread, measured by
 * {@link DurableWrites} (the code behind {@code bulwark probe disk}). Two shapes:
 * <ul>
 *   <li>{@code 4 KiB overwrite}: whole pages, advancing through the file;</li>
 *   <li>{@code 256 B append}: small records back to back, as a lone committer's journal writes
 *       are (the same page is written and synced again until it is full).</li>
 * </ul>
 * Plus a page-cache-only row for reference, and the latency of waking a parked thread (the
 * hand-off a lone synchronous commit makes twice, to the journal writer and back). This is the floor a synchronous commit cannot beat;
 * {@link CommitBenchmark} compares against its {@code fdatasync} p50.
 *
 * <pre>
 * perf/run-main.sh SyncProbe [--ops 20000] [--warmup 2000] [--file-mb 64] [--dir perf/target/perf-data]
 * </pre>
 */
public final class SyncProbe
{
    private SyncProbe()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final PerfArgs options = new PerfArgs("SyncProbe")
            .option("ops", "20000", "measured writes per variant")
            .option("warmup", "2000", "writes before measuring, per variant")
            .option("file-mb", "64", "size of the preallocated file (writes wrap around in it)")
            .option("dir", "perf/target/perf-data", "directory for the probe file (must be on the disk to measure)")
            .parse(args);
        if (null == options)
        {
            return;
        }
        final Path dir = options.directory("dir").resolve("sync-probe");
        Files.createDirectories(dir);
        final Path file = dir.resolve("probe.dat");
        final long fileBytes = options.number("file-mb") << 20;
        final int ops = options.integer("ops");
        final int warmup = options.integer("warmup");

        final FileStore store = Files.getFileStore(dir);
        System.out.printf("SyncProbe: %s on %s (%s), file of %d MiB preallocated with written zeros, %d ops " +
            "after %d warm-up ops per variant%n", dir.toAbsolutePath(), store.name(), store.type(),
            fileBytes >> 20, ops, warmup);
        DurableWrites.preallocate(file, fileBytes);

        System.out.println(Latency.header("variant"));
        run("4 KiB overwrite + fdatasync", file, fileBytes, 4096, SyncMode.FDATASYNC, warmup, ops);
        run("4 KiB overwrite, O_DSYNC", file, fileBytes, 4096, SyncMode.DSYNC, warmup, ops);
        run("256 B append + fdatasync", file, fileBytes, 256, SyncMode.FDATASYNC, warmup, ops);
        run("256 B append, O_DSYNC", file, fileBytes, 256, SyncMode.DSYNC, warmup, ops);
        run("4 KiB overwrite, page cache only", file, fileBytes, 4096, SyncMode.NONE, warmup, ops);
        Files.delete(file);
        System.out.println();
        System.out.println(Latency.header("hand-off"));
        System.out.println(Latency.row("unpark of a parked thread until it runs (one way)", handOff(warmup, ops),
            Double.NaN));
    }

    /**
     * What a lone synchronous commit pays twice besides the sync (the committer wakes the journal
     * writer, the writer wakes the committer): two threads take turns, each parked until the other
     * unparks it; the latency is from just before {@code unpark} to the woken thread running.
     */
    static Histogram handOff(final int warmup, final int ops)
    {
        final Histogram histogram = Latency.newHistogram();
        final AtomicLong turn = new AtomicLong();
        final long[] unparkedAtNs = new long[1];
        final int rounds = warmup + ops;
        final Thread[] threads = new Thread[2];
        for (int side = 0; side < 2; side++)
        {
            final int me = side;
            threads[side] = new Thread(() ->
            {
                for (long round = me; round < 2L * rounds; round += 2)
                {
                    while (turn.get() != round)
                    {
                        LockSupport.park();
                    }
                    final long nowNs = System.nanoTime();
                    if (round > 0 && round / 2 >= warmup)
                    {
                        Latency.record(histogram, nowNs - unparkedAtNs[0]);
                    }
                    unparkedAtNs[0] = System.nanoTime();
                    turn.set(round + 1); // publishes unparkedAtNs to the other side
                    LockSupport.unpark(threads[1 - me]);
                }
            }, "hand-off-" + side);
        }
        threads[0].start();
        threads[1].start();
        try
        {
            threads[0].join();
            threads[1].join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return histogram;
    }

    private static void run(
        final String name, final Path file, final long fileBytes, final int writeBytes, final SyncMode mode,
        final int warmup, final int ops) throws IOException
    {
        final WriteLatency result = DurableWrites.overwrite(file, fileBytes, writeBytes, mode, warmup, ops);
        System.out.println(Latency.row(name, result.latencyNs(), result.opsPerSecond()));
    }
}
