package org.bulwark.store;

import org.agrona.DirectBuffer;

/**
 * Receives every logical update for the journal (ARCHITECTURE: the store knows nothing of
 * journals). Called inside the update step, under the update gate and the node's leaf latch,
 * before any block changes: if it throws, the step changes nothing. What it returns is the
 * position stamped into the blocks the step changes.
 *
 * <p>A set reports the node's new value and, when {@link #wantsOldValues(Object)}, its old one;
 * a kill reports each node it removes with its old value, one call per node, so that each
 * report can be undone and redone on its own.
 */
public interface UpdateListener
{
    /**
     * @param context the session's attachment ({@link StoreSession#attach(Object)}).
     * @return true if old values must be reported (inside a transaction).
     */
    boolean wantsOldValues(Object context);

    /**
     * A node is set. {@code oldValue} is null if the node had no value or old values are not wanted.
     *
     * @return the position of the update.
     */
    long beforeSet(
        Object context, int database, String global, DirectBuffer key, int keyLength,
        DirectBuffer value, int valueOffset, int valueLength,
        DirectBuffer oldValue, int oldValueOffset, int oldValueLength);

    /**
     * A node's value is removed (zkill, or one node of a kill).
     *
     * @return the position of the update.
     */
    long beforeKill(
        Object context, int database, String global, DirectBuffer key, int keyOffset, int keyLength,
        DirectBuffer oldValue, int oldValueOffset, int oldValueLength);

    /**
     * @return the position after every update reported so far. Read when a write daemon cycle is
     * sealed (no update step running): the cycle's checkpoint.
     */
    long position();

    /**
     * @return the position where the oldest transaction still open at the seal began, or -1: a
     * recovery that rolls back open transactions must read the journal from there.
     */
    long oldestOpenTransaction();

    /**
     * Write-ahead rule: return only when every update reported before {@code position} is durable.
     * The write daemon calls it before a cycle's blocks go anywhere durable, so that no block on
     * disk holds a change that recovery could not redo or undo.
     */
    void awaitDurable(long position);
}
