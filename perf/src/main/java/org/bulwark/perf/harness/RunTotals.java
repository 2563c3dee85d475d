package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * The counts of a run summed over its driver threads, once they have ended.
 */
final class RunTotals
{
    /** Ops that started in the measured time and replied (error replies included). */
    final long ops;
    final long errors;
    /** Non-error replies that arrived inside the measured time, whatever the start of their op. */
    final long okRepliesInWindow;
    /** Ops due in the measured time that had no reply when the run gave up waiting (recorded as lower bounds). */
    final long unfinished;
    /** Open loop: how late ops were sent after their intended start (empty in a closed loop). */
    final Histogram issueLagNs;
    /** Open loop: reply minus send time of each op, without the wait for its turn (empty in a closed loop). */
    final Histogram serviceNs;

    RunTotals(final List<OpRecording> recordings)
    {
        long opsSum = 0;
        long errorsSum = 0;
        long unfinishedSum = 0;
        long okInWindowSum = 0;
        issueLagNs = new Histogram(OpRecording.HIGHEST_NS, 3);
        serviceNs = new Histogram(OpRecording.HIGHEST_NS, 3);
        for (final OpRecording r : recordings)
        {
            opsSum += r.ops;
            errorsSum += r.errors;
            unfinishedSum += r.unfinished;
            okInWindowSum += r.okRepliesInWindow;
            issueLagNs.add(r.issueLagNs);
            serviceNs.add(r.serviceNs);
        }
        ops = opsSum;
        errors = errorsSum;
        unfinished = unfinishedSum;
        okRepliesInWindow = okInWindowSum;
    }

    /**
     * @return ops/s achieved: the non-error replies that arrived inside the {@code durationS} of measured time.
     */
    double throughputOpsPerSec(final double durationS)
    {
        return okRepliesInWindow / durationS;
    }

    /**
     * @return ops/s offered (open loop): the ops whose intended start lies in the measured time, whether they
     *         replied, in time or not, or not at all.
     */
    double offeredOpsPerSec(final double durationS)
    {
        return (ops + unfinished) / durationS;
    }
}
