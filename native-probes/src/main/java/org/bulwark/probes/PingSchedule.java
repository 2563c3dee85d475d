package org.bulwark.probes;

import org.HdrHistogram.Histogram;

/**
 * The open-loop schedule of the network probe's pings and the recording of their round trips.
 * <p>
 * Ping {@code n} is due at {@code startNs + n × intervalNs}, whether or not earlier pings were answered.
 * A ping carries the time it was due, not the time it went, and its round trip is measured from there:
 * when back-pressure or an idle strategy that wakes late holds a ping back, the wait counts in its round
 * trip, and the pings due during a stall go out late, each one counting its own wait. Measured from the
 * send time instead, a stall would show in one round trip at most and vanish from the others
 * (coordinated omission), yet stalls are what set the tail, and the tail sets the mirror's QoS timeout.
 * Times come from the caller's clock, so a test can drive the schedule with made-up times.
 */
final class PingSchedule
{
    private final long intervalNs;
    private final long warmupPings;
    private final long totalPings;
    private final Histogram roundTripNs;
    private long nextDueNs;
    private long sent;
    private long echoes;

    /**
     * @param startNs     when the first ping is due.
     * @param intervalNs  between the due times of consecutive pings.
     * @param warmupPings the first pings, whose round trips are not recorded.
     * @param totalPings  pings to send, warm-up included.
     * @param roundTripNs where the round trips of the pings after the warm-up go.
     */
    PingSchedule(final long startNs, final long intervalNs, final long warmupPings, final long totalPings,
        final Histogram roundTripNs)
    {
        this.nextDueNs = startNs;
        this.intervalNs = intervalNs;
        this.warmupPings = warmupPings;
        this.totalPings = totalPings;
        this.roundTripNs = roundTripNs;
    }

    /**
     * @return true if a ping is left to send and due at {@code nowNs} (or overdue).
     */
    boolean due(final long nowNs)
    {
        return sent < totalPings && nowNs - nextDueNs >= 0;
    }

    /**
     * @return the time the next ping is due: what it carries, and what its round trip is measured from.
     */
    long dueNs()
    {
        return nextDueNs;
    }

    /**
     * @return the sequence number of the next ping.
     */
    long nextSequence()
    {
        return sent;
    }

    /**
     * The due ping went: the next one is due an interval after this one was due, not after it went, so
     * pings held back catch up rather than shift the whole schedule.
     */
    void sent()
    {
        sent++;
        nextDueNs += intervalNs;
    }

    /**
     * An echo arrived: record its round trip from the time the ping was due, unless it is a warm-up ping.
     *
     * @param sequence  the ping's sequence number, as echoed.
     * @param dueNs     the time the ping was due, as echoed.
     * @param arrivalNs when the echo arrived.
     */
    void echo(final long sequence, final long dueNs, final long arrivalNs)
    {
        echoes++;
        if (sequence >= warmupPings)
        {
            Latency.record(roundTripNs, arrivalNs - dueNs);
        }
    }

    long sentPings()
    {
        return sent;
    }

    long echoes()
    {
        return echoes;
    }

    /**
     * @return true once as many echoes arrived as pings are to be sent.
     */
    boolean complete()
    {
        return echoes >= totalPings;
    }
}
