package org.bulwark.probes;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pings' open-loop schedule with made-up times: a stall of the sender delays every ping due during it,
 * and each round trip counts its wait from the time the ping was due (no coordinated omission).
 */
class PingScheduleTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long US = TimeUnit.MICROSECONDS.toNanos(1);

    @Test
    void aStallCountsInEveryPingDueDuringIt()
    {
        final Histogram roundTripNs = Latency.newHistogram();
        final PingSchedule pings = new PingSchedule(0, MS, 0, 6, roundTripNs);

        assertTrue(pings.due(0));
        assertEquals(0, pings.dueNs());
        pings.sent();
        assertFalse(pings.due(MS / 2), "the next one is due a millisecond after the first");
        pings.echo(0, 0, 100 * US);

        // the sender stalls until 5 ms: pings 1 to 5 were due at 1, 2, 3, 4 and 5 ms and all go now
        final long[] dueNs = new long[6];
        for (int sequence = 1; sequence <= 5; sequence++)
        {
            assertTrue(pings.due(5 * MS), "ping " + sequence + " is overdue");
            assertEquals(sequence, pings.nextSequence());
            dueNs[sequence] = pings.dueNs();
            assertEquals(sequence * MS, dueNs[sequence], "due on the schedule, not shifted by the stall");
            pings.sent();
        }
        assertFalse(pings.due(5 * MS), "all six sent");
        assertFalse(pings.complete());
        for (int sequence = 1; sequence <= 5; sequence++)
        {
            pings.echo(sequence, dueNs[sequence], 5 * MS + 100 * US); // the network answers each in 100 µs
        }
        assertTrue(pings.complete());

        assertEquals(6, roundTripNs.getTotalCount());
        // from the send time every round trip would be 100 µs; from the time due, the stall shows
        assertTrue(roundTripNs.valuesAreEquivalent(4 * MS + 100 * US, roundTripNs.getMaxValue()),
            "ping 1 waited 4 ms for the stall: " + roundTripNs.getMaxValue());
        assertTrue(roundTripNs.valuesAreEquivalent(100 * US, roundTripNs.getMinValue()));
        assertEquals(2, roundTripNs.getCountBetweenValues(100 * US, 100 * US + US),
            "only the first ping and the one due at the end of the stall were not held back");
    }

    @Test
    void warmupPingsAreNotRecorded()
    {
        final Histogram roundTripNs = Latency.newHistogram();
        final PingSchedule pings = new PingSchedule(10 * MS, MS, 2, 3, roundTripNs);
        assertFalse(pings.due(9 * MS));
        for (int sequence = 0; sequence < 3; sequence++)
        {
            final long nowNs = 10 * MS + sequence * MS;
            assertTrue(pings.due(nowNs));
            pings.sent();
            pings.echo(sequence, nowNs, nowNs + 7 * US);
        }
        assertTrue(pings.complete());
        assertEquals(1, roundTripNs.getTotalCount());
        assertTrue(roundTripNs.valuesAreEquivalent(7 * US, roundTripNs.getMaxValue()));
    }
}
