package org.bulwark.perf.harness;

import org.HdrHistogram.Recorder;

/**
 * Drives one kind of target with the run's clients: connect, optionally preload, run the
 * schedule in threads of its own while the caller logs intervals, report totals.
 */
interface LoadDriver extends AutoCloseable
{
    /** How long after the end of the measured time the driver waits for the replies of ops begun. */
    long DRAIN_NS = 10_000_000_000L;

    /**
     * Open every client's connection.
     *
     * @throws HarnessException naming the target and what failed.
     */
    void connect() throws HarnessException;

    /**
     * Write every key once ({@code --preload}), before the run.
     *
     * @throws HarnessException naming the target and what failed.
     */
    void preload() throws HarnessException;

    /**
     * Start the run's threads; each records into {@code latencyNs}.
     */
    void start(RunSchedule schedule, Recorder latencyNs) throws HarnessException;

    /**
     * @return whether every client thread has ended (the run is over) by {@code deadlineNs}.
     * @throws HarnessException for a failed connection or client, naming the target.
     */
    boolean awaitEnd(long deadlineNs) throws HarnessException, InterruptedException;

    /**
     * @return the counts, once {@link #awaitEnd} returned true.
     */
    RunTotals totals();

    @Override
    void close();
}
