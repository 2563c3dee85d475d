package org.bulwark.replication.transport;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.replication.protocol.MirrorRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The hot path: JOURNAL from primary to backup, ACK and STATUS back, allocate nothing once warm; and the
 * JOURNAL-to-ACK round trip, printed (never asserted: timings belong to perf, not to unit tests).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorLinkSteadyStateTest
{
    /** More than one MTU: the JOURNAL goes in two fragments and is reassembled, as most will be. */
    private static final int JOURNAL_BYTES = 2048;
    private static final int ROUND_TRIP_JOURNAL_BYTES = 512;
    /**
     * Allowance for one-off events on this thread, such as a class loaded by a rare path's first run (a
     * few hundred bytes remain; Aeron's vectored offer loading {@code ReservedValueSupplier} mid-run cost
     * 9 KB until {@link MirrorMessagePublisher} preloaded it). One 16-byte object per message of any one
     * kind would cost 48 KB over the run. With escape analysis off ({@code -XX:-DoEscapeAnalysis}) the run
     * allocates nothing per message either.
     */
    private static final long ALLOWED_BYTES = 32 * 1024;

    @Test
    void journalAckAndStatusAllocateNothingOnEitherSide() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (LinkPair pair = new LinkPair())
        {
            pair.handshake();
            pair.heardByA.recording = false;
            pair.heardByB.recording = false;
            final UnsafeBuffer journal = new UnsafeBuffer(ByteBuffer.allocateDirect(JOURNAL_BYTES));
            final IdleStrategy idle = MirrorIdleStrategies.newIdleStrategy(MirrorIdleStrategies.BACKOFF);
            final int iterations = 3_000;

            exchange(pair, journal, idle, 0, iterations); // warm up: class loading, JIT, the assembler's buffers
            final long beforeBytes = threads.getCurrentThreadAllocatedBytes();
            exchange(pair, journal, idle, iterations, iterations);
            final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - beforeBytes;

            System.out.printf("%d JOURNAL + ACK + 2 STATUS exchanges allocated %d bytes on the polling thread%n",
                iterations, allocatedBytes);
            assertTrue(allocatedBytes < ALLOWED_BYTES, allocatedBytes + " bytes allocated by " + iterations +
                " JOURNAL, ACK and two STATUS messages sent and received; a: " + pair.a.counters() + "; b: " +
                pair.b.counters() + "; log: " + pair.logText());
            assertEquals(2L * iterations, pair.heardByB.journalCount);
            assertEquals(2L * iterations, pair.heardByA.ackCount);
            assertTrue(pair.heardByA.statusCount >= 2L * iterations - 1, "b's last STATUS may still be on its way");
            assertEquals(4L * iterations + pair.heardByA.hellos.size(),
                pair.b.counters().get(MirrorLinkCounter.MESSAGES_SENT), "b sent each ACK and STATUS once, and HELLOs");
        }
    }

    /**
     * Primary (a) sends a JOURNAL and a STATUS, backup (b) polls them and answers with an ACK and a STATUS,
     * the primary polls those: all on this thread, with no lambdas (they would allocate).
     */
    private static void exchange(final LinkPair pair, final UnsafeBuffer journal, final IdleStrategy idle,
        final int from, final int count)
    {
        final long deadlineNs = System.nanoTime() + LinkPair.DEADLINE_NS;
        for (int i = from; i < from + count; i++)
        {
            final long position = (long)i * JOURNAL_BYTES;
            while (!pair.a.sendJournal(1, position, journal, 0, JOURNAL_BYTES))
            {
                check(deadlineNs, i);
                idle.idle(pair.a.poll(10) + pair.b.poll(10));
            }
            while (!pair.a.sendStatus(1, MirrorRole.PRIMARY, position + JOURNAL_BYTES, position, 0, i))
            {
                check(deadlineNs, i);
                idle.idle(pair.a.poll(10) + pair.b.poll(10));
            }
            while (pair.heardByB.journalCount <= i)
            {
                check(deadlineNs, i);
                idle.idle(pair.b.poll(10));
            }
            while (!pair.b.sendAck(1, position + JOURNAL_BYTES, position + JOURNAL_BYTES, position))
            {
                check(deadlineNs, i);
                idle.idle(pair.a.poll(10) + pair.b.poll(10));
            }
            while (!pair.b.sendStatus(1, MirrorRole.BACKUP, position + JOURNAL_BYTES, position, 0, i))
            {
                check(deadlineNs, i);
                idle.idle(pair.a.poll(10) + pair.b.poll(10));
            }
            while (pair.heardByA.ackCount <= i)
            {
                check(deadlineNs, i);
                idle.idle(pair.a.poll(10));
            }
        }
    }

    private static void check(final long deadlineNs, final int i)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new AssertionError("exchange " + i + " did not complete in time");
        }
    }

    @Test
    void printsTheJournalToAckRoundTrip() throws Exception
    {
        final int warmUp = 500;
        final int measured = 3_000;
        try (LinkPair pair = new LinkPair(MirrorIdleStrategies.YIELD, LinkPair.KEY, LinkPair.MIRROR))
        {
            final AckingBackup backup = new AckingBackup();
            pair.b.close();
            pair.openB(LinkPair.KEY, LinkPair.MIRROR, 0x0B0B, backup);
            backup.link = pair.b;
            pair.handshake();
            final MirrorLink backupLink = pair.b;
            pair.b = null; // polled by the backup's thread from now on
            final Thread backupThread = new Thread(backup, "backup-agent");
            backupThread.start();
            final Histogram roundTripNs = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final UnsafeBuffer journal = new UnsafeBuffer(ByteBuffer.allocateDirect(ROUND_TRIP_JOURNAL_BYTES));
            final IdleStrategy idle = MirrorIdleStrategies.newIdleStrategy(MirrorIdleStrategies.YIELD);
            pair.heardByA.recording = false;
            try
            {
                final long deadlineNs = System.nanoTime() + LinkPair.DEADLINE_NS;
                for (int i = 0; i < warmUp + measured; i++)
                {
                    final long position = (long)i * ROUND_TRIP_JOURNAL_BYTES;
                    final long startNs = System.nanoTime();
                    while (!pair.a.sendJournal(1, position, journal, 0, ROUND_TRIP_JOURNAL_BYTES))
                    {
                        check(deadlineNs, i);
                        idle.idle(pair.a.poll(10));
                    }
                    while (pair.heardByA.lastAckPosition != position + ROUND_TRIP_JOURNAL_BYTES)
                    {
                        check(deadlineNs, i);
                        idle.idle(pair.a.poll(10));
                    }
                    if (i >= warmUp)
                    {
                        roundTripNs.recordValue(System.nanoTime() - startNs);
                    }
                }
            }
            finally
            {
                backup.running.set(false);
                backupThread.join();
                backupLink.close();
            }
            assertNull(backup.failure.get());
            System.out.printf("JOURNAL (%d B) + ACK round trip over UDP loopback, two drivers, yield: " +
                "%d messages, p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, max %.1f µs%n", ROUND_TRIP_JOURNAL_BYTES,
                roundTripNs.getTotalCount(), roundTripNs.getValueAtPercentile(50) / 1e3,
                roundTripNs.getValueAtPercentile(90) / 1e3, roundTripNs.getValueAtPercentile(99) / 1e3,
                roundTripNs.getMaxValue() / 1e3);
        }
    }

    /**
     * A backup's agent reduced to its reflex: every JOURNAL acknowledged at once, from the poll.
     */
    private static final class AckingBackup extends RecordingHandler implements Runnable
    {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile MirrorLink link;

        AckingBackup()
        {
            recording = false;
        }

        @Override
        public void onJournal(final long term, final long position, final DirectBuffer buffer, final int offset,
            final int length)
        {
            super.onJournal(term, position, buffer, offset, length);
            final long end = position + length;
            while (!link.sendAck(term, end, end, end))
            {
                Thread.yield(); // back-pressure on a 36-byte message is momentary
            }
        }

        @Override
        public void run()
        {
            final IdleStrategy idle = MirrorIdleStrategies.newIdleStrategy(MirrorIdleStrategies.YIELD);
            try
            {
                while (running.get())
                {
                    idle.idle(link.poll(10));
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }
    }
}
