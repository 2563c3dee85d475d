package org.bulwark.replication;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class MemberStateFileTest
{
    @TempDir
    Path dir;

    @Test
    void whatTheMemberPublishesIsWhatAReaderSees() throws Exception
    {
        assertNull(MemberStateFile.read(dir), "no file yet");
        try (MemberStateFile file = MemberStateFile.open(dir, "MIRROR1", "node-a", false))
        {
            final MemberStateFile.Snapshot initial = MemberStateFile.read(dir);
            assertEquals(MemberStateFile.Role.NONE, initial.role());
            assertEquals(ProcessHandle.current().pid(), initial.pid());
            assertEquals(MemberStateFile.processStartMs(ProcessHandle.current()), initial.processStartMs());

            file.publish(MemberStateFile.Role.PRIMARY, 7, 123_456);
            file.heartbeat(1_795_000_000_000L);
            file.validatedMember(true);
            final MemberStateFile.Snapshot snapshot = MemberStateFile.read(dir);
            assertEquals(new MemberStateFile.Snapshot(ProcessHandle.current().pid(),
                MemberStateFile.processStartMs(ProcessHandle.current()), "MIRROR1", "node-a",
                MemberStateFile.Role.PRIMARY, 7, 123_456, 1_795_000_000_000L, true), snapshot);
        }
        assertEquals(MemberStateFile.Role.PRIMARY, MemberStateFile.read(dir).role(), "the last state outlives close");
        try (MemberStateFile again = MemberStateFile.open(dir, "MIRROR1", "node-a", true))
        {
            assertEquals(MemberStateFile.Role.NONE, MemberStateFile.read(dir).role(), "a restart starts over");
            again.publish(MemberStateFile.Role.BACKUP, 8, 9);
            assertEquals(MemberStateFile.Role.BACKUP, MemberStateFile.read(dir).role());
        }
    }

    @Test
    void aReaderNeverSeesATornUpdateWhileTheWriterHammers() throws Exception
    {
        final MemberStateFile.Role[] roles = MemberStateFile.Role.values();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        try (MemberStateFile file = MemberStateFile.open(dir, "M", "a", false))
        {
            file.publish(roles[0], 0, 0);
            final Thread writer = new Thread(() ->
            {
                try
                {
                    // Bounded: the reader stops it, or it gives up after this many updates.
                    for (long term = 1; term < 50_000_000 && !stop.get(); term++)
                    {
                        file.publish(roles[(int)(term % roles.length)], term, term * 3);
                        if ((term & 1023) == 0)
                        {
                            Thread.yield(); // two cores shared: let the reader run too
                        }
                    }
                }
                catch (final Throwable t)
                {
                    writerFailure.set(t);
                }
            }, "state-writer");
            writer.start();
            final Set<Long> seen = new HashSet<>();
            long lastTerm = -1;
            final Path path = dir.resolve(MemberStateFile.FILE_NAME);
            final MappedByteBuffer mapped;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
            {
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, MemberStateFile.FILE_LENGTH);
            }
            final UnsafeBuffer view = new UnsafeBuffer(mapped);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            try
            {
                // Bounded by a count and a time: a reader that keeps one mapping reads fast enough to
                // overlap the writer's updates many times.
                for (int reads = 0; reads < 3_000_000; reads++)
                {
                    if ((reads & 1023) == 0 && System.nanoTime() > deadlineNs)
                    {
                        break;
                    }
                    final MemberStateFile.Snapshot s = MemberStateFile.read(path, view);
                    if (s.journalEndPosition() != s.term() * 3 || s.role() != roles[(int)(s.term() % roles.length)])
                    {
                        fail("torn read " + reads + ": " + s);
                    }
                    assertTrue(s.term() >= lastTerm, "terms go forward: " + s.term() + " after " + lastTerm);
                    lastTerm = s.term();
                    if (seen.size() < 1000)
                    {
                        seen.add(s.term());
                    }
                }
                assertTrue(MemberStateFile.read(dir).term() >= lastTerm, "and through a mapping of its own");
            }
            finally
            {
                stop.set(true);
                writer.join(10_000);
                IoUtil.unmap(mapped);
            }
            assertNull(writerFailure.get());
            assertTrue(seen.size() > 10, "the reader saw the writer's updates: " + seen.size() + " distinct terms");
        }
    }

    @Test
    void aReaderRetriesASlotThatChangedUnderItsCopyAndNeverTakesAHalfWrittenOne() throws Exception
    {
        final Path path = dir.resolve(MemberStateFile.FILE_NAME);
        try (MemberStateFile file = MemberStateFile.open(dir, "M", "a", false))
        {
            file.publish(MemberStateFile.Role.BACKUP, 1, 3);
            final MappedByteBuffer mapped;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, MemberStateFile.FILE_LENGTH);
            }
            final UnsafeBuffer raw = new UnsafeBuffer(mapped);
            final int current = MemberStateFile.SLOTS_OFFSET +
                raw.getInt(MemberStateFile.CURRENT_OFFSET) * MemberStateFile.SLOT_LENGTH;
            final AtomicInteger copies = new AtomicInteger();
            try
            {
                // A writer lands in the slot while it is copied: the copy holds half an update (term 2,
                // journal end still 3); the writer finishes (journal end 6) before the next attempt.
                MemberStateFile.afterCounterReadHook = () ->
                {
                    if (copies.incrementAndGet() == 1)
                    {
                        raw.putLong(current + MemberStateFile.COUNTER_OFFSET, raw.getLong(current) + 1);
                        raw.putLong(current + MemberStateFile.TERM_OFFSET, 2);
                    }
                    else if (copies.get() == 2)
                    {
                        raw.putLong(current + MemberStateFile.JOURNAL_END_OFFSET, 6);
                        raw.putInt(current + MemberStateFile.CRC_OFFSET, MemberStateFile.crc(raw, current));
                        raw.putLong(current + MemberStateFile.COUNTER_OFFSET, raw.getLong(current) + 1);
                    }
                };
                final MemberStateFile.Snapshot first = MemberStateFile.read(dir);
                assertEquals(2, first.term(), "the torn copy was thrown away: " + first);
                assertEquals(6, first.journalEndPosition());
                assertEquals(3, copies.get(), "torn copy, odd counter, whole copy");

                // A slot that stays odd (a writer that never finishes) is an error, not a torn answer.
                MemberStateFile.afterCounterReadHook = null;
                raw.putLong(current + MemberStateFile.COUNTER_OFFSET, raw.getLong(current) + 1);
                final IOException ex = assertThrows(IOException.class, () -> MemberStateFile.read(dir));
                assertTrue(ex.getMessage().contains("kept changing"), ex.getMessage());
            }
            finally
            {
                MemberStateFile.afterCounterReadHook = null;
                IoUtil.unmap(mapped);
            }
        }
    }

    @Test
    void aWriterKilledMidUpdateLeavesTheLastCompleteState() throws Exception
    {
        try (MemberStateFile file = MemberStateFile.open(dir, "M", "a", false))
        {
            file.publish(MemberStateFile.Role.BACKUP, 4, 400);
        }
        // What a kill between the counter's two stores leaves behind: the slot being written is
        // odd and half-filled; the current one is complete.
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(dir.resolve(MemberStateFile.FILE_NAME), StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, MemberStateFile.FILE_LENGTH);
        }
        try
        {
            final UnsafeBuffer raw = new UnsafeBuffer(mapped);
            final int other = MemberStateFile.SLOTS_OFFSET +
                (1 - raw.getInt(MemberStateFile.CURRENT_OFFSET)) * MemberStateFile.SLOT_LENGTH;
            raw.putLong(other + MemberStateFile.COUNTER_OFFSET, raw.getLong(other) + 1);
            raw.putLong(other + MemberStateFile.TERM_OFFSET, 5);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        final MemberStateFile.Snapshot snapshot = MemberStateFile.read(dir);
        assertEquals(4, snapshot.term());
        assertEquals(400, snapshot.journalEndPosition());

        try (MemberStateFile restarted = MemberStateFile.open(dir, "M", "a", false))
        {
            restarted.publish(MemberStateFile.Role.PRIMARY, 6, 600);
            restarted.publish(MemberStateFile.Role.PRIMARY, 7, 700);
            assertEquals(7, MemberStateFile.read(dir).term(), "the odd slot is written again after a restart");
        }
    }

    @Test
    void aFileThatIsNotAStateFileOrIsDamagedIsAnErrorNamingIt() throws Exception
    {
        final Path path = dir.resolve(MemberStateFile.FILE_NAME);
        Files.write(path, new byte[MemberStateFile.FILE_LENGTH]);
        assertNull(MemberStateFile.read(dir), "all zeros: being created");

        final byte[] foreign = new byte[MemberStateFile.FILE_LENGTH];
        foreign[0] = 'X';
        Files.write(path, foreign);
        final IOException notOurs = assertThrows(IOException.class, () -> MemberStateFile.read(dir));
        assertTrue(notOurs.getMessage().contains(path.toString()) && notOurs.getMessage().contains("magic"),
            notOurs.getMessage());

        try (MemberStateFile file = MemberStateFile.open(dir, "M", "a", false))
        {
            file.publish(MemberStateFile.Role.PRIMARY, 1, 2);
        }
        final byte[] bytes = Files.readAllBytes(path);
        final int current = bytes[MemberStateFile.CURRENT_OFFSET];
        bytes[MemberStateFile.SLOTS_OFFSET + current * MemberStateFile.SLOT_LENGTH + MemberStateFile.TERM_OFFSET] ^= 1;
        Files.write(path, bytes);
        final IOException damaged = assertThrows(IOException.class, () -> MemberStateFile.read(dir));
        assertTrue(damaged.getMessage().contains("checksum"), damaged.getMessage());
    }

    @Test
    void namesLongerThanTheLayoutHoldsAreRefused()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> MemberStateFile.open(dir, "M", "n".repeat(MemberStateFile.MAX_NAME_BYTES + 1), false));
        assertTrue(ex.getMessage().contains("member name"), ex.getMessage());
    }
}
