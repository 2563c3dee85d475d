package org.bulwark.replication.agent;

import org.bulwark.common.log.MessageLog;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Carries out the requests of authenticated members (the commands of {@link AgentProtocol}) for the
 * members this agent serves. Requests about one member are carried out one at a time.
 */
final class AgentCommands
{
    static final String SUBSYSTEM = "AGENT";
    /** How often FORCEDOWN looks whether the killed process is gone (it may not be our child: no waitpid). */
    private static final long EXIT_POLL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Map<String, MemberProbe> probes = new LinkedHashMap<>();
    private final long forceDownWaitMs;
    private final MessageLog log;
    private final LongSupplier clockMs;

    AgentCommands(final AgentConfig config, final MessageLog log, final LongSupplier clockMs)
    {
        for (final ServedMember member : config.members())
        {
            probes.put(member.name(), new MemberProbe(member, config.hungAfterMs()));
        }
        this.forceDownWaitMs = config.forceDownWaitMs();
        this.log = log;
        this.clockMs = clockMs;
    }

    /**
     * A request that cannot be carried out; the message goes back to the client as the ERROR reply.
     */
    static final class RequestException extends Exception
    {
        private static final long serialVersionUID = 1L;

        RequestException(final String message)
        {
            super(message);
        }
    }

    /**
     * @param client who asks: the authenticated member name and its address, for the log and markers.
     * @return the reply frame.
     */
    byte[] execute(final byte[] request, final String client)
    {
        final int command = request.length > 0 ? request[0] & 0xFF : -1;
        final String name = AgentProtocol.commandName(command);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        try
        {
            final DataInputStream in = new DataInputStream(new ByteArrayInputStream(request, 1,
                Math.max(0, request.length - 1)));
            out.writeByte(AgentProtocol.REPLY_OK);
            try
            {
                dispatch(command, in, out, client);
            }
            catch (final EOFException ex)
            {
                throw new RequestException(name + ": arguments cut short");
            }
            return bytes.toByteArray();
        }
        catch (final RequestException ex)
        {
            return error(ex.getMessage());
        }
        catch (final IOException | UncheckedIOException ex)
        {
            log.warning(SUBSYSTEM, name + " from " + client + " failed: " + ex.getMessage());
            return error(name + " failed: " + ex.getMessage());
        }
    }

    private void dispatch(final int command, final DataInputStream in, final DataOutputStream out,
        final String client) throws IOException, RequestException
    {
        switch (command)
        {
            case AgentProtocol.PING:
                end(in, "PING");
                out.writeUTF("PONG");
                break;
            case AgentProtocol.STATUS:
            {
                final MemberProbe probe = probe("STATUS", in.readUTF());
                end(in, "STATUS");
                synchronized (probe)
                {
                    AgentProtocol.writeStatus(out, probe.status(clockMs.getAsLong()));
                }
                break;
            }
            case AgentProtocol.FORCEDOWN:
            {
                final MemberProbe probe = probe("FORCEDOWN", in.readUTF());
                final String reason = in.readUTF();
                end(in, "FORCEDOWN");
                if (reason.isBlank() || reason.length() > AgentProtocol.MAX_REASON_BYTES)
                {
                    throw new RequestException("FORCEDOWN " + probe.member().name() + ": the reason must be 1.." +
                        AgentProtocol.MAX_REASON_BYTES + " characters, not " + reason.length());
                }
                synchronized (probe)
                {
                    AgentProtocol.writeStatus(out, forceDown(probe, reason, client));
                }
                break;
            }
            case AgentProtocol.JOURNAL:
                journal(in, out);
                break;
            case AgentProtocol.VALIDATED:
            {
                final MemberProbe probe = probe("VALIDATED", in.readUTF());
                final int flag = in.readUnsignedByte();
                end(in, "VALIDATED");
                if (flag > 1)
                {
                    throw new RequestException("VALIDATED " + probe.member().name() + ": flag " + flag +
                        " is not 0 or 1");
                }
                synchronized (probe)
                {
                    ValidatedMemberFile.write(probe.member().dataDirectory(), flag == 1, client);
                }
                log.info(SUBSYSTEM, "ValidatedMember of " + probe.member().name() + " set to " + flag + " by " +
                    client);
                out.writeByte(flag);
                break;
            }
            default:
                throw new RequestException("unknown command code " + command + " (PING 1, STATUS 2, FORCEDOWN 3, " +
                    "JOURNAL 4, VALIDATED 5)");
        }
    }

    private MemberStatus forceDown(final MemberProbe probe, final String reason, final String client)
        throws IOException, RequestException
    {
        final ServedMember member = probe.member();
        // The marker first: whatever restarts the member after the kill finds it and keeps it down.
        ForcedDownMarker.write(member.dataDirectory(), new ForcedDownMarker(reason, Instant.now(), client));
        final Optional<ProcessHandle> process = probe.process();
        if (process.isPresent())
        {
            final ProcessHandle handle = process.get();
            log.warning(SUBSYSTEM, "forcing member " + member.name() + " down for " + client + ": SIGKILL to pid " +
                handle.pid() + "; reason: " + reason);
            handle.destroyForcibly();
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forceDownWaitMs);
            while (MemberProcess.isRunning(handle))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new RequestException("FORCEDOWN " + member.name() + ": pid " + handle.pid() +
                        " did not exit within " + forceDownWaitMs + " ms of SIGKILL (the forced-down marker is " +
                        "written)");
                }
                LockSupport.parkNanos(EXIT_POLL_NS);
            }
            log.warning(SUBSYSTEM, "member " + member.name() + " (pid " + handle.pid() + ") is down");
        }
        else
        {
            log.warning(SUBSYSTEM, "member " + member.name() + " marked forced down for " + client +
                " (no process was running); reason: " + reason);
        }
        return probe.status(clockMs.getAsLong());
    }

    private void journal(final DataInputStream in, final DataOutputStream out) throws IOException, RequestException
    {
        final MemberProbe probe = probe("JOURNAL", in.readUTF());
        final long from = in.readLong();
        final int maxBytes = in.readInt();
        end(in, "JOURNAL");
        final String name = probe.member().name();
        if (maxBytes <= 0 || maxBytes > AgentProtocol.MAX_JOURNAL_CHUNK_BYTES)
        {
            throw new RequestException("JOURNAL " + name + ": maxBytes " + maxBytes + " is outside 1.." +
                AgentProtocol.MAX_JOURNAL_CHUNK_BYTES);
        }
        final MemberJournal journal = probe.journal();
        if (null == journal)
        {
            throw new RequestException("JOURNAL " + name + ": the member keeps no journal (journal.enabled=false)");
        }
        final long validEnd;
        synchronized (probe)
        {
            validEnd = probe.status(clockMs.getAsLong()).journalEndPosition();
        }
        if (from < 0 || from > validEnd)
        {
            throw new RequestException("JOURNAL " + name + ": fromPosition " + from + " is outside 0.." + validEnd +
                " (the valid end of its journal)");
        }
        final int length = (int)Math.min(maxBytes, validEnd - from);
        final ByteBuffer bytes = ByteBuffer.allocate(length);
        if (length > 0)
        {
            final int n = journal.read(from, bytes, length);
            if (n != length)
            {
                throw new IOException("journal of " + name + " holds " + n + " of the " + length + " bytes from " +
                    from + " below its valid end " + validEnd);
            }
        }
        out.writeLong(from);
        out.writeLong(validEnd);
        out.writeInt(length);
        out.write(bytes.array(), 0, length);
    }

    private MemberProbe probe(final String command, final String member) throws RequestException
    {
        final MemberProbe probe = probes.get(member);
        if (null == probe)
        {
            throw new RequestException(command + ": this agent serves no member '" + member + "' (it serves " +
                String.join(", ", probes.keySet()) + ")");
        }
        return probe;
    }

    private static void end(final DataInputStream in, final String command) throws IOException, RequestException
    {
        if (in.available() > 0)
        {
            throw new RequestException(command + ": " + in.available() + " bytes after its arguments");
        }
    }

    private static byte[] error(final String message)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        try
        {
            out.writeByte(AgentProtocol.REPLY_ERROR);
            out.writeUTF(message.length() > 8000 ? message.substring(0, 8000) : message);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }
}
