package org.bulwark.systemtests.mirror;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A client that writes distinct keys ({@code PREFIX:n} = {@code vn}) one after another to whichever
 * member of a pair accepts them, and records every write acknowledged with {@code OK}. A write that
 * fails (no reply, PROTECT) is not retried: its key is never used again, and the next write goes to the
 * other member. So after any failovers, every recorded write must be on the primary — and a write whose
 * outcome the client never learned may or may not be.
 *
 * <p>It also records the latency of each acknowledged write (HdrHistogram) and the longest one.
 */
final class AcknowledgedWriter implements AutoCloseable
{
    private static final long PAUSE_BETWEEN_WRITES_NS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long PAUSE_AFTER_FAILURE_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final MirrorPair pair;
    private final String prefix;
    private final ConcurrentSkipListSet<Long> acknowledged = new ConcurrentSkipListSet<>();
    private final AtomicLong failures = new AtomicLong();
    private final Histogram latencyUs = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile MirrorNode target;
    private volatile long longestNs;
    private volatile long longestAtMs;
    private volatile String lastFailure = "";

    AcknowledgedWriter(final MirrorPair pair, final MirrorNode first, final String prefix)
    {
        this.pair = pair;
        this.prefix = prefix;
        this.target = first;
        this.thread = new Thread(this::run, "acknowledged-writer-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    private void run()
    {
        final RespClient[] clients = {pair.a().client(MirrorPair.REPLY_TIMEOUT_MS),
            pair.b().client(MirrorPair.REPLY_TIMEOUT_MS)};
        try
        {
            for (long n = 1; running; n++)
            {
                final MirrorNode node = target;
                final RespClient client = clients[node == pair.a() ? 0 : 1];
                final long startNs = System.nanoTime();
                String reply;
                try
                {
                    reply = client.set(key(n), value(n));
                }
                catch (final IOException ex)
                {
                    reply = ex.getMessage();
                }
                final long elapsedNs = System.nanoTime() - startNs;
                if ("OK".equals(reply))
                {
                    acknowledged.add(n);
                    synchronized (latencyUs)
                    {
                        latencyUs.recordValue(Math.min(latencyUs.getHighestTrackableValue(),
                            TimeUnit.NANOSECONDS.toMicros(elapsedNs)));
                    }
                    if (elapsedNs > longestNs)
                    {
                        longestNs = elapsedNs;
                        longestAtMs = System.currentTimeMillis();
                    }
                    LockSupport.parkNanos(PAUSE_BETWEEN_WRITES_NS);
                }
                else
                {
                    failures.incrementAndGet();
                    lastFailure = node + ": " + reply;
                    target = pair.other(node);
                    LockSupport.parkNanos(PAUSE_AFTER_FAILURE_NS);
                }
            }
        }
        finally
        {
            for (final RespClient client : clients)
            {
                client.close();
            }
        }
    }

    String key(final long n)
    {
        return prefix + ":" + n;
    }

    static String value(final long n)
    {
        return "v" + n;
    }

    /**
     * @return how many writes were acknowledged so far.
     */
    int acknowledgedCount()
    {
        return acknowledged.size();
    }

    /**
     * Wait until {@code more} writes beyond those acknowledged now are acknowledged.
     *
     * @return the milliseconds waited.
     * @throws AssertionError if they were not within the timeout.
     */
    long awaitMore(final int more, final long timeoutMs) throws Exception
    {
        final int wanted = acknowledgedCount() + more;
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (acknowledgedCount() < wanted)
        {
            if (!thread.isAlive())
            {
                throw new AssertionError("the writer stopped");
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError(pair.diagnosis() + "only " + acknowledgedCount() + " of " + wanted +
                    " writes acknowledged within " + timeoutMs + " ms; last failure: " + lastFailure);
            }
            Thread.sleep(10);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    /**
     * @return the longest acknowledged write so far, in ms.
     */
    long longestMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(longestNs);
    }

    /**
     * @return when (wall clock ms) the longest acknowledged write so far ended.
     */
    long longestAtMs()
    {
        return longestAtMs;
    }

    long failures()
    {
        return failures.get();
    }

    String latencySummary()
    {
        synchronized (latencyUs)
        {
            return String.format("%d acknowledged writes: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms; " +
                "%d failed", latencyUs.getTotalCount(), latencyUs.getValueAtPercentile(50) / 1000.0,
                latencyUs.getValueAtPercentile(99) / 1000.0, latencyUs.getValueAtPercentile(99.9) / 1000.0,
                latencyUs.getMaxValue() / 1000.0, failures.get());
        }
    }

    /**
     * @return the acknowledged writes that {@code node} does not hold (key = wanted value, found value).
     */
    List<String> missingOn(final MirrorNode node) throws IOException
    {
        final List<Long> all = new ArrayList<>(acknowledged);
        final List<String> missing = new ArrayList<>();
        try (RespClient client = node.client(MirrorPair.REPLY_TIMEOUT_MS))
        {
            for (int from = 0; from < all.size(); from += 500)
            {
                final List<Long> batch = all.subList(from, Math.min(all.size(), from + 500));
                final List<String> values = client.mget(batch.stream().map(this::key).toList());
                for (int i = 0; i < batch.size(); i++)
                {
                    if (!value(batch.get(i)).equals(values.get(i)))
                    {
                        missing.add(key(batch.get(i)) + " = " + value(batch.get(i)) + ", found " + values.get(i));
                    }
                }
            }
        }
        return missing;
    }

    @Override
    public void close()
    {
        stop();
    }

    /**
     * Stop writing (the write in flight ends first).
     */
    void stop()
    {
        running = false;
        try
        {
            thread.join(MirrorPair.REPLY_TIMEOUT_MS + 5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
