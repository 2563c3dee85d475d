package org.bulwark.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.server.BulwarkSession;
import org.bulwark.store.GlobalKey;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * One client connection: its {@link BulwarkSession}, its requests in order, and its replies held
 * back until what they acknowledge is durable.
 *
 * <p>Runs on the connection's event loop and never waits there. A write's commit returns at once
 * ({@link BulwarkSession#deferDurableWaits}); its reply waits in {@link HeldReplies} until the
 * journal writer reports the commit durable. A request that may block (LOCK that must wait,
 * TROLLBACK, closing a session with an open transaction) runs on the server's blocking executor; requests
 * received meanwhile wait, copied, in order (reading stops while {@value #MAX_WAITING} wait). Reading
 * goes on meanwhile so that a client that goes away is noticed: its wait is interrupted.
 */
final class RespConnection extends ChannelInboundHandlerAdapter
{
    /** Requests held behind a blocking one before reading stops (backpressure). */
    static final int MAX_WAITING = 1024;
    /** Reply bytes held for durability (or not yet taken by a slow reader) before reading stops. */
    static final int MAX_HELD_REPLY_BYTES = 4 << 20;

    private final RespServerContext server;
    private final RespWriter writer = new RespWriter();
    private final GlobalKey key = new GlobalKey();
    private final AsciiChars chars = new AsciiChars();
    private final UnsafeBuffer valueView = new UnsafeBuffer(new byte[0]);
    private final HeldReplies replies = new HeldReplies(this, writer);
    private final ArrayDeque<RespCommand> waiting = new ArrayDeque<>();
    private final long clientId;
    private ChannelHandlerContext ctx;
    private BulwarkSession session;

    private boolean authenticated;
    private List<RespCommand> multiQueue;
    private boolean multiFailed;
    private boolean paused;
    private boolean blocking;
    private Thread blockingThread; // guarded by this: the executor thread running our blocking work
    private boolean blockingCancelled; // guarded by this: interrupt the work even if it has not started
    private boolean closing;
    private boolean quitting;
    private boolean inputClosed;
    private String protocolError; // met while a blocking request ran: answered after its reply
    private String clientName;

    RespConnection(final RespServerContext server)
    {
        this.server = server;
        this.clientId = server.nextClientId();
        this.authenticated = !server.config().authRequired();
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        replies.attach(ctx, server.instance().journal());
        replies.metrics(server.instance().metrics());
        try
        {
            session = server.instance().openSession();
        }
        catch (final RuntimeException ex)
        {
            ctx.close(); // the instance is closing
            return;
        }
        session.deferDurableWaits(true);
        server.connectionOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        closeSession();
        ctx.fireChannelInactive();
    }

    /**
     * A disconnect: roll back an open transaction and release every lock (T-1, T-2). Rollback waits
     * for the journal, so a session with a transaction is closed on the blocking executor; one
     * running a blocking request is closed when that ends.
     */
    private void closeSession()
    {
        closing = true;
        if (blocking)
        {
            interruptBlocking(); // a LOCK wait ends at once; resume() comes back here
            return;
        }
        waiting.clear();
        multiQueue = null;
        replies.release();
        final BulwarkSession closed = session;
        if (null == closed)
        {
            return;
        }
        session = null;
        server.connectionClosed();
        if (closed.tlevel() > 0)
        {
            try
            {
                server.blockingExecutor().execute(() -> closeQuietly(closed));
                return;
            }
            catch (final RejectedExecutionException ex)
            {
                // the server is closing: close here
            }
        }
        closeQuietly(closed);
    }

    private synchronized void interruptBlocking()
    {
        blockingCancelled = true;
        if (null != blockingThread)
        {
            blockingThread.interrupt();
        }
    }

    private void closeQuietly(final BulwarkSession closed)
    {
        try
        {
            closed.close();
        }
        catch (final RuntimeException ex)
        {
            server.log().warning(RespServer.SUBSYSTEM, "closing the session of client " + clientId + " failed: " + ex);
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (cause instanceof RespProtocolException)
        {
            if (paused)
            {
                protocolError = cause.getMessage();
                return;
            }
            if (!quitting && null != session)
            {
                replies.position();
                writer.error("ERR " + cause.getMessage());
                quitting = true;
                flushReplies();
            }
            else
            {
                ctx.close();
            }
            return;
        }
        if (!(cause instanceof IOException))
        {
            server.log().warning(RespServer.SUBSYSTEM, "client " + clientId + " " + ctx.channel().remoteAddress() +
                ": " + cause);
        }
        ctx.close();
    }

    // ------------------------------------------------------------------ requests

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final RespCommand command = (RespCommand)msg;
        if (closing || quitting || null == session)
        {
            return;
        }
        if (paused)
        {
            waiting.add(command.detach());
            updateAutoRead();
            return;
        }
        execute(command);
        if (replies.heldBytes() >= MAX_HELD_REPLY_BYTES)
        {
            updateAutoRead();
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        flushReplies();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Read on only while this connection's backlog is bounded (SPEC E-1: a client that sends
     * without reading, or faster than its requests are served, cannot grow the server's memory):
     * requests waiting behind a blocking one, replies held for durability, and replies the client
     * has not taken yet (Netty's write buffer above its high-water mark) each stop reading.
     */
    private void updateAutoRead()
    {
        if (null == ctx || closing)
        {
            return;
        }
        final boolean read = waiting.size() < MAX_WAITING && ctx.channel().isWritable() &&
            replies.heldBytes() < MAX_HELD_REPLY_BYTES;
        if (ctx.channel().config().isAutoRead() != read)
        {
            ctx.channel().config().setAutoRead(read);
        }
    }

    /**
     * The client shut down its sending side (half-close): every whole request received is answered
     * (once durable, as always), then the connection is closed.
     */
    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
    {
        if (event instanceof ChannelInputShutdownEvent)
        {
            inputClosed = true;
            if (blocking)
            {
                // Like Redis, a client that stops sending during a blocking request has given up on
                // it: end the wait (its reply still goes out if the client reads), then close.
                interruptBlocking();
            }
            flushReplies();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    private void execute(final RespCommand command)
    {
        final long startNs = System.nanoTime();
        final int replyStart = replies.position();
        final long ackBefore = session.ackPosition();
        try
        {
            dispatch(command);
        }
        catch (final RuntimeException ex)
        {
            replies.truncate(replyStart); // no half reply before the error
            writer.error(errorText(ex, command));
        }
        markIfCommitted(replyStart, ackBefore, startNs);
    }

    private void dispatch(final RespCommand command)
    {
        final CommandTable.Entry entry = server.commands().find(command);
        if (null == entry)
        {
            multiFailed |= null != multiQueue;
            writer.error(unknownCommand(command));
            return;
        }
        if (!authenticated && !entry.has(CommandTable.NO_AUTH))
        {
            writer.error("NOAUTH Authentication required.");
            return;
        }
        if (!entry.arityFits(command.argc()))
        {
            multiFailed |= null != multiQueue;
            writer.error("ERR wrong number of arguments for '" + entry.name.toLowerCase(java.util.Locale.ROOT) +
                "' command");
            return;
        }
        if (null != multiQueue && !entry.has(CommandTable.MULTI_CONTROL))
        {
            if (entry.has(CommandTable.NOT_IN_MULTI))
            {
                multiFailed = true;
                writer.error("ERR " + entry.name + " is not allowed in MULTI");
                return;
            }
            multiQueue.add(command.detach());
            writer.simple("QUEUED");
            return;
        }
        entry.handler.handle(this, command);
    }

    private void markIfCommitted(final int replyStart, final long ackBefore, final long startNs)
    {
        if (null != session && session.ackPosition() > ackBefore)
        {
            replies.markCommitted(replyStart, session.ackPosition(), startNs);
        }
    }

    private String errorText(final RuntimeException ex, final RespCommand command)
    {
        final String text = RespErrors.text(ex);
        if (null != text)
        {
            return text;
        }
        server.log().warning(RespServer.SUBSYSTEM, "client " + clientId + ": '" + command.string(0) + "' failed: " +
            ex);
        return "ERR internal error in '" + command.string(0) + "': " + ex;
    }

    private static String unknownCommand(final RespCommand command)
    {
        final StringBuilder text = new StringBuilder("ERR unknown command '").append(clip(command.string(0)))
            .append("', with args beginning with:");
        for (int i = 1; i < Math.min(command.argc(), 4); i++)
        {
            text.append(" '").append(clip(command.string(i))).append('\'');
        }
        return text.toString();
    }

    private static String clip(final String text)
    {
        return text.length() > 128 ? text.substring(0, 128) + "..." : text;
    }

    // ------------------------------------------------------------------ MULTI / EXEC

    static void multi(final RespConnection c, final RespCommand command)
    {
        if (null != c.multiQueue)
        {
            c.writer.error("ERR MULTI calls can not be nested");
            return;
        }
        c.multiQueue = new ArrayList<>();
        c.multiFailed = false;
        c.writer.ok();
    }

    static void discard(final RespConnection c, final RespCommand command)
    {
        if (null == c.multiQueue)
        {
            c.writer.error("ERR DISCARD without MULTI");
            return;
        }
        c.multiQueue = null;
        c.writer.ok();
    }

    /**
     * EXEC: the queued requests as one transaction (TSTART ... TCOMMIT), acknowledged once its
     * commit is durable. As in Redis, a request failing inside still lets the others run and
     * commit; a request refused while queuing aborts it all.
     */
    static void exec(final RespConnection c, final RespCommand command)
    {
        final List<RespCommand> queue = c.multiQueue;
        if (null == queue)
        {
            c.writer.error("ERR EXEC without MULTI");
            return;
        }
        c.multiQueue = null;
        if (c.multiFailed)
        {
            c.multiFailed = false;
            c.writer.error("EXECABORT Transaction discarded because of previous errors.");
            return;
        }
        final int start = c.replies.position();
        c.session.tstart();
        c.writer.array(queue.size());
        for (final RespCommand queued : queue)
        {
            final int replyStart = c.replies.position();
            try
            {
                c.server.commands().find(queued).handler.handle(c, queued);
            }
            catch (final RuntimeException ex)
            {
                c.replies.truncate(replyStart);
                c.writer.error(c.errorText(ex, queued));
            }
        }
        try
        {
            c.session.tcommit();
        }
        catch (final RuntimeException ex)
        {
            c.replies.truncate(start);
            throw ex;
        }
    }

    // ------------------------------------------------------------------ blocking requests

    /** Work that may block: runs on the blocking executor. */
    @FunctionalInterface
    interface BlockingWork
    {
        void run() throws Exception;
    }

    /**
     * Run {@code work} off the event loop with reading paused; then, back on the loop, {@code reply}
     * (or the error), then the requests that arrived meanwhile.
     */
    void runBlocking(final BlockingWork work, final Runnable reply)
    {
        paused = true;
        blocking = true;
        synchronized (this)
        {
            blockingCancelled = false;
        }
        try
        {
            server.blockingExecutor().execute(() ->
            {
                synchronized (this)
                {
                    blockingThread = Thread.currentThread();
                    if (blockingCancelled)
                    {
                        blockingThread.interrupt(); // the client went before the work started
                    }
                }
                Throwable failure = null;
                try
                {
                    work.run();
                }
                catch (final Throwable ex)
                {
                    failure = ex;
                }
                finally
                {
                    synchronized (this)
                    {
                        blockingThread = null;
                        Thread.interrupted(); // a disconnect's interrupt is for this work only
                    }
                }
                final Throwable result = failure;
                onLoop(() -> resume(result, reply));
            });
        }
        catch (final RejectedExecutionException ex)
        {
            paused = false;
            blocking = false;
            throw new IllegalStateException("the server is shutting down");
        }
    }

    private void resume(final Throwable failure, final Runnable reply)
    {
        blocking = false;
        if (closing)
        {
            closeSession();
            return;
        }
        final long startNs = System.nanoTime();
        final int replyStart = replies.position();
        final long ackBefore = session.ackPosition();
        if (null == failure)
        {
            try
            {
                reply.run();
            }
            catch (final RuntimeException ex)
            {
                replies.truncate(replyStart);
                writer.error(RespErrors.text(ex) == null ? "ERR " + ex : RespErrors.text(ex));
            }
        }
        else
        {
            final String text = RespErrors.text(failure);
            writer.error(null != text ? text : "ERR " + failure);
        }
        markIfCommitted(replyStart, ackBefore, startNs);
        paused = false;
        while (!paused && !closing && !quitting && !waiting.isEmpty())
        {
            execute(waiting.poll());
        }
        if (!paused && null != protocolError && !quitting)
        {
            replies.position();
            writer.error("ERR " + protocolError);
            quitting = true;
        }
        updateAutoRead();
        flushReplies();
    }

    private void onLoop(final Runnable task)
    {
        try
        {
            ctx.channel().eventLoop().execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            // The server is shutting down: the instance's close closes the session.
        }
    }

    // ------------------------------------------------------------------ replies

    /**
     * Send what may be sent, close if the connection is ending, and adjust reading to the backlog.
     */
    void flushReplies()
    {
        if (null == ctx)
        {
            return;
        }
        replies.flush((quitting || inputClosed) && !paused);
        updateAutoRead();
    }

    // ------------------------------------------------------------------ for the commands

    BulwarkSession session()
    {
        return session;
    }

    RespWriter writer()
    {
        return writer;
    }

    RespServerContext server()
    {
        return server;
    }

    long clientId()
    {
        return clientId;
    }

    String clientName()
    {
        return clientName;
    }

    void clientName(final String name)
    {
        this.clientName = name;
    }

    boolean authenticated()
    {
        return authenticated;
    }

    void authenticated(final boolean authenticated)
    {
        this.authenticated = authenticated;
    }

    /**
     * After the replies so far are sent, close the connection.
     */
    void quit()
    {
        quitting = true;
    }

    /**
     * @return the plain key of argument {@code index}: {@code ^<resp.global>(key)}, in a reused key.
     */
    GlobalKey plainKey(final RespCommand command, final int index)
    {
        key.global(server.config().global());
        if (command.isAscii(index))
        {
            key.add(chars.wrap(command.source(), command.offset(index), command.length(index)));
        }
        else
        {
            key.add(command.string(index));
        }
        return key;
    }

    /**
     * @return a reused key for the native commands.
     */
    GlobalKey key()
    {
        return key;
    }

    /**
     * @return argument {@code index} as a buffer view, valid until the next call.
     */
    DirectBuffer value(final RespCommand command, final int index)
    {
        final ByteBuf source = command.source();
        final int offset = command.offset(index);
        final int length = command.length(index);
        if (source.hasMemoryAddress())
        {
            valueView.wrap(source.memoryAddress() + offset, length);
        }
        else if (source.hasArray())
        {
            valueView.wrap(source.array(), source.arrayOffset() + offset, length);
        }
        else
        {
            final byte[] copy = new byte[length];
            source.getBytes(offset, copy);
            valueView.wrap(copy);
        }
        return valueView;
    }
}
