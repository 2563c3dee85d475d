package org.bulwark.replication.agent;

import org.bulwark.replication.MemberStateFile;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The agent's wire protocol (SPEC M-3, M-19). Every message is a frame: a 4-byte big-endian length,
 * then that many bytes. Integers are big-endian; a string is a 2-byte length and UTF-8 bytes
 * ({@link DataOutputStream#writeUTF}).
 *
 * <pre>
 * handshake, in clear (frames of at most 4 KiB):
 *   agent  → client  HELLO    u8 1, u16 version, nonceA[32]
 *   client → agent   AUTH     u8 2, u16 version, str member, nonceC[32], mac(key, "bulwark-agent-client-v1",
 *                                                 nonceA, u16 len, member, nonceC)[32]
 *   agent  → client  AUTH_OK  u8 3, mac(key, "bulwark-agent-agent-v1", nonceC, nonceA)[32]
 *                or  REFUSED  u8 4, str reason            (then the agent closes the connection)
 * after AUTH_OK every frame is AES-256-GCM sealed with the session key
 *   mac(key, "bulwark-agent-session-v1", nonceA, nonceC), nonce = direction u32 (0 client→agent,
 *   1 agent→client) + frame counter u64 from 0, 16-byte tag: replayed, reordered or altered frames fail.
 * request:  u8 command, arguments
 *   1 PING
 *   2 STATUS     str member
 *   3 FORCEDOWN  str member, str reason
 *   4 JOURNAL    str member, i64 fromPosition, i32 maxBytes (1..1 MiB)
 *   5 VALIDATED  str member, u8 0|1
 * reply:    u8 0 OK, result   |   u8 1 ERROR, str message (names the command and the argument)
 *   PING       str "PONG"
 *   STATUS, FORCEDOWN   status: str member, u8 liveness, i32 role, i64 term, i64 journalEnd, i64 pid,
 *                       i64 heartbeatAgeMs, u8 validated, str forcedDownReason
 *   JOURNAL    i64 fromPosition, i64 validEnd, i32 length, bytes[length]
 *   VALIDATED  u8 0|1
 * </pre>
 */
public final class AgentProtocol
{
    public static final int VERSION = 1;
    public static final int NONCE_BYTES = 32;
    public static final int MAX_NAME_BYTES = 64;
    public static final int MAX_REASON_BYTES = 1024;
    public static final int MAX_JOURNAL_CHUNK_BYTES = 1 << 20;
    public static final int MAX_HANDSHAKE_FRAME_BYTES = 4096;
    public static final int MAX_REQUEST_BYTES = 4096;
    public static final int MAX_FRAME_BYTES = MAX_JOURNAL_CHUNK_BYTES + 4096;

    public static final byte HELLO = 1;
    public static final byte AUTH = 2;
    public static final byte AUTH_OK = 3;
    public static final byte REFUSED = 4;

    public static final byte PING = 1;
    public static final byte STATUS = 2;
    public static final byte FORCEDOWN = 3;
    public static final byte JOURNAL = 4;
    public static final byte VALIDATED = 5;

    public static final byte REPLY_OK = 0;
    public static final byte REPLY_ERROR = 1;

    static final byte[] CLIENT_PROOF_LABEL = "bulwark-agent-client-v1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] AGENT_PROOF_LABEL = "bulwark-agent-agent-v1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SESSION_KEY_LABEL = "bulwark-agent-session-v1".getBytes(StandardCharsets.US_ASCII);

    private AgentProtocol()
    {
    }

    /**
     * @return the name of a command code, for messages.
     */
    public static String commandName(final int command)
    {
        switch (command)
        {
            case PING:
                return "PING";
            case STATUS:
                return "STATUS";
            case FORCEDOWN:
                return "FORCEDOWN";
            case JOURNAL:
                return "JOURNAL";
            case VALIDATED:
                return "VALIDATED";
            default:
                return "command " + command;
        }
    }

    /**
     * Member names: 1 to 64 letters, digits, '-', '_' or '.' (they appear in file names and logs).
     */
    public static boolean isValidMemberName(final String name)
    {
        if (null == name || name.isEmpty() || name.length() > MAX_NAME_BYTES)
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' ||
                c == '.'))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The member name as the MACs cover it: a 2-byte length, then the bytes (so that no two
     * (name, nonce) pairs give the same input).
     */
    static byte[] lengthPrefixed(final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final byte[] out = new byte[bytes.length + 2];
        out[0] = (byte)(bytes.length >>> 8);
        out[1] = (byte)bytes.length;
        System.arraycopy(bytes, 0, out, 2, bytes.length);
        return out;
    }

    static void writeStatus(final DataOutputStream out, final MemberStatus status) throws IOException
    {
        out.writeUTF(status.memberName());
        out.writeByte(status.liveness().code());
        out.writeInt(status.role().code());
        out.writeLong(status.term());
        out.writeLong(status.journalEndPosition());
        out.writeLong(status.pid());
        out.writeLong(status.heartbeatAgeMs());
        out.writeByte(status.validatedMember() ? 1 : 0);
        out.writeUTF(status.forcedDownReason());
    }

    static MemberStatus readStatus(final DataInputStream in) throws IOException
    {
        final String name = in.readUTF();
        final int livenessCode = in.readUnsignedByte();
        final MemberLiveness liveness = MemberLiveness.of(livenessCode);
        if (null == liveness)
        {
            throw new IOException("status of member " + name + ": unknown liveness code " + livenessCode);
        }
        final int roleCode = in.readInt();
        final MemberStateFile.Role role = MemberStateFile.Role.of(roleCode);
        if (null == role)
        {
            throw new IOException("status of member " + name + ": unknown role code " + roleCode);
        }
        return new MemberStatus(name, liveness, role, in.readLong(), in.readLong(), in.readLong(), in.readLong(),
            in.readUnsignedByte() != 0, in.readUTF());
    }
}
