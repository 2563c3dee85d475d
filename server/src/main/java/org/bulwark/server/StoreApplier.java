package org.bulwark.server;

import org.agrona.DirectBuffer;
import org.bulwark.journal.RollForward;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.StoreSession;

/**
 * Applies journal records to the store through one store session: a SET sets, a KILL removes the
 * node's value (its descendants had their own KILL records). One per thread.
 */
public class StoreApplier implements RollForward.Applier
{
    private final StoreSession session;
    private final GlobalKey key = new GlobalKey();

    public StoreApplier(final StoreSession session)
    {
        this.session = session;
    }

    @Override
    public void set(final int database, final String global, final DirectBuffer keyBuffer, final int keyOffset,
        final int keyLength, final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        key.fromEncoded(global, keyBuffer, keyOffset, keyLength);
        session.set(key, value, valueOffset, valueLength);
    }

    @Override
    public void kill(final int database, final String global, final DirectBuffer keyBuffer, final int keyOffset,
        final int keyLength)
    {
        key.fromEncoded(global, keyBuffer, keyOffset, keyLength);
        session.zkill(key);
    }
}
