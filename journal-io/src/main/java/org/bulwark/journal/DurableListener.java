package org.bulwark.journal;

/**
 * Learns without blocking that a journal position became durable (see
 * {@link Journal#notifyWhenDurable(DurableListener)}): the alternative to
 * {@link Journal#awaitDurable(long)} for threads that must not wait, such as network event loops.
 *
 * <p>Both callbacks run on the thread that wrote the journal, between syncs: the journal writer's
 * thread, or a committer that wrote it itself ({@link Journal#writeNow(long)}). Keep them to a hand-off
 * (schedule the real work on the listener's own thread), or every committer waits behind them.
 */
public interface DurableListener
{
    /**
     * @return the position to wait for; read once by the writing thread after registration, so it
     * must not change until one of the callbacks below has run.
     */
    long awaitedPosition();

    /**
     * Everything before {@link #awaitedPosition()} is durable.
     *
     * @param durablePosition the journal's durable position now (at least the awaited one).
     */
    void durable(long durablePosition);

    /**
     * The position did not become durable within the freeze timeout (the journal is frozen or
     * stuck), or the journal closed first: the work must not be acknowledged.
     */
    void failed(JournalFrozenException cause);
}
