package org.bulwark.server.terminal;

/**
 * What {@code bulwark terminal} needs from a member, in text: the globals operations (G-3),
 * transactions (T-1) and locks (T-2). One implementation runs in-process over a session
 * ({@link SessionBackend}); one that speaks the RESP native commands to a running member (GSET,
 * GGET, GKILL, GZKILL, GDATA, GORDER, GQUERY, GINCR, LOCK, UNLOCK, TSTART, TCOMMIT, TROLLBACK)
 * maps each method to one command. Failures are {@link org.bulwark.store.BulwarkException}s
 * whose message starts with the G-5 name, e.g. {@code <PROTECT>}.
 */
public interface TerminalBackend extends AutoCloseable
{
    /**
     * Receives the nodes of a subtree in collation order.
     */
    @FunctionalInterface
    interface NodeVisitor
    {
        /**
         * @param reference the node as the terminal writes it, e.g. {@code ^x("a",1)}.
         * @return false to stop.
         */
        boolean visit(String reference, String value);
    }

    void set(GlobalRef ref, String value);

    /**
     * @return the value, or null if the node has none.
     */
    String get(GlobalRef ref);

    void kill(GlobalRef ref);

    void zkill(GlobalRef ref);

    /**
     * @return 0, 1, 10 or 11 as {@code $data}.
     */
    int data(GlobalRef ref);

    /**
     * @param direction 1 forward, -1 backward.
     * @return the next sibling subscript, {@code ""} at the end.
     */
    String order(GlobalRef ref, int direction);

    /**
     * @return the next node with a value in depth-first order, as text, {@code ""} at the end.
     */
    String query(GlobalRef ref, int direction);

    /**
     * @param by a number in text form.
     * @return the new value.
     */
    String increment(GlobalRef ref, String by);

    /**
     * Every node with a value under (and including) {@code ref}.
     */
    void scan(GlobalRef ref, NodeVisitor visitor);

    /**
     * @return the new {@code $TLEVEL}.
     */
    int tstart();

    /**
     * @return the new {@code $TLEVEL}.
     */
    int tcommit();

    /**
     * @param levels how many innermost levels to undo; 0 for the whole transaction.
     * @return the new {@code $TLEVEL}.
     */
    int trollback(int levels);

    int tlevel();

    /**
     * @return false if the lock was not had within the timeout.
     */
    boolean lock(GlobalRef ref, boolean exclusive, long timeoutMs);

    void unlock(GlobalRef ref, boolean exclusive);

    void unlockAll();

    /**
     * @return where the commands go, for the banner, e.g. {@code member on /var/lib/bulwark}.
     */
    String describe();

    /**
     * Ends the session: an open transaction rolls back, locks are released.
     */
    @Override
    void close();
}
