package org.bulwark.perf.harness;

import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives a RESP server (Bulwark or Redis): {@code --clients} connections spread over
 * {@code --io-threads} {@link RespIoLoop} selector threads (not a thread per connection).
 */
final class RespLoadDriver implements LoadDriver
{
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long PRELOAD_BATCH_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int PRELOAD_BATCH_OPS = 1_000;
    private static final int PRELOAD_BATCH_MAX_BYTES = 4 << 20;

    private final HarnessOptions options;
    private final List<RespLoadConnection> connections = new ArrayList<>();
    private final List<RespIoLoop> loops = new ArrayList<>();
    private final DriverThreads threads = new DriverThreads();
    private final List<OpRecording> recordings = new ArrayList<>();

    RespLoadDriver(final HarnessOptions options)
    {
        this.options = options;
    }

    @Override
    public void connect() throws HarnessException
    {
        for (int i = 0; i < options.clients; i++)
        {
            try
            {
                connections.add(RespLoadConnection.open(i, options, CONNECT_TIMEOUT_NS));
            }
            catch (final IOException ex)
            {
                throw new HarnessException(options.target.printable() + ": connection " + (i + 1) + " of " +
                    options.clients + " failed: " + describe(ex), ex);
            }
        }
    }

    @Override
    public void preload() throws HarnessException
    {
        final RespLoadConnection connection = connections.get(0);
        final RespRequests requests = new RespRequests(options.valueBytes, options.keys, 0, 0);
        final int perBatch = Math.max(1, Math.min(PRELOAD_BATCH_OPS, PRELOAD_BATCH_MAX_BYTES /
            requests.plainSetBytes()));
        final ByteBuffer batch = ByteBuffer.allocateDirect(perBatch * requests.plainSetBytes());
        int first = 0;
        while (first < options.keys)
        {
            final int count = Math.min(perBatch, options.keys - first);
            batch.clear();
            for (int key = first; key < first + count; key++)
            {
                batch.put(requests.prepareSet(key));
            }
            batch.flip();
            try
            {
                final String error = connection.exchange(batch, count, System.nanoTime() + PRELOAD_BATCH_TIMEOUT_NS);
                if (null != error)
                {
                    throw new HarnessException(options.target.printable() + ": preload: a SET of the keys " +
                        RespRequests.keyName(RespRequests.KEY_PREFIX, first) + " to " +
                        RespRequests.keyName(RespRequests.KEY_PREFIX, first + count - 1) + " failed: " + error);
                }
            }
            catch (final IOException ex)
            {
                throw new HarnessException(options.target.printable() + ": preload failed: " + describe(ex), ex);
            }
            first += count;
        }
    }

    @Override
    public void start(final RunSchedule schedule, final Recorder latencyNs) throws HarnessException
    {
        final int loopCount = Math.min(options.ioThreads, connections.size());
        final long drainDeadlineNs = schedule.endNs + DRAIN_NS;
        for (int i = 0; i < loopCount; i++)
        {
            final List<RespLoadConnection> share = new ArrayList<>();
            for (int c = i; c < connections.size(); c += loopCount)
            {
                share.add(connections.get(c));
            }
            final OpRecording recording = new OpRecording(latencyNs);
            try
            {
                loops.add(new RespIoLoop(i, share, schedule, drainDeadlineNs, recording, this::stopAll));
            }
            catch (final IOException ex)
            {
                throw new HarnessException(options.target.printable() + ": cannot set up selector thread " + i +
                    ": " + describe(ex), ex);
            }
            recordings.add(recording);
        }
        for (int i = 0; i < loops.size(); i++)
        {
            threads.add("harness-io-" + i, loops.get(i));
        }
        threads.startAll();
    }

    private void stopAll()
    {
        loops.forEach(RespIoLoop::stop);
    }

    @Override
    public boolean awaitEnd(final long deadlineNs) throws HarnessException, InterruptedException
    {
        if (!threads.awaitAll(deadlineNs))
        {
            return false;
        }
        for (final RespIoLoop loop : loops)
        {
            final Throwable failure = loop.failure();
            if (null != failure)
            {
                throw new HarnessException(options.target.printable() + ": " + describe(failure), failure);
            }
        }
        return true;
    }

    @Override
    public RunTotals totals()
    {
        return new RunTotals(recordings);
    }

    static String describe(final Throwable ex)
    {
        return null == ex.getMessage() ? ex.getClass().getSimpleName() :
            ex.getMessage() + (ex instanceof java.net.ConnectException ? " (is the server running?)" : "");
    }

    @Override
    public void close()
    {
        stopAll();
        threads.joinAndClose(connections);
    }
}
