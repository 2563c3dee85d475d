package org.bulwark.replication.transport;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.replication.auth.MirrorKey;
import org.bulwark.replication.protocol.MirrorRole;
import org.bulwark.replication.protocol.RefuseMessage;
import org.bulwark.replication.protocol.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Two links over UDP on loopback, each with its own driver: authentication, journal shipping, the control
 * messages, ACKs from several threads, a peer that goes away and one that comes back. Waits are on
 * conditions with deadlines; no timing is asserted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorLinkTest
{
    @Test
    void helloAuthenticatesEachSideAndCarriesItsFields() throws Exception
    {
        try (LinkPair pair = new LinkPair())
        {
            assertFalse(pair.a.peerAuthenticated());
            pair.pollUntil(() -> pair.a.sendHello(7, MirrorRole.PRIMARY, 4096, 1024, 0x5) &&
                pair.b.sendHello(6, MirrorRole.BACKUP, 2048, 512, 0x3) || pair.b.peerAuthenticated(),
                "both HELLOs are sent");
            pair.pollUntil(() -> pair.a.peerAuthenticated() && pair.b.peerAuthenticated(), "both HELLOs arrive");

            assertEquals(List.of(new RecordingHandler.Hello(7, "a", MirrorLinkSettings.PROCESS_INCARNATION,
                MirrorRole.PRIMARY, 4096, 1024, 0x5)), pair.heardByB.hellos);
            assertEquals(List.of(new RecordingHandler.Hello(6, "b", 0x0B0B, MirrorRole.BACKUP, 2048, 512, 0x3)),
                pair.heardByA.hellos);
            assertEquals("b", pair.a.peerMemberName());
            assertEquals(0x0B0B, pair.a.peerIncarnation());
            assertEquals(0, pair.a.counters().get(MirrorLinkCounter.REJECTED));
            assertTrue(pair.logText().contains("peer b authenticated"), pair.logText());
        }
    }

    @Test
    void aHelloMadeWithAnotherKeyIsRejectedCountedAndLogged() throws Exception
    {
        final MirrorKey otherKey = MirrorKey.of("another key, same length!!".getBytes(StandardCharsets.US_ASCII));
        try (LinkPair pair = new LinkPair(MirrorIdleStrategies.BACKOFF, otherKey, LinkPair.MIRROR))
        {
            pair.pollUntil(() ->
            {
                pair.b.sendHello(1, MirrorRole.BACKUP, 0, 0, 0);
                return pair.a.counters().rejected(RejectReason.BAD_MAC) >= 3;
            }, "a rejected b's HELLOs");
            pair.pollUntil(() ->
            {
                pair.b.sendStatus(1, MirrorRole.BACKUP, 0, 0, 0, 0);
                return pair.a.counters().rejected(RejectReason.UNAUTHENTICATED) >= 3;
            }, "a dropped b's STATUS messages");

            assertFalse(pair.a.peerAuthenticated());
            assertEquals(0, pair.heardByA.total(), "a's handler heard nothing");
            assertEquals(0, pair.a.counters().get(MirrorLinkCounter.MESSAGES_RECEIVED));
            assertTrue(pair.a.counters().get(MirrorLinkCounter.REJECTED) >= 6);
            assertTrue(pair.logText().contains("HELLO whose MAC does not verify"), pair.logText());
            assertTrue(pair.logText().contains("has not said a valid HELLO"), pair.logText());
        }
    }

    @Test
    void aHelloOfAnotherMirrorIsRejected() throws Exception
    {
        try (LinkPair pair = new LinkPair(MirrorIdleStrategies.BACKOFF, LinkPair.KEY, "OTHERMIRROR"))
        {
            pair.pollUntil(() ->
            {
                pair.b.sendHello(1, MirrorRole.BACKUP, 0, 0, 0);
                pair.a.sendHello(1, MirrorRole.PRIMARY, 0, 0, 0);
                return pair.a.counters().rejected(RejectReason.WRONG_MIRROR) >= 1 &&
                    pair.b.counters().rejected(RejectReason.WRONG_MIRROR) >= 1;
            }, "each side rejected the other's HELLO");
            assertFalse(pair.a.peerAuthenticated());
            assertFalse(pair.b.peerAuthenticated());
            assertEquals(0, pair.heardByA.total() + pair.heardByB.total());
        }
    }

    @Test
    void journalChunksFrom100BytesTo256KiBArriveIntactAndInOrder() throws Exception
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final List<Integer> sizes = new ArrayList<>(List.of(100, 1_000, 1_376, 1_377, 4_096, 65_536, 100_000,
            256 * 1024));
        for (int i = 0; i < 40; i++)
        {
            sizes.add(100 + random.nextInt(256 * 1024 - 100));
        }
        try (LinkPair pair = new LinkPair())
        {
            pair.handshake();
            final List<RecordingHandler.Journal> sent = new ArrayList<>();
            long position = 1_000_000;
            for (final int size : sizes)
            {
                final byte[] bytes = new byte[size];
                random.nextBytes(bytes);
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[size + 64]);
                buffer.putBytes(17, bytes); // the bytes start mid-buffer, as a journal region would
                final long at = position;
                pair.pollUntil(() -> pair.a.sendJournal(3, at, buffer, 17, size), "a sends " + size + " bytes");
                sent.add(new RecordingHandler.Journal(3, at, bytes));
                position += size;
            }
            pair.pollUntil(() -> pair.heardByB.journals.size() == sizes.size(), "b received every chunk");

            for (int i = 0; i < sent.size(); i++)
            {
                final RecordingHandler.Journal expected = sent.get(i);
                final RecordingHandler.Journal actual = pair.heardByB.journals.get(i);
                assertEquals(expected.position(), actual.position(), "position of chunk " + i + ", seed " + seed);
                assertEquals(3, actual.term());
                assertArrayEquals(expected.bytes(), actual.bytes(), "bytes of chunk " + i + ", seed " + seed);
            }
            final long journalBytes = sizes.stream().mapToLong(Integer::longValue).sum();
            assertEquals(journalBytes, pair.a.counters().get(MirrorLinkCounter.JOURNAL_BYTES_SENT));
            assertEquals(journalBytes, pair.b.counters().get(MirrorLinkCounter.JOURNAL_BYTES_RECEIVED));
            assertEquals(0, pair.b.counters().get(MirrorLinkCounter.REJECTED));
        }
    }

    @Test
    void aJournalChunkTooLargeForOneMessageIsACallerError() throws Exception
    {
        try (LinkPair pair = new LinkPair())
        {
            final int tooMany = pair.a.maxJournalBytes() + 1;
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[tooMany]);
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> pair.a.sendJournal(1, 0, buffer, 0, tooMany));
            assertTrue(ex.getMessage().contains("not " + tooMany), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pair.a.sendJournal(1, 0, buffer, 0, 0));
        }
    }

    @Test
    void controlMessagesMakeTheRoundTrip() throws Exception
    {
        try (LinkPair pair = new LinkPair())
        {
            pair.handshake();
            final String text = "needs rebuild: holds journal past 0x1F00 — térm 4";
            pair.pollUntil(() -> pair.a.sendStatus(4, MirrorRole.PRIMARY, 10, 9, 0x10, 1_700_000_000_000L),
                "a sends STATUS");
            pair.pollUntil(() -> pair.b.sendStatus(4, MirrorRole.BACKUP, 8, 7, 0x20, 1_700_000_000_001L),
                "b sends STATUS");
            pair.pollUntil(() -> pair.b.sendAck(4, 30, 20, 10), "b sends ACK");
            pair.pollUntil(() -> pair.b.sendCatchup(4, 4096), "b sends CATCHUP");
            pair.pollUntil(() -> pair.a.sendTakeover(4, 8192), "a sends TAKEOVER");
            pair.pollUntil(() -> pair.b.sendNotActive(5), "b sends NOT_ACTIVE");
            pair.pollUntil(() -> pair.b.sendRefuse(5, RefuseMessage.REASON_NEEDS_REBUILD, text), "b sends REFUSE");
            pair.pollUntil(() -> pair.heardByA.refuses.size() == 1 && pair.heardByB.takeovers.size() == 1,
                "everything arrived");

            assertEquals(List.of(new RecordingHandler.Status(4, MirrorRole.PRIMARY, 10, 9, 0x10, 1_700_000_000_000L)),
                pair.heardByB.statuses);
            assertEquals(List.of(new RecordingHandler.Status(4, MirrorRole.BACKUP, 8, 7, 0x20, 1_700_000_000_001L)),
                pair.heardByA.statuses);
            assertEquals(List.of(new RecordingHandler.Ack(4, 30, 20, 10)), pair.heardByA.acks);
            assertEquals(List.of(new RecordingHandler.Position(4, 4096)), pair.heardByA.catchups);
            assertEquals(List.of(new RecordingHandler.Position(4, 8192)), pair.heardByB.takeovers);
            assertEquals(List.of(5L), pair.heardByA.notActives);
            assertEquals(List.of(new RecordingHandler.Refuse(5, RefuseMessage.REASON_NEEDS_REBUILD, text)),
                pair.heardByA.refuses);
            assertEquals(0, pair.a.counters().get(MirrorLinkCounter.REJECTED));
            assertEquals(0, pair.b.counters().get(MirrorLinkCounter.REJECTED));
        }
    }

    @Test
    void aHandlerThatThrowsIsLoggedAndTheLinkGoesOn() throws Exception
    {
        try (LinkPair pair = new LinkPair())
        {
            pair.handshake();
            pair.b.close();
            final RecordingHandler throwing = new RecordingHandler()
            {
                @Override
                public void onCatchup(final long term, final long fromPosition)
                {
                    throw new IllegalStateException("handler bug at " + fromPosition);
                }
            };
            pair.openB(LinkPair.KEY, LinkPair.MIRROR, 0x0B0D, throwing);
            pair.handshake();
            pair.pollUntil(() -> pair.a.sendCatchup(1, 4096), "a sends CATCHUP");
            pair.pollUntil(() -> pair.logText().contains("handler bug at 4096"), "the exception is logged");
            pair.pollUntil(() -> pair.a.sendTakeover(1, 8192), "a sends TAKEOVER");
            pair.pollUntil(() -> throwing.takeovers.size() == 1, "b goes on with the next message");
        }
    }

    @Test
    void acksMaySendFromSeveralThreadsAtOnce() throws Exception
    {
        final int threads = 3;
        final int acksPerThread = 2_000;
        try (LinkPair pair = new LinkPair())
        {
            pair.handshake();
            final long sentBefore = pair.b.counters().get(MirrorLinkCounter.MESSAGES_SENT);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final long thread = t;
                final Thread sender = new Thread(() ->
                {
                    final long deadlineNs = System.nanoTime() + LinkPair.DEADLINE_NS;
                    for (long i = 1; i <= acksPerThread; i++)
                    {
                        // the thread in the term, the sequence in the positions
                        while (!pair.b.sendAck(thread, i, i, i))
                        {
                            if (System.nanoTime() - deadlineNs > 0)
                            {
                                failure.set(new AssertionError("thread " + thread + " could not send ACK " + i));
                                return;
                            }
                            Thread.yield();
                        }
                    }
                }, "ack-sender-" + t);
                senders.add(sender);
                sender.start();
            }
            pair.pollUntil(() -> pair.heardByA.acks.size() == threads * acksPerThread || null != failure.get(),
                "every ACK arrived");
            for (final Thread sender : senders)
            {
                sender.join();
            }
            assertNull(failure.get());
            final long[] last = new long[threads];
            for (final RecordingHandler.Ack ack : pair.heardByA.acks)
            {
                final int thread = (int)ack.term();
                assertEquals(last[thread] + 1, ack.receivedPosition(), "each thread's ACKs in its order");
                assertEquals(ack.receivedPosition(), ack.durablePosition());
                last[thread] = ack.receivedPosition();
            }
            assertEquals(threads * acksPerThread, pair.b.counters().get(MirrorLinkCounter.MESSAGES_SENT) - sentBefore,
                "every ACK counted");
        }
    }

    @Test
    void whenThePeerGoesAwayLastHeardStopsAndTheConnectionDrops() throws Exception
    {
        try (LinkPair pair = new LinkPair())
        {
            pair.handshake();
            final long before = pair.a.lastHeardNs();
            pair.pollUntil(() -> pair.b.sendStatus(1, MirrorRole.BACKUP, 0, 0, 0, 0) &&
                pair.a.lastHeardNs() > before || pair.a.lastHeardNs() > before, "a hears b's STATUS");
            pair.pollUntil(pair.a::peerConnected, "a sees b connected");
            pair.pollUntil(() -> pair.a.counters().get(MirrorLinkCounter.MESSAGES_RECEIVED) ==
                pair.b.counters().get(MirrorLinkCounter.MESSAGES_SENT), "a heard everything b sent");

            pair.b.close();
            pair.b = null;
            final long lastHeardNs = pair.a.lastHeardNs();
            pair.pollUntil(() -> !pair.a.peerConnected(), "a sees b gone");
            assertEquals(lastHeardNs, pair.a.lastHeardNs(), "nothing heard from a closed peer");
            // the closing publication's end of stream took the image away at once; sends fail once the
            // publication's connection times out (MirrorDriver.PUBLICATION_CONNECTION_TIMEOUT_NS)
            pair.pollUntil(() -> !pair.a.sendStatus(1, MirrorRole.PRIMARY, 0, 0, 0, 0), "a has nobody to send to");
            assertEquals(lastHeardNs, pair.a.lastHeardNs());
        }
    }

    @Test
    void aPeerThatFallsSilentIsSeenGoneWithinAeronsTimeouts() throws Exception
    {
        final AtomicBoolean partitioned = new AtomicBoolean();
        try (LinkPair pair = new LinkPair(MirrorIdleStrategies.BACKOFF, LinkPair.KEY, LinkPair.MIRROR,
            LinkPair.partitionable(partitioned)))
        {
            pair.handshake();
            pair.pollUntil(() -> pair.a.peerConnected() && pair.b.peerConnected(), "both see the link up");
            pair.pollUntil(() -> pair.a.counters().get(MirrorLinkCounter.MESSAGES_RECEIVED) ==
                pair.b.counters().get(MirrorLinkCounter.MESSAGES_SENT), "a heard everything b sent");
            final long lastHeardNs = pair.a.lastHeardNs();

            partitioned.set(true);
            final long startNs = System.nanoTime();
            pair.pollUntil(() ->
            {
                pair.b.sendStatus(1, MirrorRole.BACKUP, 0, 0, 0, 0); // lost on the way
                return !pair.a.peerConnected();
            }, "a sees the silent b gone");
            System.out.printf("a saw the silent peer gone after %d ms (image liveness %d ms, connection %d ms)%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs),
                TimeUnit.NANOSECONDS.toMillis(MirrorDriver.IMAGE_LIVENESS_TIMEOUT_NS),
                TimeUnit.NANOSECONDS.toMillis(MirrorDriver.PUBLICATION_CONNECTION_TIMEOUT_NS));
            assertEquals(lastHeardNs, pair.a.lastHeardNs(), "nothing heard from a silent peer");
            pair.pollUntil(() -> !pair.b.peerConnected(), "b sees a gone too");
        }
    }

    @Test
    void aReopenedPeerIsAcceptedOnlyAfterItsHello() throws Exception
    {
        try (LinkPair pair = new LinkPair())
        {
            pair.handshake();
            final int hellosBefore = pair.heardByA.hellos.size();
            pair.b.close();
            final MirrorLink reopened = pair.openB(LinkPair.KEY, LinkPair.MIRROR, 0x0B0C);
            pair.pollUntil(() ->
            {
                reopened.sendStatus(2, MirrorRole.BACKUP, 0, 0, 0, 0);
                return pair.a.counters().rejected(RejectReason.UNAUTHENTICATED) >= 1;
            }, "a drops the new session's STATUS before its HELLO");
            assertTrue(pair.heardByA.statuses.isEmpty());

            pair.pollUntil(() -> reopened.sendHello(2, MirrorRole.BACKUP, 0, 0, 0), "the reopened b says HELLO");
            pair.pollUntil(() -> pair.a.peerIncarnation() == 0x0B0C, "a accepts the new incarnation");
            pair.pollUntil(() -> reopened.sendStatus(2, MirrorRole.BACKUP, 0, 0, 0, 0), "b sends STATUS");
            pair.pollUntil(() -> pair.heardByA.statuses.size() == 1, "a hears the reopened b");
            assertEquals(hellosBefore + 1, pair.heardByA.hellos.size());
            assertEquals(0x0B0C, pair.heardByA.hellos.get(hellosBefore).incarnation());
        }
    }
}
