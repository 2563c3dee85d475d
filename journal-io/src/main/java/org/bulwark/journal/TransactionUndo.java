package org.bulwark.journal;

import org.agrona.DirectBuffer;
import org.bulwark.common.io.FileLayer;

import java.io.IOException;

/**
 * Rolls a transaction back from its journaled old values (SPEC T-1, J-5): follows the chain of
 * its records backwards (each names the previous one) and restores each node's old value, or
 * removes the node if it had none. The caller journals the restorations like any update (with
 * the transaction's id) and then a TROLLBACK record, so that a crash in the middle of a rollback
 * is rolled back again, correctly, at the next start.
 */
public final class TransactionUndo
{
    /**
     * Restores old values (and journals that it did).
     */
    public interface Target
    {
        /**
         * @param oldValueLength -1 if the node had no value: remove it.
         */
        void restore(int database, String global, DirectBuffer key, int keyOffset, int keyLength,
            DirectBuffer oldValue, int oldValueOffset, int oldValueLength);
    }

    private TransactionUndo()
    {
    }

    /**
     * Undo the records from {@code lastPosition} back to, not including, the first record before
     * {@code stopBefore} (the transaction's start, or a nesting level's start for a partial rollback).
     * The records must be written (awaited durable) before.
     *
     * @return records undone.
     */
    public static int undo(
        final JournalFiles files,
        final FileLayer layer,
        final long lastPosition,
        final long stopBefore,
        final Target target) throws IOException
    {
        int undone = 0;
        try (JournalReader reader = new JournalReader(files, layer))
        {
            long position = lastPosition;
            while (position >= 0 && position >= stopBefore)
            {
                reader.seek(position);
                if (!reader.next() || reader.recordPosition() != position)
                {
                    throw new JournalDamagedException("transaction record at position " + position +
                        " cannot be read back for rollback (" + reader.where(position) + ")");
                }
                final JournalRecord record = reader.record();
                switch (record.type())
                {
                    case JournalRecord.TYPE_SET:
                        target.restore(record.database(), record.globalName(), record.buffer(), record.keyOffset(),
                            record.keyLength(), record.buffer(), record.oldValueOffset(), record.oldValueLength());
                        undone++;
                        break;
                    case JournalRecord.TYPE_KILL:
                        target.restore(record.database(), record.globalName(), record.buffer(), record.keyOffset(),
                            record.keyLength(), record.buffer(), record.oldValueOffset(), record.oldValueLength());
                        undone++;
                        break;
                    case JournalRecord.TYPE_TSTART:
                        return undone;
                    default:
                        break;
                }
                position = record.previousInTransaction();
            }
        }
        return undone;
    }
}
