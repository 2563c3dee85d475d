package org.bulwark.perf;

import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.journal.Dejournaler;
import org.bulwark.journal.JournalConfig;
import org.bulwark.journal.JournalFiles;
import org.bulwark.journal.JournalReader;
import org.bulwark.journal.RollForward;
import org.bulwark.server.StoreApplier;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.StoreSession;
import org.bulwark.wij.WriteDaemonProbe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Parallel dejournaling rate (SPEC J-8): a journal of {@code --journal-mb} MB of SET records spread
 * over {@code --globals} globals (record {@code i} sets {@code ^r<i mod globals>(i mod keys)}),
 * read with a {@link JournalReader} and fed to a {@link Dejournaler} of 1, 4 and 16 lanes, as
 * {@code bulwark journal restore} does:
 * <ul>
 *   <li>{@code dispatch}: no-op appliers, the reader and the ring buffers alone (what the feeding
 *       thread can sustain);</li>
 *   <li>{@code apply}: one store session per lane applying into a fresh store, the write daemon
 *       and the WIJ running on their own thread.</li>
 * </ul>
 * The journal is in the page cache. The apply pass checks the last key of every global.
 *
 * <pre>
 * perf/run-main.sh DejournalBenchmark [--journal-mb 200] [--lanes 1,4,16] [--globals 64]
 * </pre>
 */
public final class DejournalBenchmark
{
    private static final int MB = 1_000_000;

    private DejournalBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final PerfArgs options = new PerfArgs("DejournalBenchmark")
            .option("journal-mb", "200", "journal size to write and dejournal, in MB (10^6 bytes)")
            .option("value-bytes", "32", "bytes per value")
            .option("keys", "1000000", "distinct subscripts per global")
            .option("globals", "64", "globals the records are spread over (lanes are chosen by global)")
            .option("lanes", "1,4,16", "lane counts to measure")
            .option("pool-mb", "1024", "store buffer pool for the apply passes, MiB")
            .option("passes", "2", "repetitions of each measurement")
            .option("dir", "perf/target/perf-data", "parent of the benchmark's files (on the disk to measure)")
            .parse(args);
        if (null == options)
        {
            return;
        }
        final Path root = options.directory("dir").resolve("dejournal");
        BenchMember.delete(root);
        final Path journalDir = root.resolve("journal");
        Files.createDirectories(journalDir);
        final int valueBytes = options.integer("value-bytes");
        final int globals = options.integer("globals");
        final long keys = options.number("keys");
        final long records;
        try (MessageLog log = MessageLog.open(root, null, Severity.FATAL))
        {
            records = RollForwardBenchmark.write(new JournalConfig(journalDir), log,
                options.number("journal-mb") * MB, valueBytes, keys, globals);
        }
        final JournalFiles files = new JournalFiles(journalDir, "", NioFileLayer.INSTANCE);
        RollForwardBenchmark.prepareCache(files, false);

        final List<String> rows = new ArrayList<>();
        for (int pass = 0; pass < options.integer("passes"); pass++)
        {
            for (final String lanes : options.list("lanes"))
            {
                final int laneCount = Integer.parseInt(lanes);
                rows.add(run("dispatch", files, laneCount, lane -> new RollForwardBenchmark.Counting()));
                final Path dir = root.resolve("member");
                BenchMember.delete(dir);
                Files.createDirectories(dir);
                try (BenchMember member = new BenchMember(dir, options.number("pool-mb") << 20, 1_000,
                    WriteDaemonProbe.NONE))
                {
                    member.startDaemon();
                    rows.add(run("apply", files, laneCount,
                        lane -> new StoreApplier(member.store.newSession())));
                    checkLastKeys(member.store.session(), records, keys, globals);
                }
                finally
                {
                    BenchMember.delete(dir);
                }
            }
        }
        System.out.printf("%nDejournalBenchmark: %,d SET records of a %d-byte value over %d globals, %d processors%n%n",
            records, valueBytes, globals, Runtime.getRuntime().availableProcessors());
        System.out.println(
            "| pass | lanes | records | MB read | seconds | MB/s | records/s | records per lane (min–max) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---|");
        rows.forEach(System.out::println);
        BenchMember.delete(root);
    }

    private static String run(final String pass, final JournalFiles files, final int lanes,
        final IntFunction<RollForward.Applier> appliers) throws Exception
    {
        final long startNs = System.nanoTime();
        final Dejournaler.Result result;
        final long bytes;
        try (JournalReader reader = new JournalReader(files, NioFileLayer.INSTANCE);
            Dejournaler dejournaler = new Dejournaler(lanes, appliers, Dejournaler.DEFAULT_RING_BYTES))
        {
            reader.seek(0);
            final long from = reader.position();
            while (reader.next())
            {
                dejournaler.accept(reader.record(), reader.recordPosition());
            }
            bytes = reader.position() - from;
            result = dejournaler.finish(TimeUnit.MINUTES.toMillis(30));
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        long minPerLane = Long.MAX_VALUE;
        long maxPerLane = 0;
        for (final long perLane : result.appliedPerLane())
        {
            minPerLane = Math.min(minPerLane, perLane);
            maxPerLane = Math.max(maxPerLane, perLane);
        }
        final String line = String.format(Locale.ROOT, "| %s | %d | %,d | %.1f | %.2f | %.0f | %,.0f | %,d–%,d |",
            pass, lanes, result.applied(), bytes / (double)MB, seconds, bytes / seconds / MB,
            result.applied() / seconds, minPerLane, maxPerLane);
        System.out.println(line);
        return line;
    }

    /**
     * Each global's last record holds the record number in its value's first 8 bytes: lanes must
     * have applied every global's updates in journal order for the last one to win.
     */
    private static void checkLastKeys(final StoreSession session, final long records, final long keys,
        final int globals)
    {
        final GlobalKey key = new GlobalKey();
        for (long i = Math.max(0, records - globals); i < records; i++)
        {
            final int g = (int)(i % globals);
            key.global(RollForwardBenchmark.globalOf(g, globals)).add(i % keys);
            if (!session.get(key) || session.value().getLong(0) != i)
            {
                throw new IllegalStateException(
                    "after dejournaling " + key + " does not hold record " + i + "'s value");
            }
        }
    }
}
