package org.bulwark.server;

import org.agrona.DirectBuffer;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalFrozenException;
import org.bulwark.journal.JournalRecord;
import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;
import org.bulwark.store.UpdateListener;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Journals every update the store reports (SPEC J-1): a SET or KILL record tagged with the
 * session's transaction and chained to its previous record, with old values inside transactions.
 * It also knows which transactions are open, for the write daemon's checkpoint.
 */
final class JournalBridge implements UpdateListener
{
    private final Journal journal;
    private final ConcurrentHashMap<Long, Long> openTransactions = new ConcurrentHashMap<>();
    /** For updates through a bare store session (tools): journaled outside any transaction. */
    private final ThreadLocal<TransactionState> bare = ThreadLocal.withInitial(TransactionState::new);

    JournalBridge(final Journal journal)
    {
        this.journal = journal;
    }

    Journal journal()
    {
        return journal;
    }

    void opened(final long transaction, final long startPosition)
    {
        openTransactions.put(transaction, startPosition);
    }

    void closed(final long transaction)
    {
        openTransactions.remove(transaction);
    }

    @Override
    public boolean wantsOldValues(final Object context)
    {
        return null != context && ((TransactionState)context).inTransaction();
    }

    @Override
    public long beforeSet(
        final Object context, final int database, final String global, final DirectBuffer key, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength,
        final DirectBuffer oldValue, final int oldValueOffset, final int oldValueLength)
    {
        return record(JournalRecord.TYPE_SET, context, database, global, key, 0, keyLength,
            value, valueOffset, valueLength, oldValue, oldValueOffset, oldValueLength);
    }

    @Override
    public long beforeKill(
        final Object context, final int database, final String global, final DirectBuffer key, final int keyOffset,
        final int keyLength, final DirectBuffer oldValue, final int oldValueOffset, final int oldValueLength)
    {
        return record(JournalRecord.TYPE_KILL, context, database, global, key, keyOffset, keyLength,
            null, 0, -1, oldValue, oldValueOffset, oldValueLength);
    }

    private long record(
        final byte type, final Object context, final int database, final String global,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength,
        final DirectBuffer oldValue, final int oldValueOffset, final int oldValueLength)
    {
        final TransactionState state = null == context ? bare.get() : (TransactionState)context;
        final int nameLength = state.name.putStringWithoutLengthAscii(0, global);
        final boolean inTransaction = state.inTransaction();
        try
        {
            final long position = journal.append(type, database, inTransaction ? state.transaction : 0,
                inTransaction ? state.lastPosition : JournalRecord.NONE, state.name, 0, nameLength,
                key, keyOffset, keyLength, value, valueOffset, valueLength,
                inTransaction ? oldValue : null, oldValueOffset, inTransaction ? oldValueLength : -1);
            if (inTransaction)
            {
                state.lastPosition = position;
            }
            state.lastEnd = position + JournalRecord.alignedLength(JournalRecord.frameLength(nameLength, keyLength,
                valueLength, inTransaction ? oldValueLength : -1));
            return position;
        }
        catch (final JournalFrozenException ex)
        {
            throw frozen(ex);
        }
    }

    static BulwarkException frozen(final JournalFrozenException ex)
    {
        return new BulwarkException(ErrorCode.JOURNAL_FROZEN, ex.getMessage());
    }

    @Override
    public long position()
    {
        return journal.appendedPosition();
    }

    @Override
    public void awaitDurable(final long position)
    {
        try
        {
            journal.awaitDurable(position);
        }
        catch (final JournalFrozenException ex)
        {
            throw frozen(ex);
        }
    }

    /**
     * @return transactions open now (metrics).
     */
    int openTransactionCount()
    {
        return openTransactions.size();
    }

    @Override
    public long oldestOpenTransaction()
    {
        long oldest = -1;
        for (final long start : openTransactions.values())
        {
            oldest = oldest < 0 ? start : Math.min(oldest, start);
        }
        return oldest;
    }
}
