package org.bulwark.server.resp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The GET/SET hot path allocates (almost) nothing on the event loops in steady state: requests are
 * parsed in place, keys encoded through a reused flyweight, values written straight from the
 * store's buffer, replies into pooled buffers. Measured with the JVM's per-thread allocation
 * counters over pipelined batches, after a warm-up; the bound is loose (JIT, pooled-buffer cache
 * refills) and catches a String or array per request coming back.
 */
class RespAllocationTest
{
    private static final int BATCH = 100;
    private static final int WARM_UP_BATCHES = 300;
    private static final int MEASURED_BATCHES = 200;
    private static final long MAX_BYTES_PER_REQUEST = 100;

    @TempDir
    Path dir;

    @Test
    void getAndSetAllocateAlmostNothingPerRequest() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (RespFixture member = RespFixture.start(dir); RawClient raw = member.raw())
        {
            final StringBuilder batch = new StringBuilder();
            for (int i = 0; i < BATCH / 2; i++)
            {
                batch.append(RawClient.request("SET", "key:" + (100_000 + i), "value-" + i))
                    .append(RawClient.request("GET", "key:" + (100_000 + i)));
            }
            final byte[] requests = batch.toString().getBytes(StandardCharsets.US_ASCII);
            for (int b = 0; b < WARM_UP_BATCHES; b++)
            {
                roundTrip(raw, requests);
            }
            final long before = eventLoopAllocatedBytes(threads);
            for (int b = 0; b < MEASURED_BATCHES; b++)
            {
                roundTrip(raw, requests);
            }
            final long allocated = eventLoopAllocatedBytes(threads) - before;
            final long perRequest = allocated / ((long)MEASURED_BATCHES * BATCH);
            System.out.println("event loops allocated " + allocated + " bytes for " + MEASURED_BATCHES * BATCH +
                " pipelined SET/GET requests: " + perRequest + " B per request");
            assertTrue(perRequest <= MAX_BYTES_PER_REQUEST, perRequest + " bytes allocated per request");
        }
    }

    private static void roundTrip(final RawClient raw, final byte[] requests) throws Exception
    {
        raw.send(requests);
        for (int i = 0; i < BATCH; i++)
        {
            final String reply = raw.reply();
            assertTrue(reply.startsWith("+OK") || reply.startsWith("$"), reply);
        }
    }

    private static long eventLoopAllocatedBytes(final com.sun.management.ThreadMXBean threads)
    {
        long total = 0;
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith("bulwark-resp-") && !thread.getName().startsWith("bulwark-resp-blocking"))
            {
                total += threads.getThreadAllocatedBytes(thread.getId());
            }
        }
        return total;
    }
}
