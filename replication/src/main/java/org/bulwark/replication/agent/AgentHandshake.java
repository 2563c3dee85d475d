package org.bulwark.replication.agent;

import org.bulwark.replication.auth.MirrorKey;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Mutual authentication of an agent connection (SPEC M-19; frames in {@link AgentProtocol}): the
 * client proves it knows the mirror key with an HMAC over the agent's fresh nonce, its member name
 * and its own nonce; the agent answers with an HMAC over both nonces, so the client knows it talks
 * to an agent of the mirror too. Neither side ever sends the key. Both then seal the connection with
 * a session key derived from the key and the two nonces.
 */
final class AgentHandshake
{
    private AgentHandshake()
    {
    }

    /**
     * The authentication failed; the reason is what the refusing side says.
     */
    static final class RefusedException extends IOException
    {
        private static final long serialVersionUID = 1L;

        RefusedException(final String message)
        {
            super(message);
        }
    }

    /**
     * The agent's side.
     *
     * @return the authenticated member name of the client.
     * @throws RefusedException after telling the client why (the caller logs it and closes).
     */
    static String accept(final FrameChannel channel, final MirrorKey key, final long deadlineNs) throws IOException
    {
        final byte[] agentNonce = MirrorKey.nonce(AgentProtocol.NONCE_BYTES);
        final ByteArrayOutputStream hello = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(hello);
        out.writeByte(AgentProtocol.HELLO);
        out.writeShort(AgentProtocol.VERSION);
        out.write(agentNonce);
        channel.write(hello.toByteArray());

        final DataInputStream in = new DataInputStream(new ByteArrayInputStream(
            channel.read(deadlineNs, AgentProtocol.MAX_HANDSHAKE_FRAME_BYTES)));
        final String member;
        final byte[] clientNonce = new byte[AgentProtocol.NONCE_BYTES];
        final byte[] proof = new byte[MirrorKey.MAC_LENGTH];
        try
        {
            final int type = in.readUnsignedByte();
            if (type != AgentProtocol.AUTH)
            {
                throw refuse(channel, "expected AUTH (type " + AgentProtocol.AUTH + "), got message type " + type);
            }
            final int version = in.readUnsignedShort();
            if (version != AgentProtocol.VERSION)
            {
                throw refuse(channel, "protocol version " + version + "; this agent speaks version " +
                    AgentProtocol.VERSION);
            }
            member = in.readUTF();
            in.readFully(clientNonce);
            in.readFully(proof);
        }
        catch (final java.io.EOFException ex)
        {
            throw refuse(channel, "AUTH message cut short");
        }
        if (in.available() > 0)
        {
            throw refuse(channel, "AUTH message has " + in.available() + " bytes too many");
        }
        if (!AgentProtocol.isValidMemberName(member))
        {
            throw refuse(channel, "member name '" + member + "' is not 1.." + AgentProtocol.MAX_NAME_BYTES +
                " letters, digits, '-', '_' or '.'");
        }
        if (!key.verify(proof, AgentProtocol.CLIENT_PROOF_LABEL, agentNonce, AgentProtocol.lengthPrefixed(member),
            clientNonce))
        {
            throw refuse(channel, "member '" + member + "' did not prove it knows the mirror key");
        }
        final ByteArrayOutputStream ok = new ByteArrayOutputStream();
        ok.write(AgentProtocol.AUTH_OK);
        ok.write(key.mac(AgentProtocol.AGENT_PROOF_LABEL, clientNonce, agentNonce));
        channel.write(ok.toByteArray());
        channel.encrypt(key.mac(AgentProtocol.SESSION_KEY_LABEL, agentNonce, clientNonce), true);
        return member;
    }

    /**
     * Refuse a connection before any handshake (too many connections, shutting down).
     */
    static void refuseAtOnce(final FrameChannel channel, final String reason)
    {
        try
        {
            channel.write(refusal(reason));
        }
        catch (final IOException ignored)
        {
            // the peer is gone: it learns nothing either way
        }
    }

    private static RefusedException refuse(final FrameChannel channel, final String reason)
    {
        refuseAtOnce(channel, reason);
        return new RefusedException(reason);
    }

    private static byte[] refusal(final String reason) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(AgentProtocol.REFUSED);
        out.writeUTF(reason);
        return bytes.toByteArray();
    }

    /**
     * The client's side.
     *
     * @throws RefusedException if the agent refused (with its reason) or failed to prove it knows the key.
     */
    static void connect(final FrameChannel channel, final MirrorKey key, final String member, final long deadlineNs)
        throws IOException
    {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(
            channel.read(deadlineNs, AgentProtocol.MAX_HANDSHAKE_FRAME_BYTES)));
        int type = in.readUnsignedByte();
        checkNotRefused(channel, in, type);
        if (type != AgentProtocol.HELLO)
        {
            throw new IOException(channel.peer() + ": expected HELLO from the agent, got message type " + type);
        }
        final int version = in.readUnsignedShort();
        if (version != AgentProtocol.VERSION)
        {
            throw new IOException(channel.peer() + ": the agent speaks protocol version " + version + ", this " +
                "member version " + AgentProtocol.VERSION);
        }
        final byte[] agentNonce = new byte[AgentProtocol.NONCE_BYTES];
        in.readFully(agentNonce);

        final byte[] clientNonce = MirrorKey.nonce(AgentProtocol.NONCE_BYTES);
        final ByteArrayOutputStream auth = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(auth);
        out.writeByte(AgentProtocol.AUTH);
        out.writeShort(AgentProtocol.VERSION);
        out.writeUTF(member);
        out.write(clientNonce);
        out.write(key.mac(AgentProtocol.CLIENT_PROOF_LABEL, agentNonce, AgentProtocol.lengthPrefixed(member),
            clientNonce));
        channel.write(auth.toByteArray());

        in = new DataInputStream(new ByteArrayInputStream(
            channel.read(deadlineNs, AgentProtocol.MAX_HANDSHAKE_FRAME_BYTES)));
        type = in.readUnsignedByte();
        checkNotRefused(channel, in, type);
        if (type != AgentProtocol.AUTH_OK)
        {
            throw new IOException(channel.peer() + ": expected AUTH_OK from the agent, got message type " + type);
        }
        final byte[] proof = new byte[MirrorKey.MAC_LENGTH];
        in.readFully(proof);
        if (!key.verify(proof, AgentProtocol.AGENT_PROOF_LABEL, clientNonce, agentNonce))
        {
            throw new RefusedException(channel.peer() + ": the agent did not prove it knows the mirror key " +
                "(a different key, or not an agent of this mirror)");
        }
        channel.encrypt(key.mac(AgentProtocol.SESSION_KEY_LABEL, agentNonce, clientNonce), false);
    }

    private static void checkNotRefused(final FrameChannel channel, final DataInputStream in, final int type)
        throws IOException
    {
        if (type == AgentProtocol.REFUSED)
        {
            throw new RefusedException(channel.peer() + " refused the connection: " + in.readUTF());
        }
    }
}
