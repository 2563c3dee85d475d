package org.bulwark.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import org.bulwark.journal.DurableListener;
import org.bulwark.journal.Journal;
import org.bulwark.server.metrics.MemberMetrics;
import org.bulwark.journal.JournalFrozenException;
import org.bulwark.store.ErrorCode;

import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;

/**
 * A connection's replies, held until what they acknowledge is durable. Replies are encoded into one
 * pooled buffer; a reply that acknowledges a commit gets a mark (its offset, the journal position
 * that must be durable). Everything before the first mark not yet durable is sent; whoever writes
 * the journal tells us ({@link DurableListener}, then a task on the connection's event loop) when the
 * rest may go. Replies after a mark wait too, so they reach the client in request order.
 * <p>
 * After a turn's reads the loop writes and syncs the journal itself when no one else is writing
 * ({@link Journal#writeNow(long)}, {@code journal.committerSyncs}): the loop's other connections
 * wait for that sync, as they do in Redis with {@code appendfsync always}, and a lone client saves
 * two thread wake-ups.
 *
 * <pre>
 * out:   | sent | +OK (SET, pos 4096) | $1 v (GET) | +OK (SET, pos 4160) | ...
 *                 ^ mark 0             ^ waits for mark 0 too
 * </pre>
 *
 * Event-loop confined, except the two callbacks, which only hand over to the loop.
 */
final class HeldReplies implements DurableListener
{
    private final RespConnection connection;
    private final RespWriter writer;
    private final Runnable durableTask = this::onDurable;
    private final Runnable failedTask = this::onFailed;
    private final Runnable writeNowTask = this::writeNow;
    private ChannelHandlerContext ctx;
    private MemberMetrics metrics;
    private Journal journal;
    private ByteBuf out;
    private int[] markOffsets = new int[16];
    private long[] markPositions = new long[16];
    private long[] markStartNs = new long[16];
    private int markHead;
    private int markCount;
    private boolean registered;
    private long registeredPosition;
    private volatile JournalFrozenException failure;

    HeldReplies(final RespConnection connection, final RespWriter writer)
    {
        this.connection = connection;
        this.writer = writer;
    }

    /**
     * Where commit latencies go (the instance's, set before the first command).
     */
    void metrics(final MemberMetrics metrics)
    {
        this.metrics = metrics;
    }

    void attach(final ChannelHandlerContext ctx, final Journal journal)
    {
        this.ctx = ctx;
        this.journal = journal;
    }

    /**
     * Make sure there is an output buffer for the writer.
     *
     * @return the offset the next reply starts at.
     */
    int position()
    {
        if (null == out)
        {
            out = ctx.alloc().ioBuffer(512);
            writer.target(out);
        }
        return out.writerIndex();
    }

    /**
     * Drop what was written from {@code position} on (a reply replaced by an error).
     */
    void truncate(final int position)
    {
        out.writerIndex(position);
    }

    /**
     * The reply that started at {@code replyStart} acknowledges a commit ending at {@code position},
     * whose command began executing at {@code startNs} (its latency is recorded once it is durable).
     */
    void markCommitted(final int replyStart, final long position, final long startNs)
    {
        if (null == journal || position <= journal.committedPosition())
        {
            metrics.commitLatency(System.nanoTime() - startNs);
            return;
        }
        if (markCount == markOffsets.length)
        {
            markOffsets = Arrays.copyOf(markOffsets, markCount * 2);
            markPositions = Arrays.copyOf(markPositions, markCount * 2);
            markStartNs = Arrays.copyOf(markStartNs, markCount * 2);
        }
        markOffsets[markCount] = replyStart;
        markPositions[markCount] = position;
        markStartNs[markCount] = startNs;
        markCount++;
    }

    /**
     * @return bytes encoded and not yet handed to the channel.
     */
    int heldBytes()
    {
        return null == out ? 0 : out.readableBytes();
    }

    /**
     * Send every reply whose commit is durable (and those before the first that is not); ask the
     * journal to tell us when the rest is.
     *
     * @param closeWhenSent close the connection once nothing is held any more.
     */
    void flush(final boolean closeWhenSent)
    {
        if (null == out)
        {
            if (closeWhenSent)
            {
                ctx.close();
            }
            return;
        }
        final long durable = null == journal ? Long.MAX_VALUE : journal.committedPosition();
        final long nowNs = System.nanoTime();
        while (markHead < markCount && markPositions[markHead] <= durable)
        {
            metrics.commitLatency(nowNs - markStartNs[markHead]);
            markHead++;
        }
        if (markHead == markCount)
        {
            markHead = 0;
            markCount = 0;
            final ByteBuf sent = out;
            out = null;
            if (sent.isReadable())
            {
                if (closeWhenSent)
                {
                    ctx.writeAndFlush(sent).addListener(ChannelFutureListener.CLOSE);
                }
                else
                {
                    ctx.writeAndFlush(sent, ctx.voidPromise());
                }
            }
            else
            {
                sent.release();
                if (closeWhenSent)
                {
                    ctx.close();
                }
            }
            return;
        }
        final int end = markOffsets[markHead];
        if (end > out.readerIndex())
        {
            ctx.writeAndFlush(out.retainedSlice(out.readerIndex(), end - out.readerIndex()), ctx.voidPromise());
            out.readerIndex(end);
        }
        if (!registered)
        {
            registeredPosition = markPositions[markCount - 1];
            registered = true;
            if (!journal.notifyWhenDurable(this, false))
            {
                registered = false;
                flush(closeWhenSent); // durable meanwhile
            }
            else
            {
                // Write and sync after this turn's reads (tasks run after the I/O of a turn), so one
                // sync covers every connection of the loop that committed in it; if the journal is
                // being written already, this just wakes the writer thread.
                onLoop(writeNowTask);
            }
        }
    }

    /**
     * The connection is gone: drop what is held (a late callback finds nothing to send).
     */
    void release()
    {
        if (null != out)
        {
            out.release();
            out = null;
        }
        markHead = 0;
        markCount = 0;
    }

    @Override
    public long awaitedPosition()
    {
        return registeredPosition;
    }

    @Override
    public void durable(final long durablePosition)
    {
        // On the thread that wrote the journal (maybe this loop itself): hand over to the loop.
        onLoop(durableTask);
    }

    @Override
    public void failed(final JournalFrozenException cause)
    {
        failure = cause;
        onLoop(failedTask);
    }

    private void onLoop(final Runnable task)
    {
        try
        {
            ctx.channel().eventLoop().execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            // The server is shutting down: the connection is being closed, nothing is left to send.
        }
    }

    private void writeNow()
    {
        journal.writeNow(registeredPosition);
    }

    private void onDurable()
    {
        registered = false;
        connection.flushReplies();
    }

    /**
     * What waited for durability is not acknowledged: the replies from the first waiting one on are
     * replaced by the error, and the connection closed (the client cannot know which of its later
     * requests took effect).
     */
    private void onFailed()
    {
        registered = false;
        if (null == out)
        {
            return;
        }
        if (markHead < markCount)
        {
            out.writerIndex(markOffsets[markHead]);
            markHead = 0;
            markCount = 0;
        }
        writer.error(RespErrors.code(ErrorCode.JOURNAL_FROZEN) + " " + failure.getMessage());
        connection.quit();
        connection.flushReplies();
    }
}
