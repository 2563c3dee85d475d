package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one driver thread (a selector thread or a JDBC client thread) records: each op's latency
 * into the run's shared {@link Recorder} (safe for several writers, read each second for the
 * HdrHistogram log), and in fields of its own the op and error counts and, at a fixed rate, how
 * late each op was sent after its intended start and its service time (reply minus send, the
 * latency a closed loop would report). Latencies and the op counts belong to the ops that started
 * in the measured time (open loop: whose intended start lies in it), however late they replied;
 * throughput is counted apart, as the non-error replies that arrived inside the measured time,
 * whenever their op started: an op due at the end and answered in the drain after it was not done
 * in the measured time, and counting it would make a saturated server look faster than it is.
 * Allocates nothing.
 */
final class OpRecording
{
    /** Longest latency recorded; longer ones are clamped to it (and show as the max). */
    static final long HIGHEST_NS = org.bulwark.probes.Latency.HIGHEST_NS;

    private final Recorder latencyNs;
    final Histogram issueLagNs = new Histogram(HIGHEST_NS, 3);
    final Histogram serviceNs = new Histogram(HIGHEST_NS, 3);
    long ops;
    long errors;
    long unfinished;
    /** Non-error replies that arrived inside the measured time, whenever their op started: the throughput. */
    long okRepliesInWindow;

    OpRecording(final Recorder latencyNs)
    {
        this.latencyNs = latencyNs;
    }

    static Recorder newRecorder()
    {
        return new Recorder(HIGHEST_NS, 3);
    }

    /**
     * An op replied (an error reply too: its latency is what the client saw).
     */
    void completed(final RunSchedule schedule, final long intendedNs, final long sentNs, final long replyNs,
        final boolean error)
    {
        if (!error && schedule.inMeasuredTime(replyNs))
        {
            okRepliesInWindow++;
        }
        if (!schedule.recorded(schedule.closedLoop() ? sentNs : intendedNs))
        {
            return;
        }
        latencyNs.recordValue(clamp(schedule.latencyNs(intendedNs, sentNs, replyNs)));
        ops++;
        if (error)
        {
            errors++;
        }
        if (!schedule.closedLoop())
        {
            issueLagNs.recordValue(clamp(sentNs - intendedNs));
            serviceNs.recordValue(clamp(replyNs - sentNs));
        }
    }

    /**
     * An op that started (or was due) at {@code startNs} had no reply when the run gave up at
     * {@code nowNs}: its latency is at least the time since, recorded as such.
     */
    void unfinished(final RunSchedule schedule, final long startNs, final long nowNs)
    {
        if (schedule.recorded(startNs))
        {
            latencyNs.recordValue(clamp(nowNs - startNs));
            unfinished++;
        }
    }

    /**
     * Open loop: the ops of a client from {@code opIndex} on that were due before the end but never
     * sent when the run gave up at {@code nowNs}.
     */
    void unsent(final RunSchedule schedule, final int client, final long opIndex, final long nowNs)
    {
        for (long k = opIndex; ; k++)
        {
            final long intendedNs = schedule.intendedNs(client, k);
            if (!schedule.mayStart(intendedNs) || intendedNs > nowNs)
            {
                return;
            }
            unfinished(schedule, intendedNs, nowNs);
        }
    }

    static long clamp(final long ns)
    {
        return Math.min(Math.max(ns, 0), HIGHEST_NS);
    }
}
