package org.bulwark.server;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One session's transaction (SPEC T-1), attached to its store session so that the journal bridge
 * can tag every record with the transaction and chain it to the previous one.
 */
final class TransactionState
{
    static final int MAX_LEVELS = 255;

    long transaction;
    int level;
    /** Journal position of the TSTART of each level; a partial rollback stops at the level's one. */
    final long[] levelStart = new long[MAX_LEVELS + 1];
    /** The transaction's last record, or -1. */
    long lastPosition = -1;
    /** The end of this session's last record: what a commit waits for. */
    long lastEnd;
    boolean asyncCommit;
    /** While rolling back, updates must not ask for old values of old values. */
    boolean replaying;
    final UnsafeBuffer name = new UnsafeBuffer(new byte[32]);

    boolean inTransaction()
    {
        return level > 0;
    }

    void reset()
    {
        transaction = 0;
        level = 0;
        lastPosition = -1;
        asyncCommit = false;
    }
}
