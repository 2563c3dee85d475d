package org.bulwark.server;

import org.bulwark.common.io.NioFileLayer;
import org.bulwark.journal.JournalFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The journal tools (SPEC J-9, E-2): list, dump with filters, verify, purge; and a damaged journal
 * stops recovery with the file and offset, is reported by verify, and nothing past it is applied.
 */
class JournalCommandTest
{
    @TempDir
    Path dir;

    private String output;
    private String errors;

    private int cli(final String... args) throws Exception
    {
        final CliRun run = CliRun.run("", CliRun.withConfig(config(), args));
        output = run.output();
        errors = run.errors();
        return run.code();
    }

    private Path config() throws IOException
    {
        return CliRun.memberConfig(dir, "databases = MAIN", "pool.size = 8m", "journal.fileSize = 1m",
            "writeDaemon.intervalMs = 3600000", "writeDaemon.dirtyThresholdPercent = 90");
    }

    private Instance open(final boolean daemonThread) throws Exception
    {
        return Instance.open(InstanceConfig.load(config()), new InstanceOptions().daemonThread(daemonThread));
    }

    private JournalFiles files()
    {
        return new JournalFiles(dir.resolve("data").resolve("journal"), "", NioFileLayer.INSTANCE);
    }

    /**
     * Commits about 3.5 MiB of journal: four files of 1 MiB.
     */
    private static void commitMany(final BulwarkSession s, final int from, final int count)
    {
        for (int i = from; i < from + count; i++)
        {
            s.tstart();
            s.set(new byte[1000], "big", i);
            s.set("v" + i, "small", i);
            s.tcommit();
        }
    }

    @Test
    void listDumpAndVerify() throws Exception
    {
        try (Instance instance = open(true))
        {
            commitMany(instance.session(), 0, 3000);
        }
        assertEquals(0, cli("journal", "list"), errors);
        final int fileCount = files().list().size();
        assertTrue(fileCount >= 3, output);
        assertTrue(output.contains(fileCount + " file(s)"), output);

        assertEquals(0, cli("journal", "dump", "--global", "small", "--from", "0"), errors);
        final long smallRecords = output.lines().filter(l -> l.contains(" SET ")).count();
        assertEquals(3000, smallRecords, "one SET of ^small per transaction");
        assertTrue(output.contains("^small(2999) new=5B\"v2999\""), output.substring(output.length() - 300));
        assertTrue(output.lines().noneMatch(l -> l.contains("^big")), "the filter keeps ^big out");

        final String line = output.lines().filter(l -> l.contains("^small(10) ")).findFirst().orElseThrow();
        final String transaction = line.replaceAll(".* txn=(\\d+) .*", "$1");
        assertEquals(0, cli("journal", "dump", "--txn", transaction), errors);
        assertEquals(4, output.lines().filter(l -> l.contains("txn=" + transaction + " ")).count(),
            "TSTART, two SETs, TCOMMIT: " + output);

        assertEquals(0, cli("journal", "dump", "--since", "2000-01-01T00:00:00Z", "--until", "2000-01-02T00:00:00Z"));
        assertTrue(output.startsWith("0 record(s)"), "nothing was journaled in 2000: " + output);
        assertEquals(2, cli("journal", "dump", "--since", "yesterday"));
        assertTrue(errors.contains("'yesterday' is not an ISO-8601 instant"), errors);

        assertEquals(0, cli("journal", "verify"), output + errors);
        assertTrue(output.startsWith("journal OK: " + fileCount + " file(s)") && output.contains("3000 transactions"),
            output);
    }

    @Test
    void purgeKeepsWhatRecoveryNeedsAndTheMemberStillStarts() throws Exception
    {
        try (Instance instance = open(true))
        {
            commitMany(instance.session(), 0, 3000);
        }
        final int before = files().list().size();
        assertEquals(2, cli("journal", "purge"));
        assertTrue(errors.contains("needs --days N"), errors);

        assertEquals(0, cli("journal", "purge", "--days", "0", "--dry-run"), errors);
        assertTrue(output.contains((before - 1) + " file(s) would be purged"), output);
        assertEquals(before, files().list().size(), "a dry run deletes nothing");

        assertEquals(0, cli("journal", "purge", "--days", "0"), errors);
        assertEquals(1, files().list().size(), "a clean shutdown checkpoints at the end: " + output);
        assertEquals(0, cli("journal", "verify"), output);

        // An open transaction holds its files, even when a cycle checkpointed past it.
        try (Instance instance = open(false))
        {
            final BulwarkSession open = instance.openSession();
            open.tstart();
            open.set("held", "small", "open");
            final long start = instance.journalBridge().oldestOpenTransaction();
            commitMany(instance.session(), 3000, 3000);
            instance.daemon().flushAll();
            assertTrue(instance.daemon().checkpoint() > start);
            final List<JournalFiles.Entry> entries = files().list();
            int needed = 0;
            while (entries.get(needed + 1).startPosition() <= start)
            {
                needed++;
            }
            final List<org.bulwark.journal.JournalPurge.Decision> plan =
                instance.purgeJournal(new org.bulwark.journal.JournalPurge.Policy(0, -1), false);
            assertEquals(needed, org.bulwark.journal.JournalPurge.deletions(plan), plan.toString());
            assertEquals("kept: needed by a transaction open at the checkpoint at position " + start,
                plan.get(needed).reason());
            assertEquals(entries.size() - needed, files().list().size());
            open.trollback();
        }
        try (Instance instance = open(true))
        {
            final BulwarkSession s = instance.session();
            assertEquals("v5999", s.getString("small", 5999));
            assertEquals(0, s.data("small", "open"));
        }
    }

    @Test
    void damageStopsRecoveryWithFileAndOffsetAndVerifyReportsIt() throws Exception
    {
        final Instance crashed = open(false);
        commitMany(crashed.session(), 0, 1500);
        assertEquals(0, crashed.daemon().cycles(), "every commit is only in the journal");
        crashed.abandon();

        final JournalFiles.Entry first = files().list().get(0);
        final Path file = files().path(first);
        final long offset = JournalFiles.HEADER_LENGTH + 300_000;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(offset);
            f.write(new byte[64]); // zeros in the middle of the records: nothing can read as an end here
        }
        final IOException refused = assertThrows(IOException.class, () -> open(true));
        assertTrue(refused.getMessage().contains(file.toString()) && refused.getMessage().contains("offset"),
            refused.getMessage());
        assertTrue(Files.readString(dir.resolve("data").resolve("messages.log")).contains(file.toString()),
            "messages.log names the file");

        assertEquals(1, cli("journal", "verify"));
        assertTrue(output.contains("journal DAMAGED") && output.contains(file.toString()), output);
        assertEquals(1, cli("journal", "dump"));
        assertTrue(errors.contains("damaged"), errors);
    }
}
