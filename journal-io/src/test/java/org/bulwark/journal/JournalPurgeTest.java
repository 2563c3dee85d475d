package org.bulwark.journal;

import org.bulwark.common.io.NioFileLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC J-9: the purge plan keeps every file recovery, an open transaction or the retention needs,
 * deletes only a prefix, and the deletion rewrites journal.log before removing files.
 */
class JournalPurgeTest
{
    @TempDir
    Path dir;

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    /** Five files of 1000 positions each, created one day apart, the last one today. */
    private static List<JournalFiles.Entry> files()
    {
        final List<JournalFiles.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            entries.add(new JournalFiles.Entry("2026112" + i + ".001", i * 1000L,
                NOW.minus(Duration.ofDays(4 - i)).toString()));
        }
        return entries;
    }

    @Test
    void byDaysPurgesFilesWhoseLastRecordIsOlderAndStopsAtTheFirstKeptFile()
    {
        final List<JournalPurge.Decision> plan = JournalPurge.plan(files(), 4000, "the checkpoint",
            new JournalPurge.Policy(1, -1), List.of(), NOW);
        // File i ends when file i + 1 was created, 3 - i days ago: files 0 and 1 ended 3 and 2 days
        // ago; file 2 exactly one day ago, which is not older than a day.
        assertEquals(2, JournalPurge.deletions(plan), plan.toString());
        assertTrue(plan.get(2).reason().startsWith("kept: within the retention"), plan.get(2).reason());
        assertTrue(plan.get(4).reason().contains("being written"));
    }

    @Test
    void neverPurgesWhatTheCheckpointOrAnOpenTransactionNeeds()
    {
        final List<JournalPurge.Decision> plan = JournalPurge.plan(files(), 1500, "an open transaction",
            new JournalPurge.Policy(0, -1), List.of(), NOW);
        assertEquals(1, JournalPurge.deletions(plan), "file 1 holds position 1500: " + plan);
        assertEquals("kept: needed by an open transaction at position 1500", plan.get(1).reason());
        assertTrue(plan.get(2).reason().contains("contiguous"), plan.get(2).reason());
    }

    @Test
    void byBackupsKeepsWhatARestoreFromTheLastNBackupsNeeds()
    {
        final List<Long> backups = List.of(1200L, 2500L, 3100L);
        assertEquals(3, JournalPurge.deletions(JournalPurge.plan(files(), 5000, "the checkpoint",
            new JournalPurge.Policy(-1, 1), backups, NOW)), "the newest backup reads from 3100");
        assertEquals(2, JournalPurge.deletions(JournalPurge.plan(files(), 5000, "the checkpoint",
            new JournalPurge.Policy(-1, 2), backups, NOW)), "the second newest reads from 2500");
        assertEquals(0, JournalPurge.deletions(JournalPurge.plan(files(), 5000, "the checkpoint",
            new JournalPurge.Policy(-1, 4), backups, NOW)), "fewer backups than asked to keep: keep all");
    }

    @Test
    void aPolicyNeedsDaysOrBackups()
    {
        assertThrows(IllegalArgumentException.class, () -> new JournalPurge.Policy(-1, -1));
        assertThrows(IllegalArgumentException.class, () -> new JournalPurge.Policy(-1, 0));
    }

    @Test
    void removingRewritesTheListThenDeletesTheFiles() throws Exception
    {
        final JournalFiles files = new JournalFiles(dir, "", NioFileLayer.INSTANCE);
        for (int i = 0; i < 3; i++)
        {
            files.create(i * 100L, i, 8192);
        }
        final List<JournalFiles.Entry> before = files.list();
        final List<JournalFiles.Entry> removed = files.removeOldest(2);
        assertEquals(before.subList(0, 2), removed);
        assertEquals(before.subList(2, 3), files.list());
        assertFalse(Files.exists(files.path(before.get(0))));
        assertFalse(Files.exists(files.path(before.get(1))));
        assertTrue(Files.exists(files.path(before.get(2))));
        assertThrows(IllegalArgumentException.class, () -> files.removeOldest(1), "never the file being written");
    }
}
