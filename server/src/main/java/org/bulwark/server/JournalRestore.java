package org.bulwark.server;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.bulwark.journal.Dejournaler;
import org.bulwark.journal.JournalFiles;
import org.bulwark.journal.JournalReader;
import org.bulwark.journal.JournalRecord;
import org.bulwark.journal.TransactionUndo;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.MountedDatabase;
import org.bulwark.store.StoreSession;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * {@code bulwark journal restore} (SPEC J-7, J-8): apply journal files to a restored database, in
 * parallel, from the position its backup is complete to, optionally only up to a point in time.
 *
 * <p>Transactions: those open at the backup's checkpoint already have their earlier records in the
 * blocks, so all their later records (undo records of a rollback included) are applied in order,
 * and if they are still open at the end they are rolled back from their journaled old values.
 * Transactions that begin later are applied at their commit, never if they roll back or are still
 * open at the end (the {@link Dejournaler} holds them).
 *
 * <p>The updates go through the member's store, so they are journaled anew like any update; the
 * caller closes the member afterwards, whose shutdown checkpoint then covers the restore.
 */
final class JournalRestore
{
    /**
     * @param database    the database to restore; records of other databases are skipped.
     * @param from        where to start reading (a backup's journal-from position).
     * @param applyFrom   apply records from here (the backup's checkpoint); before it, only note
     *                    which transactions are open.
     * @param untilMs     stop at the first record journaled later than this, ms since the epoch;
     *                    {@code Long.MAX_VALUE} for the whole journal.
     * @param lanes       dejournal lanes, 1 to 16.
     * @param journal     the journal directory to read (the member's own, or copied from another).
     * @param stopAt      read no record at or past this position: the end of the member's own journal
     *                    when the restore began, since the restore's own updates are journaled after it;
     *                    {@code Long.MAX_VALUE} for another journal.
     */
    record Request(String database, long from, long applyFrom, long untilMs, int lanes, Path journal, long stopAt)
    {
    }

    /**
     * What a restore did.
     */
    record Outcome(long applied, long droppedRolledBack, long droppedOpen, int rolledBackAtEnd, long endPosition,
        long bytesRead, String stoppedBecause, long elapsedNs)
    {
        String describe()
        {
            final double seconds = Math.max(elapsedNs, 1) / 1e9;
            return String.format("applied %,d records (%,.0f records/s, %.1f MB/s of journal read); skipped %,d " +
                "of rolled-back and %,d of unfinished transactions; rolled back %d transaction(s) open at the end; " +
                "read to position %d%s in %.2f s", applied, applied / seconds, bytesRead / 1e6 / seconds,
                droppedRolledBack, droppedOpen, rolledBackAtEnd, endPosition,
                null == stoppedBecause ? "" : " (stopped: " + stoppedBecause + ")", seconds);
        }
    }

    private JournalRestore()
    {
    }

    static Outcome run(final Instance instance, final Request request) throws IOException
    {
        final MountedDatabase db = instance.store().database(request.database());
        if (null == db)
        {
            throw new IllegalArgumentException("no database " + request.database() + " is mounted");
        }
        if (request.applyFrom() < request.from())
        {
            throw new IllegalArgumentException("apply-from position " + request.applyFrom() + " is before the " +
                "read-from position " + request.from());
        }
        final int database = db.index();
        final JournalFiles files = new JournalFiles(request.journal(), "", instance.fileLayer());
        final long startNs = System.nanoTime();
        instance.log().info("JRN", "journal restore of " + request.database() + " from " + request.journal() +
            ": reading from " + request.from() + ", applying from " + request.applyFrom() +
            (request.untilMs() == Long.MAX_VALUE ? "" : " until " + Instant.ofEpochMilli(request.untilMs())) +
            " on " + request.lanes() + " lane(s)");
        // Transactions open at applyFrom: id → position of their last record (for a rollback at the end).
        final Long2LongHashMap straddling = new Long2LongHashMap(-1);
        final Long2LongHashMap openFrom = new Long2LongHashMap(-1);
        long endPosition;
        long readFrom;
        String stoppedBecause = null;
        boolean applying = false;
        final Dejournaler.Result result;
        try (JournalReader reader = new JournalReader(files, instance.fileLayer());
            Dejournaler dejournaler = new Dejournaler(request.lanes(),
                lane -> new StoreApplier(instance.store().newSession()), Dejournaler.DEFAULT_RING_BYTES))
        {
            if (reader.entries().isEmpty())
            {
                throw new IOException("no journal files in " + request.journal());
            }
            reader.seek(request.from());
            readFrom = reader.position();
            while (reader.next())
            {
                final JournalRecord record = reader.record();
                final long position = reader.recordPosition();
                final long transaction = record.transaction();
                if (position >= request.stopAt())
                {
                    break;
                }
                if (record.type() == JournalRecord.TYPE_DATABASE_RESTORED && record.database() == database &&
                    position >= request.applyFrom())
                {
                    stoppedBecause = "the database was restored from a backup at position " + position + " (" +
                        Instant.ofEpochMilli(record.timestampMs()) + "); what follows is another history: restore " +
                        "from a backup taken after that to go further";
                    instance.log().warning("JRN", "journal restore of " + request.database() + " stopped: " +
                        stoppedBecause);
                    break;
                }
                if (position < request.applyFrom())
                {
                    noteOpen(record, position, openFrom);
                    continue;
                }
                if (!applying)
                {
                    applying = true;
                    straddling.putAll(openFrom);
                }
                if (record.timestampMs() > request.untilMs())
                {
                    stoppedBecause = "at the requested time";
                    break;
                }
                final boolean straddler = 0 != transaction && straddling.containsKey(transaction);
                switch (record.type())
                {
                    case JournalRecord.TYPE_SET:
                    case JournalRecord.TYPE_KILL:
                        if (straddler)
                        {
                            straddling.put(transaction, position);
                        }
                        if (record.database() == database)
                        {
                            dejournaler.accept(record, position, straddler);
                        }
                        break;
                    case JournalRecord.TYPE_TCOMMIT:
                    case JournalRecord.TYPE_TROLLBACK:
                        if (straddler)
                        {
                            straddling.remove(transaction);
                        }
                        dejournaler.accept(record, position);
                        break;
                    default:
                        break;
                }
            }
            endPosition = null != stoppedBecause || reader.recordPosition() >= request.stopAt() ?
                reader.recordPosition() : reader.position();
            result = dejournaler.finish(TimeUnit.HOURS.toMillis(24));
        }
        // Transactions open at the backup's checkpoint and still open at the end: undo what the
        // blocks and the lanes applied of them, in this database only.
        final StoreSession session = instance.store().newSession();
        final GlobalKey key = new GlobalKey();
        int rolledBack = 0;
        final Long2LongHashMap.KeyIterator it = straddling.keySet().iterator();
        while (it.hasNext())
        {
            final long transaction = it.nextValue();
            TransactionUndo.undo(files, instance.fileLayer(), straddling.get(transaction), request.from(),
                (recordDatabase, global, keyBuffer, keyOffset, keyLength, oldValue, oldOffset, oldLength) ->
                    restore(session, key, database, recordDatabase, global, keyBuffer, keyOffset, keyLength,
                        oldValue, oldOffset, oldLength));
            rolledBack++;
        }
        final Outcome outcome = new Outcome(result.applied(), result.droppedRolledBack(), result.droppedOpen(),
            rolledBack, endPosition, endPosition - readFrom, stoppedBecause, System.nanoTime() - startNs);
        instance.log().info("JRN", "journal restore of " + request.database() + ": " + outcome.describe());
        return outcome;
    }

    /**
     * Before the apply-from position: track which transactions are open, with their last record.
     */
    private static void noteOpen(final JournalRecord record, final long position, final Long2LongHashMap open)
    {
        switch (record.type())
        {
            case JournalRecord.TYPE_TSTART:
            case JournalRecord.TYPE_SET:
            case JournalRecord.TYPE_KILL:
                if (0 != record.transaction())
                {
                    open.put(record.transaction(), position);
                }
                break;
            case JournalRecord.TYPE_TCOMMIT:
            case JournalRecord.TYPE_TROLLBACK:
                open.remove(record.transaction());
                break;
            default:
                break;
        }
    }

    private static void restore(final StoreSession session, final GlobalKey key, final int database,
        final int recordDatabase, final String global, final DirectBuffer keyBuffer, final int keyOffset,
        final int keyLength, final DirectBuffer oldValue, final int oldOffset, final int oldLength)
    {
        if (recordDatabase != database)
        {
            return;
        }
        key.fromEncoded(global, keyBuffer, keyOffset, keyLength);
        if (oldLength >= 0)
        {
            session.set(key, oldValue, oldOffset, oldLength);
        }
        else
        {
            session.zkill(key);
        }
    }
}
