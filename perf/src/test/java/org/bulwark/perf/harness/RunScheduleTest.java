package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinated-omission logic on a deterministic clock: one client against a simulated server
 * that answers in 100 µs but freezes for 200 ms once.
 */
class RunScheduleTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SERVICE_NS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long STALL_START_NS = 300 * MS;
    private static final long STALL_NS = 200 * MS;

    @Test
    void intendedStartsSpreadEvenlyOverTheClients()
    {
        final RunSchedule schedule = new RunSchedule(1_000, 0, TimeUnit.SECONDS.toNanos(1), 4_000, 4);
        assertEquals(1_000, schedule.intendedNs(0, 0));
        assertEquals(1_000 + 250_000, schedule.intendedNs(1, 0));
        assertEquals(1_000 + 750_000, schedule.intendedNs(3, 0));
        assertEquals(1_000 + 1_000_000, schedule.intendedNs(0, 1));
        assertEquals(1_000 + 999_750_000L, schedule.intendedNs(3, 999));
        assertTrue(schedule.mayStart(schedule.intendedNs(3, 999)));
        assertTrue(!schedule.mayStart(schedule.intendedNs(0, 1_000)));
    }

    @Test
    void warmUpIsNotRecorded()
    {
        final RunSchedule schedule = new RunSchedule(0, 5 * MS, 10 * MS, 0, 1);
        assertTrue(!schedule.recorded(4 * MS));
        assertTrue(schedule.recorded(5 * MS));
        assertTrue(schedule.recorded(15 * MS - 1));
        assertTrue(!schedule.recorded(15 * MS));
    }

    @Test
    void aStallAtAFixedRateShowsInEveryOpScheduledDuringIt()
    {
        final Histogram latency = run(new RunSchedule(0, 0, TimeUnit.SECONDS.toNanos(1), 1_000, 1));
        assertEquals(1_000, latency.getTotalCount());
        // The op sent when the stall began waited all of it. Op i (i ms later) was sent when op i-1
        // replied, after the stall plus i services of the backlog: it waited 200.1 - 0.9 i ms.
        assertEquals(STALL_NS + SERVICE_NS, latency.getMaxValue(), latency.getMaxValue() / 1_000.0);
        for (int waitedMs = 50; waitedMs <= 200; waitedMs += 50)
        {
            final long count = latency.getCountBetweenValues(latency.lowestEquivalentValue(waitedMs * MS),
                latency.getMaxValue());
            final long expected = (long)Math.floor((STALL_NS + SERVICE_NS - waitedMs * MS) /
                (double)(MS - SERVICE_NS)) + 1;
            assertTrue(Math.abs(count - expected) <= 1, waitedMs + " ms or more: " + count + " ops, expected " +
                expected);
        }
        assertTrue(latency.getValueAtPercentile(50) < MS, "the median is untouched by the stall");
    }

    @Test
    void aClosedLoopSeesTheStallOnlyOnce()
    {
        final Histogram latency = run(new RunSchedule(0, 0, TimeUnit.SECONDS.toNanos(1), 0, 1));
        assertEquals(1, latency.getCountBetweenValues(latency.lowestEquivalentValue(100 * MS),
            latency.getMaxValue()));
        assertEquals(STALL_NS + SERVICE_NS, latency.getMaxValue(), latency.getMaxValue() / 1_000.0);
    }

    /**
     * One client, one op in flight, against a server that answers in {@link #SERVICE_NS} except
     * that nothing sent during the stall is answered before it ends.
     */
    private static Histogram run(final RunSchedule schedule)
    {
        final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long previousReplyNs = schedule.startNs;
        for (long k = 0; ; k++)
        {
            final long intendedNs = schedule.closedLoop() ? previousReplyNs : schedule.intendedNs(0, k);
            if (!schedule.mayStart(intendedNs))
            {
                return latency;
            }
            final long sentNs = RunSchedule.sendNs(intendedNs, previousReplyNs);
            final boolean stalled = sentNs >= STALL_START_NS && sentNs < STALL_START_NS + STALL_NS;
            final long replyNs = (stalled ? STALL_START_NS + STALL_NS : sentNs) + SERVICE_NS;
            if (schedule.recorded(schedule.closedLoop() ? sentNs : intendedNs))
            {
                latency.recordValue(schedule.latencyNs(intendedNs, sentNs, replyNs));
            }
            previousReplyNs = replyNs;
        }
    }
}
