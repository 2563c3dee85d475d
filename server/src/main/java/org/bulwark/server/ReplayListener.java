package org.bulwark.server;

import org.agrona.DirectBuffer;
import org.bulwark.store.StoreSession;
import org.bulwark.store.UpdateListener;

/**
 * Applies journal records during roll-forward (SPEC J-5) without journaling them again, while
 * telling the write daemon how far the replay has come: a cycle sealed during replay then records
 * the position of the last record applied as its checkpoint, so a crash during recovery resumes
 * from there.
 */
class ReplayListener extends StoreApplier implements UpdateListener
{
    private final long oldestOpenTransaction;
    private volatile long replayedTo;
    private long current;

    ReplayListener(final StoreSession session, final long checkpoint, final long oldestOpenTransaction)
    {
        super(session);
        this.replayedTo = checkpoint;
        this.current = checkpoint;
        this.oldestOpenTransaction = oldestOpenTransaction;
    }

    @Override
    public void at(final long position, final long end)
    {
        current = position;
        replayedTo = position; // the record at position is not applied yet: a seal now excludes it
        this.end = end;
    }

    private long end;

    @Override
    public void set(final int database, final String global, final DirectBuffer keyBuffer, final int keyOffset,
        final int keyLength, final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        super.set(database, global, keyBuffer, keyOffset, keyLength, value, valueOffset, valueLength);
        replayedTo = end;
    }

    @Override
    public void kill(final int database, final String global, final DirectBuffer keyBuffer, final int keyOffset,
        final int keyLength)
    {
        super.kill(database, global, keyBuffer, keyOffset, keyLength);
        replayedTo = end;
    }

    @Override
    public boolean wantsOldValues(final Object context)
    {
        return false;
    }

    @Override
    public long beforeSet(
        final Object context, final int database, final String global, final DirectBuffer keyBuffer,
        final int keyLength, final DirectBuffer value, final int valueOffset, final int valueLength,
        final DirectBuffer oldValue, final int oldValueOffset, final int oldValueLength)
    {
        return current;
    }

    @Override
    public long beforeKill(
        final Object context, final int database, final String global, final DirectBuffer keyBuffer,
        final int keyOffset, final int keyLength, final DirectBuffer oldValue, final int oldValueOffset,
        final int oldValueLength)
    {
        return current;
    }

    @Override
    public long position()
    {
        return replayedTo;
    }

    @Override
    public void awaitDurable(final long position)
    {
        // Replayed records come from the durable journal.
    }

    @Override
    public long oldestOpenTransaction()
    {
        return oldestOpenTransaction;
    }
}
