package org.bulwark.perf.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.function.Consumer;

/**
 * One selector thread driving its share of the RESP connections through a {@link RunSchedule}:
 * each pass sends the ops that are due on idle connections, then blocks in {@code select} until a
 * reply arrives or (open loop) the {@link SelectorAlarm} rings for the next due op. Replies are
 * timestamped once per {@code select}, when it returns. After the end of the measured time it
 * waits for the ops already begun (open loop: and sends those that were due but late) until
 * {@code drainDeadlineNs}, then records what is left as unfinished.
 */
final class RespIoLoop implements Runnable
{
    private static final long MAX_SELECT_MS = 100;

    private final Selector selector;
    private final RespLoadConnection[] connections;
    private final RunSchedule schedule;
    private final long drainDeadlineNs;
    private final OpRecording recording;
    private final SelectorAlarm alarm;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Runnable stopAll;
    private volatile boolean stopRequested;
    private volatile Throwable failure;
    private long readyNs;

    /**
     * @param stopAll called when this loop fails, to stop the others.
     */
    RespIoLoop(final int index, final List<RespLoadConnection> connections, final RunSchedule schedule,
        final long drainDeadlineNs, final OpRecording recording, final Runnable stopAll) throws IOException
    {
        this.selector = Selector.open();
        this.connections = connections.toArray(new RespLoadConnection[0]);
        this.schedule = schedule;
        this.drainDeadlineNs = drainDeadlineNs;
        this.recording = recording;
        this.stopAll = stopAll;
        for (final RespLoadConnection connection : connections)
        {
            connection.register(selector);
            connection.begin(schedule);
        }
        this.alarm = schedule.closedLoop() ? null : new SelectorAlarm(selector, "harness-alarm-" + index);
    }

    @Override
    public void run()
    {
        try
        {
            loop();
        }
        catch (final IOException | RuntimeException ex)
        {
            failure = ex;
            stopAll.run();
        }
        finally
        {
            if (null != alarm)
            {
                alarm.close();
            }
            try
            {
                selector.close();
            }
            catch (final IOException ex)
            {
                // nothing more to do with it
            }
        }
    }

    private void loop() throws IOException
    {
        while (!stopRequested)
        {
            final long nowNs = System.nanoTime();
            long nextDueNs = Long.MAX_VALUE;
            boolean inFlight = false;
            for (final RespLoadConnection c : connections)
            {
                if (c.idle() && c.mayStartNext(schedule, nowNs))
                {
                    final long dueNs = c.dueNs(schedule);
                    if (dueNs - nowNs <= 0)
                    {
                        send(c, dueNs);
                    }
                    else
                    {
                        nextDueNs = Math.min(nextDueNs, dueNs);
                    }
                }
                inFlight |= !c.idle();
            }
            if (!inFlight && nextDueNs == Long.MAX_VALUE)
            {
                return; // every op of the run has replied
            }
            if (nowNs - drainDeadlineNs >= 0)
            {
                abandon(nowNs);
                return;
            }
            if (null != alarm && nextDueNs != Long.MAX_VALUE)
            {
                alarm.arm(nextDueNs);
            }
            readyNs = 0;
            final long timeoutMs = Math.max(1, Math.min(MAX_SELECT_MS, (drainDeadlineNs - nowNs) / 1_000_000 + 1));
            selector.select(onReady, timeoutMs);
            if (null != alarm)
            {
                alarm.disarm();
            }
        }
        abandon(System.nanoTime());
    }

    private void onReady(final SelectionKey key)
    {
        if (readyNs == 0)
        {
            readyNs = System.nanoTime();
        }
        final RespLoadConnection c = (RespLoadConnection)key.attachment();
        try
        {
            if (key.isWritable())
            {
                c.onWritable();
            }
            if (key.isReadable() && c.onReadable())
            {
                c.complete(schedule, readyNs, recording);
                // Send at once when due, rather than after the other ready keys.
                if (c.mayStartNext(schedule, readyNs))
                {
                    final long dueNs = c.dueNs(schedule);
                    if (dueNs - readyNs <= 0)
                    {
                        c.send(dueNs);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("connection " + c.client + ": " + ex.getMessage(), ex);
        }
    }

    private static void send(final RespLoadConnection c, final long dueNs) throws IOException
    {
        try
        {
            c.send(dueNs);
        }
        catch (final IOException ex)
        {
            throw new IOException("connection " + c.client + ": " + ex.getMessage(), ex);
        }
    }

    private void abandon(final long nowNs)
    {
        for (final RespLoadConnection c : connections)
        {
            c.abandon(schedule, nowNs, recording);
        }
    }

    void stop()
    {
        stopRequested = true;
        selector.wakeup();
    }

    /**
     * @return why the loop failed, or null; read after its thread ended.
     */
    Throwable failure()
    {
        return failure;
    }
}
