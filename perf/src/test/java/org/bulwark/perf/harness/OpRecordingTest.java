package org.bulwark.perf.harness;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What counts towards the op counts (ops that started in the measured time, latency by intended
 * start) and what towards the throughput (non-error replies that arrived in the measured time), on
 * a clock the test sets: 10 ms of warm-up, then 100 ms measured.
 */
class OpRecordingTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final double DURATION_S = 0.1;

    @Test
    void anOpDueInTheMeasuredTimeButAnsweredInTheDrainIsRecordedYetNotThroughput()
    {
        final RunSchedule schedule = new RunSchedule(0, 10 * MS, 100 * MS, 1_000, 1);
        final OpRecording recording = new OpRecording(OpRecording.newRecorder());

        recording.completed(schedule, 50 * MS, 50 * MS, 51 * MS, false);
        recording.completed(schedule, 105 * MS, 105 * MS, 115 * MS, false); // answered during the drain
        recording.completed(schedule, 109 * MS, 115 * MS, 116 * MS, false);

        final RunTotals totals = new RunTotals(List.of(recording));
        assertEquals(3, totals.ops);
        assertEquals(1, totals.okRepliesInWindow);
        assertEquals(10.0, totals.throughputOpsPerSec(DURATION_S), 1e-9);
        assertEquals(30.0, totals.offeredOpsPerSec(DURATION_S), 1e-9);
    }

    @Test
    void aReplyInTheMeasuredTimeToAnOpOfTheWarmUpIsThroughputButNotRecorded()
    {
        final RunSchedule schedule = new RunSchedule(0, 10 * MS, 100 * MS, 0, 1);
        final OpRecording recording = new OpRecording(OpRecording.newRecorder());

        recording.completed(schedule, 9 * MS, 9 * MS, 12 * MS, false);

        assertEquals(0, recording.ops);
        assertEquals(1, recording.okRepliesInWindow);
    }

    @Test
    void errorRepliesCountAsOpsAndErrorsButNotThroughput()
    {
        for (final long rate : new long[] {0, 1_000})
        {
            final RunSchedule schedule = new RunSchedule(0, 10 * MS, 100 * MS, rate, 1);
            final OpRecording recording = new OpRecording(OpRecording.newRecorder());

            recording.completed(schedule, 20 * MS, 20 * MS, 21 * MS, true);
            recording.completed(schedule, 30 * MS, 30 * MS, 31 * MS, false);

            final RunTotals totals = new RunTotals(List.of(recording));
            assertEquals(2, totals.ops, "rate " + rate);
            assertEquals(1, totals.errors, "rate " + rate);
            assertEquals(10.0, totals.throughputOpsPerSec(DURATION_S), 1e-9, "rate " + rate);
        }
    }

    @Test
    void aClosedLoopCountsThroughputByReplyTimeToo()
    {
        final RunSchedule schedule = new RunSchedule(0, 10 * MS, 100 * MS, 0, 1);
        final OpRecording recording = new OpRecording(OpRecording.newRecorder());

        recording.completed(schedule, 0, 108 * MS, 130 * MS, false); // sent in the measured time, replied after

        assertEquals(1, recording.ops);
        assertEquals(0, recording.okRepliesInWindow);
    }

    @Test
    void keyNamesHaveNineDigits()
    {
        assertEquals("key:000012345", RespRequests.keyName(RespRequests.KEY_PREFIX, 12_345));
        assertEquals("ctr:000000000", RespRequests.keyName(RespRequests.COUNTER_PREFIX, 0));
        assertEquals("key:999999999", RespRequests.keyName(RespRequests.KEY_PREFIX, 999_999_999));
    }
}
