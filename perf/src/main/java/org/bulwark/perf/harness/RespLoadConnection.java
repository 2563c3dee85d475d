package org.bulwark.perf.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * One RESP connection of the harness with at most one op in flight (no pipelining between ops),
 * driven by a {@link RespIoLoop}: pick an op, write its pre-encoded request, read until every
 * reply of it has arrived. Non-blocking throughout; the set-up calls ({@link #open},
 * {@link #exchange}) wait on a selector of their own with a deadline.
 */
final class RespLoadConnection implements AutoCloseable
{
    private static final int IDLE = 0;
    private static final int SENDING = 1;
    private static final int AWAITING = 2;
    private static final int MAX_READ_BUFFER_BYTES = 512 << 20;

    /** Index over all the run's connections: its place in the rate schedule. */
    final int client;
    private final SocketChannel channel;
    private final RespRequests requests;
    private final RespReplyScanner scanner = new RespReplyScanner();
    private final SplittableRandom random;
    private final OpMix mix;
    private final int waitReplicas;
    private ByteBuffer readBuffer;
    private SelectionKey key;

    private int state = IDLE;
    private OpKind kind;
    private ByteBuffer request;
    private int repliesLeft;
    private int parsePos;
    private boolean opError;
    private long opIndex;
    private long intendedNs;
    private long sentNs;
    private long lastReplyNs;

    private RespLoadConnection(final int client, final SocketChannel channel, final HarnessOptions options,
        final long seed)
    {
        this.client = client;
        this.channel = channel;
        this.requests = new RespRequests(options.valueBytes, options.keys, options.waitReplicas,
            options.waitTimeoutMs);
        this.random = new SplittableRandom(seed);
        this.mix = options.mix;
        this.waitReplicas = options.waitReplicas;
        // A GET reply holds one value; anything longer (a value from another run) grows the buffer once.
        this.readBuffer = ByteBuffer.allocateDirect(Math.max(4096, options.valueBytes + 1024));
    }

    /**
     * Connect (and AUTH with the password, if one is given).
     *
     * @throws IOException that says what failed; the caller names the target.
     */
    static RespLoadConnection open(final int client, final HarnessOptions options, final long timeoutNs)
        throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final RespLoadConnection connection = new RespLoadConnection(client, channel, options,
                options.seed + 0x9E3779B97F4A7C15L * (client + 1));
            final long deadlineNs = System.nanoTime() + timeoutNs;
            try (Selector setup = Selector.open())
            {
                if (!channel.connect(new InetSocketAddress(options.target.host, options.target.port)))
                {
                    channel.register(setup, SelectionKey.OP_CONNECT);
                    while (!channel.finishConnect())
                    {
                        waitFor(setup, deadlineNs, "connecting");
                    }
                }
            }
            if (null != options.password)
            {
                final String error = connection.exchange(ByteBuffer.wrap(RespRequests.command("AUTH",
                    options.password)), 1, deadlineNs);
                if (null != error)
                {
                    throw new IOException("AUTH failed: " + error);
                }
            }
            return connection;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Set-up and preload only: write {@code request} (several commands may be pipelined in it) and
     * read its {@code replies} replies.
     *
     * @return the first error reply's text, or null if none was an error.
     */
    String exchange(final ByteBuffer request, final int replies, final long deadlineNs) throws IOException
    {
        String firstError = null;
        try (Selector setup = Selector.open())
        {
            final SelectionKey setupKey = channel.register(setup, 0);
            readBuffer.clear();
            int pos = 0;
            int left = replies;
            while (left > 0)
            {
                if (request.hasRemaining())
                {
                    channel.write(request);
                }
                if (channel.read(readBuffer) < 0)
                {
                    throw new IOException("the server closed the connection");
                }
                int end;
                while (left > 0 && (end = scanner.scan(readBuffer, pos, readBuffer.position())) >= 0)
                {
                    if (scanner.error() && null == firstError)
                    {
                        firstError = text(readBuffer, pos + 1, end); // without the '-'

                    }
                    pos = end;
                    left--;
                }
                readBuffer.flip().position(pos);
                readBuffer.compact();
                pos = 0;
                if (!readBuffer.hasRemaining())
                {
                    grow();
                }
                if (left > 0)
                {
                    setupKey.interestOps(SelectionKey.OP_READ | (request.hasRemaining() ? SelectionKey.OP_WRITE : 0));
                    waitFor(setup, deadlineNs, "waiting for " + left + " replies");
                }
            }
            if (readBuffer.position() != 0)
            {
                throw new RespProtocolException("more bytes arrived than the " + replies + " replies");
            }
        }
        return firstError;
    }

    private static void waitFor(final Selector selector, final long deadlineNs, final String what) throws IOException
    {
        final long remainingMs = (deadlineNs - System.nanoTime()) / 1_000_000;
        if (remainingMs <= 0 || selector.select(remainingMs) == 0 && System.nanoTime() - deadlineNs >= 0)
        {
            throw new IOException("timed out " + what);
        }
        selector.selectedKeys().clear();
    }

    private static String text(final ByteBuffer buffer, final int from, final int to)
    {
        final byte[] bytes = new byte[Math.min(to - from, 200)];
        buffer.get(from, bytes);
        return new String(bytes, StandardCharsets.UTF_8).strip();
    }

    void register(final Selector selector) throws IOException
    {
        key = channel.register(selector, SelectionKey.OP_READ, this);
    }

    /**
     * Start the schedule: the connection's first op is due at {@link #dueNs}.
     */
    void begin(final RunSchedule schedule)
    {
        opIndex = 0;
        lastReplyNs = schedule.startNs;
    }

    boolean idle()
    {
        return state == IDLE;
    }

    /**
     * @return when the next op is due: its intended start (open loop) or the last reply (closed loop).
     */
    long dueNs(final RunSchedule schedule)
    {
        return schedule.closedLoop() ? lastReplyNs : schedule.intendedNs(client, opIndex);
    }

    /**
     * @return whether the next op may still start at {@code nowNs} (open loop: whether it was due
     *         before the end of the measured time, however late it now is).
     */
    boolean mayStartNext(final RunSchedule schedule, final long nowNs)
    {
        return schedule.mayStart(schedule.closedLoop() ? nowNs : schedule.intendedNs(client, opIndex));
    }

    /**
     * Send the next op, meant to start at {@code dueNs}.
     */
    void send(final long dueNs) throws IOException
    {
        kind = mix.pick(random.nextInt());
        request = requests.prepare(kind, random);
        repliesLeft = requests.replies(kind);
        parsePos = 0;
        opError = false;
        intendedNs = dueNs;
        sentNs = System.nanoTime();
        channel.write(request);
        if (request.hasRemaining())
        {
            state = SENDING;
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        else
        {
            state = AWAITING;
        }
    }

    void onWritable() throws IOException
    {
        if (state != SENDING)
        {
            return;
        }
        channel.write(request);
        if (!request.hasRemaining())
        {
            state = AWAITING;
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /**
     * @return whether the op's last reply has arrived.
     */
    boolean onReadable() throws IOException
    {
        if (channel.read(readBuffer) < 0)
        {
            throw new IOException("the server closed the connection");
        }
        if (state == IDLE)
        {
            throw new RespProtocolException(readBuffer.position() + " bytes arrived with no request outstanding");
        }
        while (repliesLeft > 0)
        {
            final int end = scanner.scan(readBuffer, parsePos, readBuffer.position());
            if (end < 0)
            {
                break;
            }
            repliesLeft--;
            if (scanner.error())
            {
                opError = true;
            }
            else if (repliesLeft == 0 && requests.endsWithWait(kind) &&
                (!scanner.integerReply() || scanner.integer() < waitReplicas))
            {
                opError = true; // WAIT saw fewer replicas than asked for
            }
            parsePos = end;
        }
        if (repliesLeft > 0)
        {
            if (!readBuffer.hasRemaining())
            {
                grow();
            }
            return false;
        }
        if (parsePos != readBuffer.position() || state != AWAITING)
        {
            throw new RespProtocolException("more bytes arrived than the replies to the " + kind.optionName() +
                " op");
        }
        readBuffer.clear();
        return true;
    }

    /**
     * The op's replies have all arrived at {@code replyNs}: record it and become idle.
     */
    void complete(final RunSchedule schedule, final long replyNs, final OpRecording recording)
    {
        state = IDLE;
        lastReplyNs = replyNs;
        opIndex++;
        recording.completed(schedule, intendedNs, sentNs, replyNs, opError);
    }

    /**
     * The run gives up at {@code nowNs}: the op in flight and (open loop) those due but not sent yet
     * are recorded as unfinished.
     */
    void abandon(final RunSchedule schedule, final long nowNs, final OpRecording recording)
    {
        if (state != IDLE)
        {
            recording.unfinished(schedule, schedule.closedLoop() ? sentNs : intendedNs, nowNs);
            opIndex++;
            state = IDLE;
        }
        if (!schedule.closedLoop())
        {
            recording.unsent(schedule, client, opIndex, nowNs);
        }
    }

    private void grow() throws RespProtocolException
    {
        if (readBuffer.capacity() >= MAX_READ_BUFFER_BYTES)
        {
            throw new RespProtocolException("a reply longer than " + MAX_READ_BUFFER_BYTES + " bytes");
        }
        final ByteBuffer larger = ByteBuffer.allocateDirect(readBuffer.capacity() * 2);
        readBuffer.flip();
        larger.put(readBuffer);
        readBuffer = larger;
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
