package org.bulwark.journal;

import org.agrona.DirectBuffer;

/**
 * Sees every write of the journal (see {@link Journal#tap(JournalTap)}): a mirror primary ships the
 * bytes its writer produces, exactly as written (no second encoding, SPEC M-6); a backup learns what
 * it has written and synced, to acknowledge it.
 *
 * <p>Both callbacks run on the writing thread while it holds the journal's write lock, between the
 * file write and its sync: they must never block (hand off or offer without waiting) and must not
 * call back into the journal's writing methods.
 */
public interface JournalTap
{
    /**
     * Bytes were written to the journal file (not yet synced): whole records, in position order.
     * One write may be reported in two calls when it wraps around the journal's buffer.
     *
     * @param buffer   holds the bytes; valid only during the call.
     * @param index    where they start in {@code buffer}.
     * @param length   how many.
     * @param position the journal position of the first byte.
     */
    void written(DirectBuffer buffer, int index, int length, long position);

    /**
     * Everything before {@code durablePosition} is durable in this member's journal.
     */
    void synced(long durablePosition);
}
