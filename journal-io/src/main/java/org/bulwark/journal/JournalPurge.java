package org.bulwark.journal;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which journal files may go (SPEC J-9): a file is purged when it is older than the retention in
 * days or than the last N backups, whichever comes first, but never while anything still needs it:
 * the write daemon's checkpoint and the transactions open at it (crash recovery reads from there),
 * open transactions (rollback reads their old values), and — with mirroring — a member that has
 * not received it. Files go oldest first and only as a prefix: the journal stays contiguous.
 */
public final class JournalPurge
{
    /**
     * @param keepDays    purge files whose last record is older than this many days; -1: not by age.
     * @param keepBackups purge files that no restore from the last this many backups needs; -1: not by backups.
     */
    public record Policy(int keepDays, int keepBackups)
    {
        public Policy
        {
            if (keepDays < -1 || keepBackups < -1 || (keepDays < 0 && keepBackups < 0))
            {
                throw new IllegalArgumentException("a purge needs --days N (N >= 0) or --backups N (N >= 1)");
            }
            if (0 == keepBackups)
            {
                throw new IllegalArgumentException("--backups must be at least 1: a restore needs the last backup");
            }
        }
    }

    /**
     * What the plan says about one file.
     *
     * @param endPosition where the file's records end (the next file's start).
     */
    public record Decision(JournalFiles.Entry entry, long endPosition, boolean delete, String reason)
    {
    }

    private JournalPurge()
    {
    }

    /**
     * @param entries         the journal's files, oldest first.
     * @param neededFrom      the lowest position anything still needs.
     * @param neededBy        what needs it, for the reasons ("the checkpoint", "transaction 12").
     * @param backupPositions for each backup, the position a restore from it starts reading at.
     * @return a decision per file, in order; deletions form a prefix.
     */
    public static List<Decision> plan(
        final List<JournalFiles.Entry> entries,
        final long neededFrom,
        final String neededBy,
        final Policy policy,
        final List<Long> backupPositions,
        final Instant now)
    {
        final long backupLimit = backupLimit(policy.keepBackups(), backupPositions);
        final Instant ageLimit = policy.keepDays() < 0 ? null : now.minus(Duration.ofDays(policy.keepDays()));
        final List<Decision> decisions = new ArrayList<>(entries.size());
        boolean stopped = false;
        for (int i = 0; i < entries.size(); i++)
        {
            final JournalFiles.Entry entry = entries.get(i);
            if (i == entries.size() - 1)
            {
                decisions.add(new Decision(entry, -1, false, "kept: the file being written"));
                break;
            }
            final JournalFiles.Entry next = entries.get(i + 1);
            final long end = next.startPosition();
            final String reason;
            if (stopped)
            {
                reason = "kept: an older file is kept (the journal stays contiguous)";
            }
            else if (end > neededFrom)
            {
                reason = "kept: needed by " + neededBy + " at position " + neededFrom;
            }
            else if (null != ageLimit && endedBefore(next, ageLimit))
            {
                reason = "purge: its last record is older than " + policy.keepDays() + " day(s)";
            }
            else if (end <= backupLimit)
            {
                reason = "purge: no restore from the last " + policy.keepBackups() + " backup(s) needs it";
            }
            else
            {
                reason = "kept: within the retention (" + retention(policy) + ")";
            }
            final boolean delete = reason.startsWith("purge");
            stopped |= !delete;
            decisions.add(new Decision(entry, end, delete, reason));
        }
        return decisions;
    }

    /**
     * @return how many files at the start of the plan are to be deleted.
     */
    public static int deletions(final List<Decision> plan)
    {
        int count = 0;
        while (count < plan.size() && plan.get(count).delete())
        {
            count++;
        }
        return count;
    }

    private static long backupLimit(final int keepBackups, final List<Long> backupPositions)
    {
        if (keepBackups < 0 || backupPositions.size() < keepBackups)
        {
            return -1; // fewer backups than asked to keep: every file may still be needed
        }
        final List<Long> newestFirst = new ArrayList<>(backupPositions);
        newestFirst.sort((a, b) -> Long.compare(b, a));
        return newestFirst.get(keepBackups - 1);
    }

    /**
     * A file's last record is no later than the next file's creation.
     */
    private static boolean endedBefore(final JournalFiles.Entry next, final Instant limit)
    {
        try
        {
            return Instant.parse(next.created()).isBefore(limit);
        }
        catch (final DateTimeParseException ex)
        {
            return false; // no usable time: never purged by age
        }
    }

    private static String retention(final Policy policy)
    {
        final StringBuilder text = new StringBuilder();
        if (policy.keepDays() >= 0)
        {
            text.append(policy.keepDays()).append(" day(s)");
        }
        if (policy.keepBackups() >= 0)
        {
            text.append(text.length() > 0 ? " or " : "").append(policy.keepBackups()).append(" backup(s)");
        }
        return text.toString();
    }
}
