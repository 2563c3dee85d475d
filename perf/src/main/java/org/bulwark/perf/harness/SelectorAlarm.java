package org.bulwark.perf.harness;

import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes a selector at a nanosecond deadline. {@link Selector#select(long)} counts whole
 * milliseconds, too coarse for a schedule of ops a few tens of microseconds apart, and a selector
 * thread that parked instead would notice replies late. So the selector thread blocks in
 * {@code select} and this thread parks until the next op is due, then calls
 * {@link Selector#wakeup()}: replies are timestamped when they arrive and ops are sent within the
 * timer slack of {@link LockSupport#parkNanos} (tens of microseconds) of their intended time. Never
 * spins.
 */
final class SelectorAlarm implements Runnable, AutoCloseable
{
    private static final long NONE = Long.MAX_VALUE;

    private final Selector selector;
    private final AtomicLong wakeAtNs = new AtomicLong(NONE);
    private final Thread thread;
    private volatile boolean running = true;

    SelectorAlarm(final Selector selector, final String name)
    {
        this.selector = selector;
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Wake the selector at {@code atNs} (a {@link System#nanoTime()} value) unless re-armed or
     * disarmed before. Allocates nothing.
     */
    void arm(final long atNs)
    {
        final long previous = wakeAtNs.getAndSet(atNs);
        if (atNs < previous)
        {
            LockSupport.unpark(thread);
        }
    }

    void disarm()
    {
        wakeAtNs.set(NONE);
    }

    @Override
    public void run()
    {
        while (running)
        {
            final long atNs = wakeAtNs.get();
            if (atNs == NONE)
            {
                LockSupport.park(this);
                continue;
            }
            final long remainingNs = atNs - System.nanoTime();
            if (remainingNs > 0)
            {
                LockSupport.parkNanos(this, remainingNs);
            }
            else if (wakeAtNs.compareAndSet(atNs, NONE))
            {
                selector.wakeup();
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
