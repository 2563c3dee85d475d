package org.bulwark.replication.transport;

import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.replication.auth.MirrorKey;
import org.bulwark.replication.protocol.AckMessage;
import org.bulwark.replication.protocol.HelloMessage;
import org.bulwark.replication.protocol.JournalMessage;
import org.bulwark.replication.protocol.MessageFlyweight;
import org.bulwark.replication.protocol.MirrorRole;
import org.bulwark.replication.protocol.RejectReason;
import org.bulwark.replication.protocol.StatusMessage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The adapter fed directly, without Aeron: what it believes, what it rejects and why, and that no input,
 * however mangled, makes it throw.
 */
class MirrorMessageAdapterTest
{
    private static final int PEER_SESSION = 77;

    private final RecordingHandler handler = new RecordingHandler();
    private final MirrorLinkCounters counters = new MirrorLinkCounters();
    private final ByteArrayOutputStream logText = new ByteArrayOutputStream();
    private final MirrorMessageAdapter adapter = new MirrorMessageAdapter(handler, LinkPair.KEY, "mirrora", counters,
        MessageLog.console(new PrintStream(logText, true, StandardCharsets.UTF_8), Severity.INFO), "test", 0);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
    private final Header header = new Header(0, 16);

    MirrorMessageAdapterTest()
    {
        header.buffer(frame);
        header.offset(0);
    }

    @Test
    void onlyMessagesOnTheSessionOfAValidHelloAreBelieved()
    {
        deliver(PEER_SESSION, StatusMessage.encode(buffer, 0, 1, MirrorRole.BACKUP, 0, 0, 0, 0));
        assertEquals(1, counters.rejected(RejectReason.UNAUTHENTICATED));

        adapter.nowNs(1_000);
        deliver(PEER_SESSION, hello(MirrorRole.BACKUP, 42)); // mirror names compare ignoring case
        assertTrue(adapter.authenticated());
        assertEquals(42, adapter.peerIncarnation());
        assertEquals("b", adapter.peerMemberName());
        assertEquals(1_000, adapter.lastHeardNs());

        adapter.nowNs(2_000);
        deliver(PEER_SESSION, AckMessage.encode(buffer, 0, 1, 3, 2, 1));
        assertEquals(1, handler.acks.size());
        assertEquals(2_000, adapter.lastHeardNs());

        adapter.nowNs(3_000);
        deliver(PEER_SESSION + 1, AckMessage.encode(buffer, 0, 1, 3, 2, 1)); // another session: not the peer's
        assertEquals(2, counters.rejected(RejectReason.UNAUTHENTICATED));
        assertEquals(1, handler.acks.size());
        assertEquals(2_000, adapter.lastHeardNs(), "rejected messages are not heard");

        deliver(PEER_SESSION + 1, hello(MirrorRole.BACKUP, 43)); // the peer restarted: a new session
        deliver(PEER_SESSION + 1, AckMessage.encode(buffer, 0, 1, 3, 2, 1));
        assertEquals(2, handler.acks.size());
        assertEquals(43, adapter.peerIncarnation());
        deliver(PEER_SESSION, AckMessage.encode(buffer, 0, 1, 3, 2, 1)); // the old session is no longer believed
        assertEquals(3, counters.rejected(RejectReason.UNAUTHENTICATED));
        assertEquals(2, handler.hellos.size());
    }

    @Test
    void damagedMessagesAreRejectedWithTheirReason()
    {
        deliver(PEER_SESSION, hello(MirrorRole.BACKUP, 1));
        final int received = handler.total();

        deliver(PEER_SESSION, 11);
        assertEquals(1, counters.rejected(RejectReason.TOO_SHORT));

        buffer.putShort(MessageFlyweight.TYPE_OFFSET, (short)99, MessageFlyweight.ORDER);
        deliver(PEER_SESSION, 40);
        assertEquals(1, counters.rejected(RejectReason.UNKNOWN_TYPE));

        AckMessage.encode(buffer, 0, 1, 3, 2, 1);
        buffer.putShort(MessageFlyweight.VERSION_OFFSET, (short)2, MessageFlyweight.ORDER);
        deliver(PEER_SESSION, AckMessage.LENGTH);
        assertEquals(1, counters.rejected(RejectReason.UNSUPPORTED_VERSION));

        deliver(PEER_SESSION, JournalMessage.encodeHeader(buffer, 0, 1, 0, 100) + 99);
        assertEquals(1, counters.rejected(RejectReason.BAD_LENGTH));

        final int helloLength = hello(MirrorRole.PRIMARY, 2);
        buffer.putInt(HelloMessage.FLAGS_OFFSET, 1, MessageFlyweight.ORDER); // changed after the MAC was made
        deliver(PEER_SESSION, helloLength);
        assertEquals(1, counters.rejected(RejectReason.BAD_MAC));
        assertEquals(1, adapter.peerIncarnation(), "a forged HELLO changes nothing");

        final byte[] nonce = new byte[HelloMessage.NONCE_LENGTH];
        deliver(PEER_SESSION, HelloMessage.encode(buffer, 0, 1, 3, MirrorRole.BACKUP, 0, 0, 0,
            HelloMessage.nameBytes("other", "m"), HelloMessage.nameBytes("b", "m"), nonce, LinkPair.KEY));
        assertEquals(1, counters.rejected(RejectReason.WRONG_MIRROR));

        assertEquals(received, handler.total(), "the handler heard none of them");
        assertEquals(6, counters.get(MirrorLinkCounter.REJECTED));
        final String log = logText.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("link test: rejected a message, the last HELLO"), log);
        assertTrue(log.contains("HELLO from a member of another mirror"), log);
    }

    @Test
    void noInputMakesItThrow()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        deliver(PEER_SESSION, hello(MirrorRole.BACKUP, 1));
        final long before =
            counters.get(MirrorLinkCounter.MESSAGES_RECEIVED) + counters.get(MirrorLinkCounter.REJECTED);
        final int messages = 50_000;
        for (int i = 0; i < messages; i++)
        {
            final int length = random.nextInt(300);
            final byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            buffer.putBytes(0, bytes);
            if (length >= 4 && random.nextBoolean())
            {
                buffer.putShort(MessageFlyweight.TYPE_OFFSET, (short)random.nextInt(10), MessageFlyweight.ORDER);
                buffer.putShort(MessageFlyweight.VERSION_OFFSET, MessageFlyweight.VERSION, MessageFlyweight.ORDER);
            }
            try
            {
                deliver(random.nextBoolean() ? PEER_SESSION : random.nextInt(), length);
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("message " + i + " threw; seed " + seed, ex);
            }
        }
        assertEquals(messages, counters.get(MirrorLinkCounter.MESSAGES_RECEIVED) +
            counters.get(MirrorLinkCounter.REJECTED) - before, "each message accepted or rejected; seed " + seed);
    }

    private int hello(final MirrorRole role, final long incarnation)
    {
        return HelloMessage.encode(buffer, 0, 1, incarnation, role, 0, 0, 0, HelloMessage.nameBytes("MIRRORA", "m"),
            HelloMessage.nameBytes("b", "m"), MirrorKey.nonce(HelloMessage.NONCE_LENGTH), LinkPair.KEY);
    }

    private void deliver(final int sessionId, final int length)
    {
        frame.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, sessionId, MessageFlyweight.ORDER);
        adapter.onFragment(buffer, 0, length, header);
    }
}
