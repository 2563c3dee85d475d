package org.bulwark.perf.harness;

/**
 * When each op of a run is meant to start, and how its latency is counted. All times are
 * {@link System#nanoTime()} values (or a test's clock).
 *
 * <pre>
 *   startNs             measureStartNs                         endNs
 *   |---- warm-up ------|---------- measured -------------------|--- drain ---|
 *   ops that start here   ops that start here are recorded        no op starts; replies of
 *   are not recorded                                              ops already begun are awaited
 *                         replies that arrive here (not errors)
 *                         are the throughput
 * </pre>
 *
 * <p>Closed loop ({@code --rate max}): a client sends its next op as soon as the previous one has
 * replied, and the latency is reply time minus send time.
 *
 * <p>Open loop ({@code --rate N}): op {@code j} of the run (counted over all clients, client
 * {@code j % clients} issues it) is meant to start at {@code startNs + j / N} seconds. A client
 * sends it at max(intended start, the client's previous reply) and its latency is reply time minus
 * the <em>intended</em> start: when the server stalls, every op that was due during the stall
 * counts the time it waited to be sent, as a client with its own schedule (a user, a feed) would
 * see it. Measuring from the send time instead would hide the stall behind one slow sample
 * (coordinated omission).
 */
final class RunSchedule
{
    final long startNs;
    final long measureStartNs;
    final long endNs;
    private final int clients;
    /** 0 for a closed loop. */
    private final double nsPerOp;

    /**
     * @param rateOpsPerSec total ops/s over all clients, 0 for a closed loop.
     */
    RunSchedule(final long startNs, final long warmupNs, final long durationNs, final long rateOpsPerSec,
        final int clients)
    {
        this.startNs = startNs;
        this.measureStartNs = startNs + warmupNs;
        this.endNs = measureStartNs + durationNs;
        this.clients = clients;
        this.nsPerOp = rateOpsPerSec == 0 ? 0 : 1e9 / rateOpsPerSec;
    }

    boolean closedLoop()
    {
        return nsPerOp == 0;
    }

    /**
     * Open loop only.
     *
     * @param opIndex the client's own count of ops, from 0.
     * @return when that op is meant to start.
     */
    long intendedNs(final int client, final long opIndex)
    {
        return startNs + (long)((opIndex * clients + client) * nsPerOp);
    }

    /**
     * @return when a client sends an op meant to start at {@code intendedNs}, its previous op having
     *         replied at {@code previousReplyNs}: no earlier than either (one op in flight).
     */
    static long sendNs(final long intendedNs, final long previousReplyNs)
    {
        return Math.max(intendedNs, previousReplyNs);
    }

    /**
     * @param intendedNs the op's intended start (open loop; ignored in a closed loop).
     * @return the latency to record for an op sent at {@code sentNs} that replied at {@code replyNs}.
     */
    long latencyNs(final long intendedNs, final long sentNs, final long replyNs)
    {
        return replyNs - (closedLoop() ? sentNs : intendedNs);
    }

    /**
     * @param opStartNs the op's intended start (open loop) or its send time (closed loop).
     * @return whether the op may still start: it starts before the end of the measured time.
     */
    boolean mayStart(final long opStartNs)
    {
        return opStartNs < endNs;
    }

    /**
     * @param opStartNs the op's intended start (open loop) or its send time (closed loop).
     * @return whether its latency is recorded: it started in the measured time (not the warm-up).
     */
    boolean recorded(final long opStartNs)
    {
        return inMeasuredTime(opStartNs);
    }

    /**
     * @return whether {@code timeNs} lies in the measured time [measureStartNs, endNs): for a reply's time,
     *         whether it counts towards the throughput.
     */
    boolean inMeasuredTime(final long timeNs)
    {
        return timeNs - measureStartNs >= 0 && timeNs - endNs < 0;
    }
}
