package org.bulwark.replication.agent;

import org.bulwark.replication.auth.MirrorKey;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A member's connection to an agent (usually the failover partner's, on the other host): it asks
 * whether the partner is really down, forces a hung one down, fetches its journal and sets its
 * {@code ValidatedMember} (SPEC M-3, M-9). Every call is bounded by the timeout given at connect;
 * failures are {@link IOException}s naming the agent's host:port ({@link AgentRequestException} when
 * the agent refused the request itself). One call at a time; calls from several threads take turns.
 */
public final class AgentClient implements AutoCloseable
{
    private final String address;
    private final FrameChannel channel;
    private final long timeoutMs;

    private AgentClient(final String address, final FrameChannel channel, final long timeoutMs)
    {
        this.address = address;
        this.channel = channel;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Connect and authenticate both ways.
     *
     * @param memberName this member's name, which the agent logs and puts in markers.
     * @param timeoutMs  bound of the connect plus handshake, and of each call after it.
     */
    public static AgentClient connect(final String host, final int port, final String memberName,
        final MirrorKey key, final long timeoutMs) throws IOException
    {
        final String address = host + ":" + port;
        if (!AgentProtocol.isValidMemberName(memberName))
        {
            throw new IllegalArgumentException("member name '" + memberName + "' is not 1.." +
                AgentProtocol.MAX_NAME_BYTES + " letters, digits, '-', '_' or '.'");
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final Socket socket = new Socket();
        try
        {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int)Math.max(1, Math.min(Integer.MAX_VALUE,
                timeoutMs)));
            final FrameChannel channel = new FrameChannel(socket, "agent " + address);
            AgentHandshake.connect(channel, key, memberName, deadlineNs);
            return new AgentClient(address, channel, timeoutMs);
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex.getMessage() != null && ex.getMessage().contains(address) ? ex :
                new IOException("agent " + address + ": " + ex.getMessage(), ex);
        }
    }

    public String address()
    {
        return address;
    }

    /**
     * @return true if the agent answers.
     */
    public synchronized boolean ping() throws IOException
    {
        final DataInputStream in = call(request(AgentProtocol.PING));
        return "PONG".equals(in.readUTF());
    }

    /**
     * @return the state of a member the agent serves.
     */
    public synchronized MemberStatus status(final String member) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = request(bytes, AgentProtocol.STATUS);
        out.writeUTF(member);
        return AgentProtocol.readStatus(call(bytes.toByteArray()));
    }

    /**
     * Force a member down: the agent writes its {@code forced-down} marker and kills its process if it
     * runs, and waits for it to exit (the agent's {@code forceDownWaitMs}: this client's timeout must be
     * longer).
     *
     * @return its state after (FORCED_DOWN, with the valid end of its journal).
     */
    public synchronized MemberStatus forceDown(final String member, final String reason) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = request(bytes, AgentProtocol.FORCEDOWN);
        out.writeUTF(member);
        out.writeUTF(reason);
        return AgentProtocol.readStatus(call(bytes.toByteArray()));
    }

    /**
     * @param maxBytes at most {@link AgentProtocol#MAX_JOURNAL_CHUNK_BYTES}.
     * @return journal bytes from {@code fromPosition}, never past the valid end.
     */
    public synchronized JournalChunk fetchJournal(final String member, final long fromPosition, final int maxBytes)
        throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = request(bytes, AgentProtocol.JOURNAL);
        out.writeUTF(member);
        out.writeLong(fromPosition);
        out.writeInt(maxBytes);
        final DataInputStream in = call(bytes.toByteArray());
        final long from = in.readLong();
        final long validEnd = in.readLong();
        final int length = in.readInt();
        if (from != fromPosition || length < 0 || length > maxBytes || from + length > validEnd)
        {
            throw new IOException("agent " + address + ": JOURNAL " + member + " answered " + length + " bytes from " +
                from + " (valid end " + validEnd + ") to a request for " + maxBytes + " from " + fromPosition);
        }
        final byte[] data = new byte[length];
        in.readFully(data);
        return new JournalChunk(from, data, validEnd);
    }

    /**
     * Set a member's {@code ValidatedMember} (read by the member when it starts).
     */
    public synchronized void setValidated(final String member, final boolean validated) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = request(bytes, AgentProtocol.VALIDATED);
        out.writeUTF(member);
        out.writeByte(validated ? 1 : 0);
        call(bytes.toByteArray());
    }

    private static byte[] request(final byte command)
    {
        return new byte[] {command};
    }

    private static DataOutputStream request(final ByteArrayOutputStream bytes, final byte command)
    {
        bytes.write(command);
        return new DataOutputStream(bytes);
    }

    private DataInputStream call(final byte[] request) throws IOException
    {
        final String command = AgentProtocol.commandName(request[0]);
        final byte[] reply;
        try
        {
            channel.write(request);
            reply = channel.read(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs),
                AgentProtocol.MAX_FRAME_BYTES);
        }
        catch (final IOException ex)
        {
            channel.close(); // a reply may still come: this connection is out of step from now on
            throw new IOException("agent " + address + ": " + command + " failed: " + ex.getMessage(), ex);
        }
        final DataInputStream in = new DataInputStream(new ByteArrayInputStream(reply));
        final int result = in.readUnsignedByte();
        if (result == AgentProtocol.REPLY_ERROR)
        {
            throw new AgentRequestException("agent " + address + ": " + in.readUTF());
        }
        if (result != AgentProtocol.REPLY_OK)
        {
            throw new IOException("agent " + address + ": " + command + " answered with result code " + result);
        }
        return in;
    }

    @Override
    public void close()
    {
        channel.close();
    }
}
