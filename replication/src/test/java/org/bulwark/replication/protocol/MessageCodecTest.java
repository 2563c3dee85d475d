package org.bulwark.replication.protocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.replication.auth.MirrorKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each message written with its {@code encode} reads back field for field through its flyweight, at an
 * offset inside a larger buffer, and its {@code check} tells a well-formed message from a damaged one.
 */
class MessageCodecTest
{
    private static final MirrorKey KEY = MirrorKey.of("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final int AT = 13;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);

    @Test
    void helloRoundTripsAndItsMacCoversEveryByteBeforeIt()
    {
        final byte[] nonce = MirrorKey.nonce(HelloMessage.NONCE_LENGTH);
        final int length = HelloMessage.encode(buffer, AT, 9, 0x1234_5678_9ABC_DEF0L, MirrorRole.PRIMARY, 4096, 1024,
            0x7, HelloMessage.nameBytes("Mirror1", "mirror"), HelloMessage.nameBytes("mémber-a", "member"), nonce, KEY);
        assertEquals(HelloMessage.MIN_LENGTH + 7 + "mémber-a".getBytes(StandardCharsets.UTF_8).length, length);

        final HelloMessage hello = new HelloMessage();
        hello.wrap(buffer, AT, length);
        assertNull(hello.check());
        assertEquals(MessageType.HELLO.code(), MessageFlyweight.type(buffer, AT));
        assertEquals(MessageFlyweight.VERSION, MessageFlyweight.version(buffer, AT));
        assertEquals(9, hello.term());
        assertEquals(0x1234_5678_9ABC_DEF0L, hello.incarnation());
        assertEquals(MirrorRole.PRIMARY, hello.role());
        assertEquals(4096, hello.journalEnd());
        assertEquals(1024, hello.termStart());
        assertEquals(0x7, hello.flags());
        assertEquals("Mirror1", hello.mirrorName());
        assertEquals("mémber-a", hello.memberName());
        assertTrue(hello.macVerifies(KEY));
        assertFalse(hello.macVerifies(MirrorKey.of("fedcba9876543210".getBytes(StandardCharsets.US_ASCII))));

        final int macOffset = length - MirrorKey.MAC_LENGTH;
        for (final int field : new int[] {MessageFlyweight.TERM_OFFSET, HelloMessage.FLAGS_OFFSET,
            HelloMessage.NONCE_OFFSET, macOffset - 1, macOffset})
        {
            buffer.putByte(AT + field, (byte)(buffer.getByte(AT + field) ^ 1));
            assertFalse(hello.macVerifies(KEY), "a changed byte at " + field + " must break the MAC");
            buffer.putByte(AT + field, (byte)(buffer.getByte(AT + field) ^ 1));
        }
        assertTrue(hello.macVerifies(KEY));

        assertEquals(RejectReason.BAD_LENGTH, hello.wrap(buffer, AT, length - 1).check());
        assertEquals(RejectReason.BAD_LENGTH, hello.wrap(buffer, AT, length + 1).check());
        assertEquals(RejectReason.BAD_LENGTH, hello.wrap(buffer, AT, HelloMessage.MIN_LENGTH - 1).check());
        buffer.putByte(AT + HelloMessage.ROLE_OFFSET, (byte)3);
        assertEquals(RejectReason.BAD_FIELD, hello.wrap(buffer, AT, length).check());
    }

    @Test
    void namesMustFitAHello()
    {
        assertThrows(IllegalArgumentException.class, () -> HelloMessage.nameBytes("", "mirror name"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> HelloMessage.nameBytes("x".repeat(256), "member name"));
        assertTrue(ex.getMessage().startsWith("member name 'xxx"), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("must have 1 to 255 bytes in UTF-8, not 256"), ex.getMessage());
    }

    @Test
    void statusRoundTripsAndRejectsAnUnknownRole()
    {
        final int length = StatusMessage.encode(buffer, AT, 3, MirrorRole.BACKUP, 100, 90, 0x11, 1_700_000_000_000L);
        final StatusMessage status = new StatusMessage();
        status.wrap(buffer, AT, length);
        assertNull(status.check());
        assertEquals(3, status.term());
        assertEquals(MirrorRole.BACKUP, status.role());
        assertEquals(100, status.journalEnd());
        assertEquals(90, status.durablePosition());
        assertEquals(0x11, status.flags());
        assertEquals(1_700_000_000_000L, status.sendTimeMs());
        assertEquals(RejectReason.BAD_LENGTH, status.wrap(buffer, AT, length - 1).check());
        buffer.putByte(AT + StatusMessage.ROLE_OFFSET, (byte)-1);
        assertEquals(RejectReason.BAD_FIELD, status.wrap(buffer, AT, length).check());
    }

    @Test
    void journalHeaderDescribesTheBytesAfterIt()
    {
        final int header = JournalMessage.encodeHeader(buffer, AT, 4, 1L << 40, 300);
        buffer.setMemory(AT + header, 300, (byte)0x5A);
        final JournalMessage journal = new JournalMessage();
        journal.wrap(buffer, AT, header + 300);
        assertNull(journal.check());
        assertEquals(4, journal.term());
        assertEquals(1L << 40, journal.position());
        assertEquals(300, journal.dataLength());
        assertEquals(AT + JournalMessage.DATA_OFFSET, journal.dataOffset());
        assertEquals(RejectReason.BAD_LENGTH, journal.wrap(buffer, AT, header + 299).check());
        assertEquals(RejectReason.BAD_LENGTH, journal.wrap(buffer, AT, header).check());
        JournalMessage.encodeHeader(buffer, AT, 4, -1, 300);
        assertEquals(RejectReason.BAD_FIELD, journal.wrap(buffer, AT, header + 300).check());
    }

    @Test
    void ackPositionNotActiveAndRefuseRoundTrip()
    {
        final AckMessage ack = new AckMessage();
        ack.wrap(buffer, AT, AckMessage.encode(buffer, AT, 5, 30, 20, 10));
        assertNull(ack.check());
        assertEquals(5, ack.term());
        assertEquals(30, ack.receivedPosition());
        assertEquals(20, ack.writtenPosition());
        assertEquals(10, ack.durablePosition());
        assertEquals(RejectReason.BAD_LENGTH, ack.wrap(buffer, AT, AckMessage.LENGTH + 1).check());

        final PositionMessage position = new PositionMessage();
        position.wrap(buffer, AT, PositionMessage.encode(buffer, AT, MessageType.TAKEOVER, 6, 8192));
        assertNull(position.check());
        assertEquals(MessageType.TAKEOVER.code(), MessageFlyweight.type(buffer, AT));
        assertEquals(6, position.term());
        assertEquals(8192, position.position());

        final NotActiveMessage notActive = new NotActiveMessage();
        notActive.wrap(buffer, AT, NotActiveMessage.encode(buffer, AT, 7));
        assertNull(notActive.check());
        assertEquals(7, notActive.term());
        assertEquals(RejectReason.BAD_LENGTH, notActive.wrap(buffer, AT, NotActiveMessage.LENGTH + 8).check());

        final RefuseMessage refuse = new RefuseMessage();
        final int length = RefuseMessage.encode(buffer, AT, 8, RefuseMessage.REASON_STALE_TERM, "term 8 < 9 — stale");
        refuse.wrap(buffer, AT, length);
        assertNull(refuse.check());
        assertEquals(RefuseMessage.REASON_STALE_TERM, refuse.reasonCode());
        assertEquals("term 8 < 9 — stale", refuse.text());
        assertEquals(RejectReason.BAD_LENGTH, refuse.wrap(buffer, AT, length - 1).check());
    }

    @Test
    void aLongRefusalIsCutToFit()
    {
        final RefuseMessage refuse = new RefuseMessage();
        final int length = RefuseMessage.encode(buffer, AT, 1, RefuseMessage.REASON_OTHER, "é".repeat(800));
        refuse.wrap(buffer, AT, length);
        assertNull(refuse.check());
        assertEquals("é".repeat(RefuseMessage.MAX_TEXT_BYTES / 2), refuse.text());
    }

    @Test
    void typesAndRolesByCode()
    {
        for (final MessageType type : MessageType.values())
        {
            assertSame(type, MessageType.of(type.code()));
        }
        assertNull(MessageType.of(0));
        assertNull(MessageType.of(9));
        assertNull(MessageType.of(-1));
        assertSame(MirrorRole.BACKUP, MirrorRole.of(2));
        assertNull(MirrorRole.of(3));
    }
}
