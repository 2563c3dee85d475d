package org.bulwark.perf;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalConfig;
import org.bulwark.journal.JournalFiles;
import org.bulwark.journal.JournalRecord;
import org.bulwark.journal.RollForward;
import org.bulwark.server.StoreApplier;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.StoreSession;
import org.bulwark.wij.WriteDaemonProbe;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Journal roll-forward rate (SPEC J-5): a journal of {@code --journal-mb} MB of SET records
 * ({@code ^r(i mod keys) = value}, appended with {@link Journal#append} and made durable by the
 * journal's own writer), then {@link RollForward#run} from position 0, as recovery calls it
 * ({@code Instance.recoverJournal}), in two ways:
 * <ul>
 *   <li>{@code read}: a no-op applier, the reader alone (file reads, CRC32C and sequence checks,
 *       record decoding, the transaction bookkeeping);</li>
 *   <li>{@code apply}: records applied into a store as the member's replay listener does ({@code
 *       GlobalKey.fromEncoded} and {@code StoreSession.set}), with the write daemon and the WIJ
 *       running on their own thread as during a real recovery ({@link BenchMember}, 1 s cycles or
 *       at half the pool dirty).</li>
 * </ul>
 * Each is run with the journal in the page cache ({@code warm}: a process crash) and with the
 * journal files' pages dropped first ({@code cold}: a reboot), through {@code dd iflag=nocache
 * count=0}, which asks the kernel to drop one file's clean pages and nothing else. The apply pass
 * checks the value of the last key written.
 *
 * <pre>
 * perf/run-main.sh RollForwardBenchmark [--journal-mb 300] [--value-bytes 32] [--keys 1000000] [--passes 2]
 * </pre>
 */
public final class RollForwardBenchmark
{
    private static final String GLOBAL = "r";
    private static final int MB = 1_000_000;

    private RollForwardBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final PerfArgs options = new PerfArgs("RollForwardBenchmark")
            .option("journal-mb", "300", "journal size to write and roll forward, in MB (10^6 bytes)")
            .option("value-bytes", "32", "bytes per value")
            .option("keys", "1000000", "distinct keys: record i sets ^r(i mod keys)")
            .option("journal-file-mb", "64", "journal.fileSize in MiB (the default: files switch as in production)")
            .option("pool-mb", "1024", "store buffer pool for the apply passes, MiB")
            .option("passes", "2", "repetitions of each of the four passes")
            .option("dir", "perf/target/perf-data", "parent of the benchmark's files (on the disk to measure)")
            .parse(args);
        if (null == options)
        {
            return;
        }
        final Path root = options.directory("dir").resolve("rollforward");
        BenchMember.delete(root);
        final Path journalDir = root.resolve("journal");
        Files.createDirectories(journalDir);
        final int valueBytes = options.integer("value-bytes");
        if (valueBytes < Long.BYTES)
        {
            throw new IllegalArgumentException("--value-bytes must be at least 8 (the record number is stored in it)");
        }
        final long keys = options.number("keys");
        final long targetBytes = options.number("journal-mb") * MB;
        final long poolBytes = options.number("pool-mb") << 20;

        final long records;
        try (MessageLog log = MessageLog.open(root, null, Severity.FATAL))
        {
            records = write(new JournalConfig(journalDir).fileSizeBytes(options.number("journal-file-mb") << 20),
                log, targetBytes, valueBytes, keys, 1);
        }
        final JournalFiles files = new JournalFiles(journalDir, "", NioFileLayer.INSTANCE);

        final List<String> rows = new ArrayList<>();
        for (int pass = 0; pass < options.integer("passes"); pass++)
        {
            rows.add(read(files, true));
            rows.add(read(files, false));
            rows.add(apply(files, root.resolve("member-" + pass + "c"), poolBytes, true, records, keys, valueBytes));
            rows.add(apply(files, root.resolve("member-" + pass + "w"), poolBytes, false, records, keys, valueBytes));
        }
        System.out.printf("%nRollForwardBenchmark: %,d SET records of a %d-byte value over %,d keys, %d journal " +
            "files, %d processors%n%n", records, valueBytes, Math.min(keys, records), files.list().size(),
            Runtime.getRuntime().availableProcessors());
        System.out.println("| pass | page cache | records | MB read | seconds | MB/s | records/s |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
        BenchMember.delete(root);
    }

    /**
     * Append SET records until the journal holds {@code targetBytes}, then close it (synced). Record
     * {@code i} sets {@code ^r(i mod keys)}, or with several globals {@code ^r<g>(i mod keys)} where
     * {@code g = i mod globals} (see {@link #globalOf}).
     *
     * @return the number of records.
     */
    static long write(
        final JournalConfig config, final MessageLog log, final long targetBytes, final int valueBytes, final long keys,
        final int globals) throws IOException
    {
        final UnsafeBuffer[] names = new UnsafeBuffer[globals];
        for (int g = 0; g < globals; g++)
        {
            names[g] = new UnsafeBuffer(globalOf(g, globals).getBytes(StandardCharsets.US_ASCII));
        }
        final UnsafeBuffer value = new UnsafeBuffer(new byte[valueBytes]);
        value.setMemory(0, value.capacity(), (byte)'v');
        final GlobalKey key = new GlobalKey();
        final long startNs = System.nanoTime();
        long records = 0;
        try (Journal journal = Journal.open(config, NioFileLayer.INSTANCE, log))
        {
            while (journal.appendedPosition() < targetBytes)
            {
                final int g = (int)(records % globals);
                final UnsafeBuffer name = names[g];
                key.global(globalOf(g, globals)).add(records % keys);
                value.putLong(0, records);
                journal.append(JournalRecord.TYPE_SET, 0, 0, JournalRecord.NONE, name, 0, name.capacity(),
                    key.buffer(), 0, key.length(), value, 0, valueBytes, null, 0, -1);
                records++;
            }
            journal.awaitDurable(journal.appendedPosition());
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            System.out.printf(Locale.ROOT, "wrote %,d records, %,d bytes of journal in %.2f s (%.0f MB/s, %d syncs)%n",
                records, journal.appendedPosition(), seconds, journal.appendedPosition() / seconds / MB,
                journal.syncs());
        }
        return records;
    }

    /**
     * @return the global of records {@code g} modulo {@code globals}: {@code r} when there is one.
     */
    static String globalOf(final int g, final int globals)
    {
        return 1 == globals ? GLOBAL : GLOBAL + g;
    }

    /**
     * Warm: read every journal file once so that it is in the page cache. Cold: ask the kernel to
     * drop the files' cached pages (they are clean: the journal was synced and closed).
     */
    static void prepareCache(final JournalFiles files, final boolean cold) throws IOException
    {
        for (final JournalFiles.Entry entry : files.list())
        {
            final Path file = files.path(entry);
            if (cold)
            {
                dropFromPageCache(file);
            }
            else
            {
                try (var in = Files.newInputStream(file))
                {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
        }
    }

    private static String read(final JournalFiles files, final boolean cold) throws IOException
    {
        prepareCache(files, cold);
        final Counting counting = new Counting();
        final long startNs = System.nanoTime();
        final RollForward.Result result = RollForward.run(files, NioFileLayer.INSTANCE, 0, -1, counting);
        return row("read", cold, result, System.nanoTime() - startNs, counting.sets);
    }

    private static String apply(
        final JournalFiles files, final Path dir, final long poolBytes, final boolean cold, final long records,
        final long keys, final int valueBytes) throws Exception
    {
        BenchMember.delete(dir);
        Files.createDirectories(dir);
        try (BenchMember member = new BenchMember(dir, poolBytes, 1_000, WriteDaemonProbe.NONE))
        {
            member.startDaemon();
            // As the member's replay listener does during recovery; the last key's value is checked.
            final StoreApplier replay = new StoreApplier(member.store.session());
            prepareCache(files, cold);
            final long startNs = System.nanoTime();
            final RollForward.Result result = RollForward.run(files, NioFileLayer.INSTANCE, 0, -1, replay);
            final long elapsedNs = System.nanoTime() - startNs;
            checkLastKey(member.store.session(), records, keys, valueBytes);
            return row("apply", cold, result, elapsedNs, result.applied());
        }
        finally
        {
            BenchMember.delete(dir);
        }
    }

    /**
     * The last record set {@code ^r((records - 1) mod keys)} to a value that starts with {@code records - 1}.
     */
    private static void checkLastKey(final StoreSession session, final long records, final long keys,
        final int valueBytes)
    {
        final GlobalKey key = new GlobalKey().global(GLOBAL).add((records - 1) % keys);
        if (!session.get(key) || session.valueLength() != valueBytes || session.value().getLong(0) != records - 1)
        {
            throw new IllegalStateException("after roll-forward " + key + " does not hold the last record's value");
        }
    }

    private static String row(final String pass, final boolean cold, final RollForward.Result result,
        final long elapsedNs, final long sets)
    {
        if (sets != result.applied())
        {
            throw new IllegalStateException("applier saw " + sets + " sets, roll-forward applied " + result.applied());
        }
        final double seconds = elapsedNs / 1e9;
        final String line = String.format(Locale.ROOT, "| %s | %s | %,d | %.1f | %.2f | %.0f | %,.0f |", pass,
            cold ? "cold" : "warm", result.applied(), result.bytesRead() / (double)MB, seconds,
            result.bytesRead() / seconds / MB, result.applied() / seconds);
        System.out.println(line);
        return line;
    }

    private static void dropFromPageCache(final Path file) throws IOException
    {
        final Process dd = new ProcessBuilder("dd", "if=" + file, "iflag=nocache", "count=0", "status=none")
            .redirectErrorStream(true).start();
        try
        {
            final String output = new String(dd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (dd.waitFor() != 0)
            {
                throw new IOException("dd iflag=nocache of " + file + " failed: " + output);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while dropping " + file + " from the page cache", ex);
        }
    }

    /**
     * The reader alone: counts what it is given.
     */
    static final class Counting implements RollForward.Applier
    {
        long sets;
        long valueBytes;

        @Override
        public void set(final int database, final String global, final DirectBuffer key, final int keyOffset,
            final int keyLength, final DirectBuffer value, final int valueOffset, final int valueLength)
        {
            sets++;
            valueBytes += valueLength;
        }

        @Override
        public void kill(final int database, final String global, final DirectBuffer key, final int keyOffset,
            final int keyLength)
        {
            sets++;
        }
    }
}
