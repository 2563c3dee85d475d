package org.bulwark.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC J-7, J-8: an online backup taken while transactions commit, restored alone (behind), then
 * brought forward by a parallel journal restore to the end or to a point in time; transactions
 * open at the backup's checkpoint end as they ended in the journal; a damaged backup is refused
 * with nothing changed; a purge by backups keeps what a restore needs.
 */
class BackupRestoreTest
{
    @TempDir
    Path dir;

    private String output;
    private String errors;

    private Path config() throws Exception
    {
        return CliRun.memberConfig(dir, "databases = MAIN, SECOND", "map.b* = SECOND", "pool.size = 16m",
            "journal.fileSize = 1m", "writeDaemon.intervalMs = 20");
    }

    private Instance open() throws Exception
    {
        return Instance.open(InstanceConfig.load(config()), new InstanceOptions());
    }

    private int cli(final String... args) throws Exception
    {
        final CliRun run = CliRun.run("", CliRun.withConfig(config(), args));
        output = run.output();
        errors = run.errors();
        return run.code();
    }

    private static TreeMap<String, String> read(final BulwarkSession s, final String global)
    {
        final TreeMap<String, String> nodes = new TreeMap<>();
        for (String sub = s.order(1, global, ""); !sub.isEmpty(); sub = s.order(1, global, sub))
        {
            nodes.put(sub, s.getString(global, sub));
        }
        return nodes;
    }

    private TreeMap<String, String> readNow(final String global) throws Exception
    {
        try (Instance instance = open())
        {
            for (final var db : instance.store().databases())
            {
                assertTrue(instance.store().checkIntegrity(db.name()).ok(), db.name());
            }
            return read(instance.session(), global);
        }
    }

    /**
     * Commits transactions on ^a (MAIN) and ^b (SECOND), every seventh rolled back, keeping the
     * model of ^a; marks a point in time on request.
     */
    private static final class Writer extends Thread
    {
        final TreeMap<String, String> modelA = new TreeMap<>();
        final TreeMap<String, String> modelB = new TreeMap<>();
        final AtomicLong commits = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicBoolean markRequested = new AtomicBoolean();
        final CountDownLatch marked = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile long markMs;
        volatile TreeMap<String, String> modelAtMark;
        private final BulwarkSession session;

        Writer(final Instance instance)
        {
            this.session = instance.openSession();
        }

        @Override
        public void run()
        {
            try
            {
                for (long n = 1; !stop.get(); n++)
                {
                    if (markRequested.getAndSet(false))
                    {
                        // A clean gap on the millisecond clock: records up to markMs are exactly these.
                        final long before = System.currentTimeMillis();
                        while (System.currentTimeMillis() <= before)
                        {
                            Thread.onSpinWait();
                        }
                        markMs = System.currentTimeMillis();
                        modelAtMark = new TreeMap<>(modelA);
                        while (System.currentTimeMillis() <= markMs)
                        {
                            Thread.onSpinWait();
                        }
                        marked.countDown();
                    }
                    session.tstart();
                    final String key = "k" + (n % 400);
                    session.set("v" + n, "a", key);
                    session.set(Long.toString(n), "a", "n");
                    session.set("w" + n, "b", key);
                    if (n % 7 == 0)
                    {
                        session.trollback();
                        continue;
                    }
                    if (n % 11 == 0)
                    {
                        session.kill("a", "k" + ((n * 13) % 400));
                    }
                    session.tcommit();
                    modelA.put(key, "v" + n);
                    modelA.put("n", Long.toString(n));
                    modelB.put(key, "w" + n);
                    if (n % 11 == 0)
                    {
                        modelA.remove("k" + ((n * 13) % 400));
                    }
                    commits.incrementAndGet();
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }

        void awaitCommits(final long count) throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (commits.get() < count && null == failure.get())
            {
                assertTrue(System.nanoTime() < deadlineNs, "the writer is stuck at " + commits.get());
                Thread.sleep(1);
            }
            assertNull(failure.get());
        }
    }

    @Test
    void onlineBackupThenJournalRestoreToTheEndAndToAPointInTime() throws Exception
    {
        final Path backup = dir.resolve("main.bak");
        final Writer writer;
        final BackupHistory.Entry entry;
        try (Instance instance = open())
        {
            // A transaction open across the backup that rolls back, and one that commits.
            final BulwarkSession rolledBack = instance.openSession();
            rolledBack.tstart();
            rolledBack.set("x", "a", "straddle-rolled-back");
            final BulwarkSession committed = instance.openSession();
            committed.tstart();
            committed.set("y", "a", "straddle-committed");

            writer = new Writer(instance);
            writer.start();
            writer.awaitCommits(300);
            entry = new OnlineBackup(instance).run("MAIN", backup);
            rolledBack.trollback();
            committed.tcommit();
            writer.awaitCommits(writer.commits.get() + 300);
            writer.markRequested.set(true);
            assertTrue(writer.marked.await(60, TimeUnit.SECONDS));
            writer.awaitCommits(writer.commits.get() + 200);
            writer.stop.set(true);
            writer.join(60_000);
            assertNull(writer.failure.get());
        }
        final TreeMap<String, String> finalA = new TreeMap<>(writer.modelA);
        finalA.put("straddle-committed", "y");
        final TreeMap<String, String> markA = new TreeMap<>(writer.modelAtMark);
        markA.put("straddle-committed", "y");
        assertTrue(entry.journalFrom() < entry.checkpoint(), "transactions were open at the backup's checkpoint");

        assertEquals(0, cli("backup", "list"), errors);
        assertTrue(output.contains(backup.toString()), output);

        // The backup alone is behind: it lacks the commits after it.
        assertEquals(0, cli("backup", "restore", backup.toString(), "--no-journal"), errors);
        assertTrue(output.contains("journal not applied"), output);
        final TreeMap<String, String> alone = readNow("a");
        assertTrue(Long.parseLong(alone.get("n")) < Long.parseLong(finalA.get("n")), "the backup is not behind");

        // Brought forward by a journal restore: exactly the final state.
        assertEquals(0, cli("journal", "restore", "--database", "MAIN", "--from", Long.toString(entry.journalFrom()),
            "--apply-from", Long.toString(entry.checkpoint()), "--lanes", "1"), errors);
        assertEquals(finalA, readNow("a"));

        // To a point in time, on 8 lanes.
        assertEquals(0, cli("backup", "restore", backup.toString(), "--until",
            java.time.Instant.ofEpochMilli(writer.markMs).toString(), "--lanes", "8"), errors);
        assertTrue(output.contains("stopped: at the requested time"), output);
        assertEquals(markA, readNow("a"));

        // To the end again: the journal after the first restore is another history (the blocks were
        // replaced there), so the restore stops at that mark, with the state before it.
        assertEquals(0, cli("backup", "restore", backup.toString()), errors);
        assertTrue(output.contains("the database was restored from a backup at position"), output);
        assertEquals(finalA, readNow("a"));
        // SECOND was never touched.
        assertEquals(writer.modelB, readNow("b"));
    }

    @Test
    void aDamagedBackupIsRefusedAndNothingChanges() throws Exception
    {
        final Path backup = dir.resolve("main.bak");
        try (Instance instance = open())
        {
            for (int i = 0; i < 500; i++)
            {
                instance.session().set("v" + i, "a", "k" + i);
            }
            new OnlineBackup(instance).run("MAIN", backup);
            instance.session().set("after", "a", "later");
        }
        try (RandomAccessFile f = new RandomAccessFile(backup.toFile(), "rw"))
        {
            f.seek(BackupFile.HEADER_LENGTH + 5000);
            final int b = f.read();
            f.seek(BackupFile.HEADER_LENGTH + 5000);
            f.write(b ^ 0x40);
        }
        final TreeMap<String, String> before = readNow("a");
        assertEquals(1, cli("backup", "restore", backup.toString()));
        assertTrue(errors.contains("damaged backup") && errors.contains(backup.toString()), errors);
        assertEquals(before, readNow("a"));
        assertEquals("after", before.get("later"));

        assertThrows(IllegalArgumentException.class, () ->
        {
            try (Instance instance = open())
            {
                new OnlineBackup(instance).run("MAIN", backup);
            }
        }, "a backup never overwrites a file");
    }

    @Test
    void aPurgeByBackupsKeepsWhatARestoreFromThemNeeds() throws Exception
    {
        final List<BackupHistory.Entry> backups = new ArrayList<>();
        try (Instance instance = open())
        {
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < 1500; i++)
                {
                    instance.session().set(new byte[1000], "a", "k" + i);
                }
                backups.add(new OnlineBackup(instance).run("MAIN", dir.resolve("main" + round + ".bak")));
            }
            for (int i = 0; i < 1500; i++)
            {
                instance.session().set(new byte[1000], "a", "k" + i);
            }
            final org.bulwark.journal.JournalFiles files = instance.journal().files();
            final List<org.bulwark.journal.JournalPurge.Decision> keepTwo = instance.purgeJournal(
                new org.bulwark.journal.JournalPurge.Policy(-1, 2), false);
            assertTrue(files.list().get(0).startPosition() <= backups.get(0).journalFrom(), keepTwo.toString());
            assertTrue(org.bulwark.journal.JournalPurge.deletions(keepTwo) > 0, "files before the first backup go");
            final List<org.bulwark.journal.JournalPurge.Decision> keepOne = instance.purgeJournal(
                new org.bulwark.journal.JournalPurge.Policy(-1, 1), false);
            assertTrue(org.bulwark.journal.JournalPurge.deletions(keepOne) > 0, keepOne.toString());
            assertTrue(files.list().get(0).startPosition() <= backups.get(1).journalFrom());
            assertTrue(files.list().get(0).startPosition() > backups.get(0).journalFrom(), "the older one's went");
        }
        // The newest backup still restores to the end.
        final TreeMap<String, String> live = readNow("a");
        assertEquals(0, cli("backup", "restore", dir.resolve("main1.bak").toString()), errors);
        assertEquals(live, readNow("a"));
    }
}
