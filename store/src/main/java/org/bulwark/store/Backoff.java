package org.bulwark.store;

import java.util.concurrent.locks.LockSupport;

/**
 * Spin, then yield, then park: for the short waits on block latches. On two cores a waiter must
 * give the holder the CPU soon, so spinning is brief.
 */
final class Backoff
{
    private static final int SPINS = 64;
    private static final int YIELDS = 64;
    private static final long MAX_PARK_NS = 100_000;

    private int attempts;
    private long deadlineNs;
    private long parkNs;

    void reset()
    {
        attempts = 0;
        deadlineNs = 0;
        parkNs = 1_000;
    }

    /**
     * Wait a little.
     *
     * @param timeoutNs how long all waits of this round may take in total.
     * @return false once the deadline passed.
     */
    boolean idle(final long timeoutNs)
    {
        final int n = attempts++;
        if (n < SPINS)
        {
            Thread.onSpinWait();
            return true;
        }
        final long nowNs = System.nanoTime();
        if (0 == deadlineNs)
        {
            deadlineNs = nowNs + timeoutNs;
        }
        else if (nowNs - deadlineNs > 0)
        {
            return false;
        }
        if (n < SPINS + YIELDS)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs * 2, MAX_PARK_NS);
        }
        return true;
    }
}
