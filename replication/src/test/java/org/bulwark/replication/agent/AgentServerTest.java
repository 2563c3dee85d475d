package org.bulwark.replication.agent;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalByteSource;
import org.bulwark.journal.JournalConfig;
import org.bulwark.journal.JournalRecord;
import org.bulwark.replication.MemberStateFile;
import org.bulwark.replication.auth.MirrorKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentServerTest
{
    private static final long TIMEOUT_MS = 10_000;
    private static final MirrorKey KEY = MirrorKey.of(bytes(0x11));
    private static final MirrorKey OTHER_KEY = MirrorKey.of(bytes(0x22));
    private static final UnsafeBuffer NAME = new UnsafeBuffer("x".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final MessageLog log = MessageLog.console(new PrintStream(logged, true, StandardCharsets.UTF_8),
        Severity.INFO);
    private final AtomicLong clockMs = new AtomicLong(1_795_000_000_000L);
    private final List<Process> children = new ArrayList<>();
    private AgentServer server;

    private static byte[] bytes(final int value)
    {
        final byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte)value);
        return bytes;
    }

    @BeforeEach
    void startAgent() throws IOException
    {
        final AgentConfig config = new AgentConfig().bindHost("127.0.0.1").port(0).keyFile(dir.resolve("key"))
            .hungAfterMs(3_000).forceDownWaitMs(TIMEOUT_MS).maxConnections(3)
            .member(new ServedMember("node-a", dir.resolve("a"), dir.resolve("a").resolve("journal"), ""))
            .member(new ServedMember("node-c", dir.resolve("c"), null, ""));
        server = AgentServer.start(config, KEY, log, clockMs::get);
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        server.close();
        for (final Process child : children)
        {
            child.destroyForcibly();
            child.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    private AgentClient connect() throws IOException
    {
        return AgentClient.connect("127.0.0.1", server.port(), "node-b", KEY, TIMEOUT_MS);
    }

    private String address()
    {
        return "127.0.0.1:" + server.port();
    }

    private Process fakeMember() throws IOException
    {
        final Process child = new ProcessBuilder("sleep", "60").start();
        children.add(child);
        return child;
    }

    private static long appendSet(final Journal journal, final long n, final int valueBytes)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        key.putLong(0, n);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[Math.max(8, valueBytes)]);
        value.putLong(0, n);
        return journal.append(JournalRecord.TYPE_SET, 1, 0, JournalRecord.NONE, NAME, 0, 1, key, 0, 8, value, 0,
            valueBytes, null, 0, -1);
    }

    /**
     * @return the journal's end.
     */
    private long writeJournal(final int records) throws IOException
    {
        final JournalConfig config = new JournalConfig(dir.resolve("a").resolve("journal")).fileSizeBytes(1 << 20)
            .bufferBytes(1 << 18);
        try (Journal journal = Journal.open(config, NioFileLayer.INSTANCE, MessageLog.console(System.out,
            Severity.FATAL)))
        {
            for (int i = 0; i < records; i++)
            {
                appendSet(journal, i, 200 + 13 * i);
                if (i == records / 2)
                {
                    journal.awaitDurable(journal.appendedPosition());
                    journal.switchFile();
                }
            }
            journal.awaitDurable(journal.appendedPosition());
            return journal.appendedPosition();
        }
    }

    @Test
    void anAuthenticatedMemberIsAnsweredAndLogged() throws Exception
    {
        try (AgentClient client = connect())
        {
            assertTrue(client.ping());
            assertTrue(client.ping(), "several requests on one connection");
        }
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("authenticated node-b from /127.0.0.1:"),
            logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMemberWithAnotherKeyIsRefusedWithAReasonAndLogged()
    {
        final IOException ex = assertThrows(IOException.class,
            () -> AgentClient.connect("127.0.0.1", server.port(), "intruder", OTHER_KEY, TIMEOUT_MS));
        assertTrue(ex.getMessage().contains(address()) && ex.getMessage().contains("refused") &&
            ex.getMessage().contains("did not prove it knows the mirror key"), ex.getMessage());
        Conditions.await(() -> logged.toString(StandardCharsets.UTF_8).contains("refused connection from /127.0.0.1:"),
            () -> "the refusal is logged with the address: " + logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anAgentWithAnotherKeyIsNotBelieved() throws Exception
    {
        try (java.net.ServerSocket fake = new java.net.ServerSocket(0, 1,
            java.net.InetAddress.getLoopbackAddress()))
        {
            final Thread impostor = new Thread(() ->
            {
                try (Socket socket = fake.accept())
                {
                    final FrameChannel channel = new FrameChannel(socket, "client");
                    // An impostor cannot check the client's proof, so it accepts it and makes one up.
                    final ByteArrayOutputStream hello = new ByteArrayOutputStream();
                    hello.write(AgentProtocol.HELLO);
                    hello.write(0);
                    hello.write(AgentProtocol.VERSION);
                    hello.write(MirrorKey.nonce(AgentProtocol.NONCE_BYTES));
                    channel.write(hello.toByteArray());
                    channel.read(System.nanoTime() + TimeUnit.SECONDS.toNanos(10), 4096);
                    final ByteArrayOutputStream ok = new ByteArrayOutputStream();
                    ok.write(AgentProtocol.AUTH_OK);
                    ok.write(OTHER_KEY.mac(new byte[] {1}));
                    channel.write(ok.toByteArray());
                    channel.read(System.nanoTime() + TimeUnit.SECONDS.toNanos(10), 4096);
                }
                catch (final IOException ignored)
                {
                    // the client hangs up, as it should
                }
            });
            impostor.start();
            final IOException ex = assertThrows(IOException.class,
                () -> AgentClient.connect("127.0.0.1", fake.getLocalPort(), "node-b", KEY, TIMEOUT_MS));
            assertTrue(ex.getMessage().contains("127.0.0.1:" + fake.getLocalPort()) &&
                ex.getMessage().contains("the agent did not prove it knows the mirror key"), ex.getMessage());
            impostor.join(TIMEOUT_MS);
        }
    }

    @Test
    void noAgentAndASilentAgentAreErrorsNamingTheAddressWithinTheTimeout() throws Exception
    {
        final int closedPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            closedPort = probe.getLocalPort();
        }
        final IOException none = assertThrows(IOException.class,
            () -> AgentClient.connect("127.0.0.1", closedPort, "node-b", KEY, TIMEOUT_MS));
        assertTrue(none.getMessage().startsWith("agent 127.0.0.1:" + closedPort + ": "), none.getMessage());

        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            // Accepted by the kernel's backlog, never answered: the handshake must give up at the timeout.
            final IOException ex = assertThrows(IOException.class,
                () -> AgentClient.connect("127.0.0.1", silent.getLocalPort(), "node-b", KEY, 200));
            assertTrue(ex.getMessage().contains("127.0.0.1:" + silent.getLocalPort()) &&
                ex.getMessage().contains("in time"), ex.getMessage());
        }
    }

    @Test
    void aLiveMemberRunsThenHangsThenIsForcedDownAndStaysDown() throws Exception
    {
        final long journalEnd = writeJournal(50);
        final Process member = fakeMember();
        try (MemberStateFile state = MemberStateFile.open(dir.resolve("a"), "MIRROR", "node-a", false,
            member.toHandle()); AgentClient client = connect())
        {
            state.publish(MemberStateFile.Role.PRIMARY, 3, journalEnd);
            state.heartbeat(clockMs.get());

            final MemberStatus running = client.status("node-a");
            assertEquals(MemberLiveness.RUNNING, running.liveness(), running.toString());
            assertEquals(member.pid(), running.pid());
            assertEquals(MemberStateFile.Role.PRIMARY, running.role());
            assertEquals(3, running.term());
            assertEquals(journalEnd, running.journalEndPosition());
            assertEquals(0, running.heartbeatAgeMs());

            clockMs.addAndGet(3_001);
            final MemberStatus hung = client.status("node-a");
            assertEquals(MemberLiveness.HUNG, hung.liveness(), hung.toString());
            assertEquals(3_001, hung.heartbeatAgeMs());

            final MemberStatus forced = client.forceDown("node-a", "primary hung: no heartbeat for 3001 ms");
            assertTrue(member.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the member's process was killed");
            assertEquals(MemberLiveness.FORCED_DOWN, forced.liveness(), forced.toString());
            assertEquals(journalEnd, forced.journalEndPosition(), "the valid end of its journal");
            assertEquals(-1, forced.pid());

            final ForcedDownMarker marker = ForcedDownMarker.read(dir.resolve("a"));
            assertNotNull(marker);
            assertEquals("primary hung: no heartbeat for 3001 ms", marker.reason());
            assertTrue(marker.requestedBy().startsWith("node-b from /127.0.0.1:"), marker.requestedBy());
            final MemberStatus after = client.status("node-a");
            assertEquals(MemberLiveness.FORCED_DOWN, after.liveness());
            assertTrue(after.forcedDownReason().contains("primary hung"), after.forcedDownReason());
        }
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("SIGKILL to pid " + member.pid()),
            logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMemberWithoutProcessIsDownWithItsJournalsValidEndAndForcingItDownOnlyMarksIt() throws Exception
    {
        final long journalEnd = writeJournal(20);
        try (AgentClient client = connect())
        {
            final MemberStatus down = client.status("node-a");
            assertEquals(MemberLiveness.DOWN, down.liveness(), down.toString());
            assertEquals(journalEnd, down.journalEndPosition());
            assertEquals(-1, down.term());

            final MemberStatus forced = client.forceDown("node-a", "failover");
            assertEquals(MemberLiveness.FORCED_DOWN, forced.liveness());
            assertTrue(ForcedDownMarker.exists(dir.resolve("a")));
            assertTrue(ForcedDownMarker.clear(dir.resolve("a")));
            assertEquals(MemberLiveness.DOWN, client.status("node-a").liveness());
        }
    }

    @Test
    void aStatePidThatAnotherProcessReusedIsNotTheMember() throws Exception
    {
        final Process stranger = fakeMember();
        final long startMs = MemberStateFile.processStartMs(stranger.toHandle());
        final MemberStateFile.Snapshot stale = new MemberStateFile.Snapshot(stranger.pid(), startMs - 60_000, "M",
            "node-a", MemberStateFile.Role.PRIMARY, 1, 0, 0, false);
        assertTrue(MemberProcess.find(dir.resolve("a"), stale).isEmpty());
        final MemberStateFile.Snapshot same = new MemberStateFile.Snapshot(stranger.pid(), startMs, "M",
            "node-a", MemberStateFile.Role.PRIMARY, 1, 0, 0, false);
        assertEquals(stranger.pid(), MemberProcess.find(dir.resolve("a"), same).orElseThrow().pid());
    }

    @Test
    void aKilledMemberThatNobodyReapedYetIsGone() throws Exception
    {
        // The member's parent does not reap it (exec replaced the shell with a sleep): killed, it stays
        // a zombie, which the JDK still calls alive.
        final Process parent = new ProcessBuilder("sh", "-c", "sleep 60 & echo $!; exec sleep 60").start();
        children.add(parent);
        final long pid = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(
            parent.getInputStream(), StandardCharsets.US_ASCII)).readLine().strip());
        final ProcessHandle member = ProcessHandle.of(pid).orElseThrow();
        assertTrue(MemberProcess.isRunning(member));
        member.destroyForcibly();
        Conditions.await(() -> !MemberProcess.isRunning(member), () -> "pid " + pid + " counts as gone");
        assertTrue(member.isAlive() || !ProcessHandle.of(pid).isPresent(), "a zombie, or reaped meanwhile");
    }

    @Test
    void journalChunksAreTheBytesOfTheJournalFilesUpToTheValidEnd() throws Exception
    {
        final long journalEnd = writeJournal(400);
        final JournalByteSource source = new JournalByteSource(dir.resolve("a").resolve("journal"), "");
        final long start = source.startPosition();
        final ByteBuffer expected = ByteBuffer.allocate((int)(journalEnd - start));
        assertEquals(expected.capacity(), source.read(start, expected, expected.capacity()));

        final ByteArrayOutputStream fetched = new ByteArrayOutputStream();
        try (AgentClient client = connect())
        {
            long at = start;
            int chunks = 0;
            while (true)
            {
                final JournalChunk chunk = client.fetchJournal("node-a", at, 10_000);
                assertEquals(journalEnd, chunk.validEnd());
                fetched.write(chunk.bytes());
                at = chunk.endPosition();
                chunks++;
                if (chunk.atEnd())
                {
                    break;
                }
                assertTrue(chunks < 1000);
            }
            assertTrue(chunks > 3, chunks + " chunks");
            assertEquals(0, client.fetchJournal("node-a", journalEnd, 10_000).bytes().length, "nothing past the end");

            final AgentRequestException past = assertThrows(AgentRequestException.class,
                () -> client.fetchJournal("node-a", journalEnd + 8, 100));
            assertTrue(past.getMessage().contains("JOURNAL node-a: fromPosition " + (journalEnd + 8)),
                past.getMessage());
            final AgentRequestException tooMuch = assertThrows(AgentRequestException.class,
                () -> client.fetchJournal("node-a", start, AgentProtocol.MAX_JOURNAL_CHUNK_BYTES + 1));
            assertTrue(tooMuch.getMessage().contains("JOURNAL node-a: maxBytes"), tooMuch.getMessage());
            final AgentRequestException none = assertThrows(AgentRequestException.class,
                () -> client.fetchJournal("node-c", 0, 100));
            assertTrue(none.getMessage().contains("keeps no journal"), none.getMessage());
            assertTrue(client.ping(), "errors leave the connection usable");
        }
        assertArrayEquals(expected.array(), fetched.toByteArray());
    }

    @Test
    void validatedMemberIsWrittenForTheMemberToReadAtStart() throws Exception
    {
        try (AgentClient client = connect())
        {
            client.setValidated("node-c", true);
            assertEquals(java.util.Optional.of(true), ValidatedMemberFile.read(dir.resolve("c")));
            assertTrue(client.status("node-c").validatedMember());
            client.setValidated("node-c", false);
            assertEquals(java.util.Optional.of(false), ValidatedMemberFile.read(dir.resolve("c")));
        }
    }

    @Test
    void unknownMembersCommandsAndArgumentsGetErrorsThatNameThem() throws Exception
    {
        try (AgentClient client = connect())
        {
            final AgentRequestException unknown = assertThrows(AgentRequestException.class,
                () -> client.status("node-z"));
            assertTrue(unknown.getMessage().contains("STATUS: this agent serves no member 'node-z'") &&
                unknown.getMessage().contains("node-a, node-c") && unknown.getMessage().contains(address()),
                unknown.getMessage());
            final AgentRequestException noReason = assertThrows(AgentRequestException.class,
                () -> client.forceDown("node-a", " "));
            assertTrue(noReason.getMessage().contains("FORCEDOWN node-a: the reason"), noReason.getMessage());
            assertFalse(ForcedDownMarker.exists(dir.resolve("a")));
        }
        // Requests no client of this library sends, through the raw protocol.
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            final FrameChannel channel = new FrameChannel(socket, "agent");
            AgentHandshake.connect(channel, KEY, "node-b", System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            assertEquals("unknown command code 9 (PING 1, STATUS 2, FORCEDOWN 3, JOURNAL 4, VALIDATED 5)",
                errorOf(channel, new byte[] {9}));
            assertEquals("PING: 1 bytes after its arguments", errorOf(channel, new byte[] {AgentProtocol.PING, 0}));
            assertEquals("STATUS: arguments cut short", errorOf(channel, new byte[] {AgentProtocol.STATUS, 0}));
            assertEquals("VALIDATED node-c: flag 7 is not 0 or 1", errorOf(channel,
                new byte[] {AgentProtocol.VALIDATED, 0, 6, 'n', 'o', 'd', 'e', '-', 'c', 7}));
        }
    }

    private static String errorOf(final FrameChannel channel, final byte[] request) throws IOException
    {
        channel.write(request);
        final DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(
            channel.read(System.nanoTime() + TimeUnit.SECONDS.toNanos(10), AgentProtocol.MAX_FRAME_BYTES)));
        assertEquals(AgentProtocol.REPLY_ERROR, in.readUnsignedByte());
        return in.readUTF();
    }

    @Test
    void connectionsBeyondTheCapAreRefusedWithAReason() throws Exception
    {
        try (AgentClient a = connect(); AgentClient b = connect(); AgentClient c = connect())
        {
            Conditions.await(() -> server.connectionCount() == 3, () -> "3 connections: " + server.connectionCount());
            final IOException ex = assertThrows(IOException.class, this::connect);
            assertTrue(ex.getMessage().contains("serves 3 connections already"), ex.getMessage());
            assertTrue(a.ping() && b.ping() && c.ping());
        }
        Conditions.await(() -> server.connectionCount() == 0, () -> "closed: " + server.connectionCount());
        try (AgentClient again = connect())
        {
            assertTrue(again.ping());
        }
    }

    @Test
    void aSilentClientIsCutOffAtTheHandshakeTimeout() throws Exception
    {
        server.close();
        final AgentConfig config = new AgentConfig().bindHost("127.0.0.1").port(0).keyFile(dir.resolve("key"))
            .handshakeTimeoutMs(200).member(new ServedMember("node-a", dir.resolve("a"), null, ""));
        server = AgentServer.start(config, KEY, log, clockMs::get);
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setSoTimeout((int)TIMEOUT_MS);
            final java.io.InputStream in = socket.getInputStream();
            int read = 0;
            while (in.read() >= 0)
            {
                read++; // HELLO, then the end of the stream when the agent gives up on us
                assertTrue(read < 10_000);
            }
        }
        Conditions.await(() -> server.connectionCount() == 0, () -> "closed: " + server.connectionCount());
    }
}
