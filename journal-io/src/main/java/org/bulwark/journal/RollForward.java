package org.bulwark.journal;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.bulwark.common.io.FileLayer;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Crash recovery of the journal (SPEC J-5), first half: re-apply every update from the
 * checkpoint (the position up to which the block files are complete) to the end of the journal,
 * in order, and find the transactions still open at the end. Re-applying is idempotent: a set
 * sets, a kill removes a node's value, whatever the block files already held.
 *
 * <p>Reading starts at the oldest transaction open at the checkpoint if that is earlier, so that
 * every open transaction's records are known; only records from the checkpoint on are applied.
 * The second half, rolling the open transactions back, journals its undo records like any
 * rollback and is done by the caller with {@link TransactionUndo}.
 */
public final class RollForward
{
    /**
     * Applies records to the databases without journaling them again.
     */
    public interface Applier
    {
        /**
         * The record at {@code position}, ending at {@code end}, is about to be applied.
         */
        default void at(final long position, final long end)
        {
        }

        void set(int database, String global, DirectBuffer key, int keyOffset, int keyLength,
            DirectBuffer value, int valueOffset, int valueLength);

        void kill(int database, String global, DirectBuffer key, int keyOffset, int keyLength);
    }

    /**
     * What the roll-forward did.
     *
     * @param applied            records applied.
     * @param bytesRead          journal bytes read.
     * @param endPosition        the end of the journal.
     * @param openTransactions   transaction id → position of its last record, for each one still open.
     * @param elapsedMs          time taken.
     */
    public record Result(long applied, long bytesRead, long endPosition, Long2LongHashMap openTransactions,
        long elapsedMs)
    {
    }

    private RollForward()
    {
    }

    /**
     * @param checkpoint            apply records from here on.
     * @param oldestOpenTransaction where the oldest transaction open at the checkpoint began, or -1.
     * @throws JournalDamagedException if the journal is damaged before its end (nothing past the
     *                                 damage is applied).
     */
    public static Result run(
        final JournalFiles files,
        final FileLayer layer,
        final long checkpoint,
        final long oldestOpenTransaction,
        final Applier applier) throws IOException
    {
        final long startNs = System.nanoTime();
        final Long2LongHashMap open = new Long2LongHashMap(-1);
        long applied = 0;
        try (JournalReader reader = new JournalReader(files, layer))
        {
            if (reader.entries().isEmpty())
            {
                return new Result(0, 0, checkpoint, open, 0);
            }
            final long from = oldestOpenTransaction >= 0 ? Math.min(checkpoint, oldestOpenTransaction) : checkpoint;
            reader.knownDurable(checkpoint);
            reader.seek(Math.max(from, reader.startPosition()));
            final long readFrom = reader.position();
            while (reader.next())
            {
                final JournalRecord record = reader.record();
                final long position = reader.recordPosition();
                final long transaction = record.transaction();
                switch (record.type())
                {
                    case JournalRecord.TYPE_TSTART:
                        open.put(transaction, position);
                        break;
                    case JournalRecord.TYPE_TCOMMIT:
                    case JournalRecord.TYPE_TROLLBACK:
                        open.remove(transaction);
                        break;
                    case JournalRecord.TYPE_SET:
                    case JournalRecord.TYPE_KILL:
                        if (0 != transaction)
                        {
                            // Its last record so far; its TSTART may lie before the scan (a rollback
                            // that recovery began and a crash cut short chains back to it anyway).
                            open.put(transaction, position);
                        }
                        if (position >= checkpoint)
                        {
                            applier.at(position, reader.position());
                            apply(record, applier);
                            applied++;
                        }
                        break;
                    default:
                        break;
                }
            }
            return new Result(applied, reader.position() - readFrom, reader.position(), open,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        }
    }

    /**
     * Apply one SET or KILL record.
     */
    public static void apply(final JournalRecord record, final Applier applier)
    {
        final String global = record.globalName();
        if (record.type() == JournalRecord.TYPE_SET)
        {
            applier.set(record.database(), global, record.buffer(), record.keyOffset(), record.keyLength(),
                record.buffer(), record.newValueOffset(), record.newValueLength());
        }
        else
        {
            applier.kill(record.database(), global, record.buffer(), record.keyOffset(), record.keyLength());
        }
    }
}
