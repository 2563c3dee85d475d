package org.bulwark.perf.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The threads of a {@link LoadDriver} (JDBC clients, RESP selector loops): started together,
 * awaited with a deadline, joined briefly on close. Daemon threads, so that a client stuck in a
 * call cannot keep the JVM alive after the run gave up on it.
 */
final class DriverThreads
{
    private static final long CLOSE_JOIN_MS = 2_000;

    private final List<Thread> threads = new ArrayList<>();

    void add(final String name, final Runnable body)
    {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
    }

    void startAll()
    {
        threads.forEach(Thread::start);
    }

    /**
     * @return whether every thread has ended by {@code deadlineNs}.
     */
    boolean awaitAll(final long deadlineNs) throws InterruptedException
    {
        for (final Thread thread : threads)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs > 0)
            {
                TimeUnit.NANOSECONDS.timedJoin(thread, remainingNs);
            }
            if (thread.isAlive())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Closing: give each thread a little time to end (the caller asked them to stop), then close
     * {@code resources} whatever they did.
     */
    void joinAndClose(final List<? extends AutoCloseable> resources)
    {
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(CLOSE_JOIN_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (final AutoCloseable resource : resources)
        {
            try
            {
                resource.close();
            }
            catch (final Exception ex)
            {
                // closing: nothing left to do with it
            }
        }
    }
}
