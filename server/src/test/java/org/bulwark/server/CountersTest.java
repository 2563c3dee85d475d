package org.bulwark.server;

import org.agrona.concurrent.status.CountersReader;
import org.bulwark.server.metrics.CounterDescriptor;
import org.bulwark.server.metrics.CountersFile;
import org.bulwark.server.metrics.CountersFileReader;
import org.bulwark.server.metrics.MemberMetrics;
import org.bulwark.store.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The counters file (SPEC V-5) read as another process reads it, through a {@link CountersReader}
 * over its own read-only mapping: counters move with commits, rollbacks, write daemon cycles and
 * lock waits; latency percentiles appear per interval; the file goes away with the member.
 */
class CountersTest
{
    @TempDir
    Path dir;

    private Instance open() throws Exception
    {
        // No daemon thread: the test runs the write daemon's cycles itself.
        return Instance.open(InstanceConfig.load(CliRun.memberConfig(dir, "pool.size = 4m", "journal.fileSize = 1m",
            "metrics.intervalMs = 20")), new InstanceOptions().daemonThread(false));
    }

    private static long value(final CountersFileReader file, final CounterDescriptor descriptor)
    {
        return file.reader().getCounterValue(descriptor.id());
    }

    private static void awaitAtLeast(final CountersFileReader file, final CounterDescriptor descriptor,
        final long minimum)
    {
        Conditions.await(() -> value(file, descriptor) >= minimum,
            () -> descriptor.label() + " is " + value(file, descriptor) + ", expected at least " + minimum);
    }

    @Test
    void countersMoveWithCommitsRollbacksCyclesAndLocks() throws Exception
    {
        try (Instance instance = open();
            CountersFileReader file = CountersFileReader.open(dir.resolve("data")))
        {
            assertNull(file.whyNotRunning());
            assertEquals(ProcessHandle.current().pid(), file.pid());
            assertEquals(20, file.intervalMs());
            final Map<String, Integer> labels = new HashMap<>();
            file.reader().forEach((id, label) -> labels.put(label, id));
            for (final CounterDescriptor descriptor : CounterDescriptor.values())
            {
                assertEquals(descriptor.id(), labels.get(descriptor.label()), descriptor + " in the file");
            }

            final BulwarkSession session = instance.openSession();
            session.set("v", "a", 1);            // a commit of its own
            session.tstart();
            session.set("w", "a", 2);
            awaitAtLeast(file, CounterDescriptor.TRANSACTIONS_OPEN, 1);
            session.tcommit();                   // a second
            session.tstart();
            session.set("x", "a", 3);
            session.trollback();                 // a rollback
            assertEquals(2, value(file, CounterDescriptor.COMMITS), "commits are counted as they return");
            assertEquals(1, value(file, CounterDescriptor.ROLLBACKS));
            Conditions.await(() -> value(file, CounterDescriptor.TRANSACTIONS_OPEN) == 0, () -> "no open transaction");

            awaitAtLeast(file, CounterDescriptor.JOURNAL_RECORDS, 7); // set, TSTART, set, TCOMMIT, TSTART, set, ...
            awaitAtLeast(file, CounterDescriptor.JOURNAL_SYNCS, 1);
            awaitAtLeast(file, CounterDescriptor.JOURNAL_BYTES_WRITTEN, 1);
            awaitAtLeast(file, CounterDescriptor.JOURNAL_DURABLE_POSITION, instance.journal().durablePosition());
            assertEquals(0, value(file, CounterDescriptor.JOURNAL_FROZEN));
            awaitAtLeast(file, CounterDescriptor.POOL_DIRTY_BLOCKS, 1);
            assertTrue(value(file, CounterDescriptor.POOL_FRAMES) > 0);
            awaitAtLeast(file, CounterDescriptor.SESSIONS_OPEN, 1);

            // Latency percentiles of an interval: a commit and a sync were recorded in some interval.
            awaitAtLeast(file, CounterDescriptor.COMMIT_LATENCY_COUNT, 2);
            awaitAtLeast(file, CounterDescriptor.COMMIT_LATENCY_SUM_US, 1);
            awaitAtLeast(file, CounterDescriptor.JOURNAL_SYNC_LATENCY_COUNT, 1);

            final long cyclesBefore = value(file, CounterDescriptor.WIJ_CYCLES);
            assertTrue(instance.daemon().runCycle() > 0, "the cycle wrote blocks");
            awaitAtLeast(file, CounterDescriptor.WIJ_CYCLES, cyclesBefore + 1);
            awaitAtLeast(file, CounterDescriptor.WIJ_BLOCKS_WRITTEN, 1);
            awaitAtLeast(file, CounterDescriptor.WIJ_CYCLE_TIME_COUNT, 1);
            awaitAtLeast(file, CounterDescriptor.WIJ_CHECKPOINT, 1);
            Conditions.await(() -> value(file, CounterDescriptor.POOL_DIRTY_BLOCKS) == 0, () -> "no dirty block");

            final BulwarkSession other = instance.openSession();
            session.lock(1_000, true, "a", 1);
            assertFalse(other.tryLock(1, true, "a", 1), "held by the first session");
            awaitAtLeast(file, CounterDescriptor.LOCK_WAITS, 1);
            awaitAtLeast(file, CounterDescriptor.LOCK_TIMEOUTS, 1);
            session.unlockAll();

            instance.metrics().error(ErrorCode.LOCK_TIMEOUT);
            assertEquals(1, file.reader().getCounterValue(MemberMetrics.errorCounterId(ErrorCode.LOCK_TIMEOUT)));
            assertEquals("errors <LOCK TIMEOUT>",
                file.reader().getCounterLabel(MemberMetrics.errorCounterId(ErrorCode.LOCK_TIMEOUT)));
        }
    }

    @Test
    void aPercentileOfTheLastIntervalIsPublished() throws Exception
    {
        try (Instance instance = open();
            CountersFileReader file = CountersFileReader.open(dir.resolve("data")))
        {
            final BulwarkSession session = instance.openSession();
            // Keep committing until an interval with commits has been published: its p50 and max are
            // then positive (a synchronous commit waits for an fdatasync, far above a microsecond).
            Conditions.await(() ->
            {
                session.set("v", "a", 1);
                return value(file, CounterDescriptor.COMMIT_LATENCY_P50_US) > 0;
            }, () -> "commit p50 " + value(file, CounterDescriptor.COMMIT_LATENCY_P50_US));
            Conditions.await(() ->
            {
                session.set("v", "a", 1);
                final long p50 = value(file, CounterDescriptor.COMMIT_LATENCY_P50_US);
                final long p99 = value(file, CounterDescriptor.COMMIT_LATENCY_P99_US);
                final long max = value(file, CounterDescriptor.COMMIT_LATENCY_MAX_US);
                return p50 > 0 && p50 <= p99 && p99 <= max;
            }, () -> "p50 <= p99 <= max in one interval");
        }
    }

    @Test
    void theHotPathsDoNotAllocate() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (MemberMetrics metrics = MemberMetrics.create(dir.resolve("data"), 20))
        {
            metrics.start(Throwable::printStackTrace); // the agent swaps interval histograms meanwhile
            final int calls = 100_000;
            for (int i = 0; i < calls; i++)
            {
                metrics.committed(i * 1_000L);
                metrics.committedWithoutWait();
                metrics.rolledBack();
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++)
            {
                metrics.committed(i * 1_000L);
                metrics.committedWithoutWait();
                metrics.rolledBack();
            }
            final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - before;
            // One object per call would be megabytes; allow the measurement itself some bytes.
            assertTrue(allocatedBytes < 1024, allocatedBytes + " bytes allocated by " + 3 * calls + " calls");
            assertEquals(2L * 2 * calls, metrics.counter(CounterDescriptor.COMMITS).get());
        }
    }

    @Test
    void aSecondMemberOnTheSameDataDirectoryIsRefused() throws Exception
    {
        final Path data = dir.resolve("data");
        // A live member in another process: this test's parent process stands in for it.
        final long parentPid = ProcessHandle.current().parent().orElseThrow().pid();
        final long parentStartMs = ProcessHandle.current().parent().orElseThrow().info().startInstant()
            .orElseThrow().toEpochMilli();
        try (CountersFile other = CountersFile.create(data, parentStartMs, 1000))
        {
            other.running();
            try (RandomAccessFile raw = new RandomAccessFile(CountersFile.pathIn(data).toFile(), "rw"))
            {
                raw.seek(CountersFile.PID_OFFSET);
                raw.writeLong(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Long.reverseBytes(parentPid) :
                    parentPid);
            }
            final java.io.IOException refused = assertThrows(java.io.IOException.class, this::open);
            assertTrue(refused.getMessage().contains("another member (pid " + parentPid + ") is running on"),
                refused.getMessage());
            assertTrue(Files.exists(CountersFile.pathIn(data)), "the other member's file stays");
        }
    }

    @Test
    void theFileGoesWithTheMember() throws Exception
    {
        final Path data = dir.resolve("data");
        final CountersFileReader file;
        try (Instance instance = open())
        {
            file = CountersFileReader.open(data);
            assertEquals(instance.metrics().path(), CountersFile.pathIn(data));
        }
        try (file)
        {
            assertTrue(file.whyNotRunning().contains("shut down"), file.whyNotRunning());
        }
        assertFalse(Files.exists(CountersFile.pathIn(data)));
        final CountersFileReader.NoMemberException none = assertThrows(CountersFileReader.NoMemberException.class,
            () -> CountersFileReader.open(data));
        assertTrue(none.getMessage().contains("no member is running on") &&
            none.getMessage().contains(CountersFile.FILE_NAME), none.getMessage());
    }

    @Test
    void aFileLeftByADeadMemberIsRecognised() throws Exception
    {
        final Path data = dir.resolve("data");
        try (CountersFile left = CountersFile.create(data, System.currentTimeMillis(), 1000))
        {
            left.running();
            // As if a member with a pid that cannot exist (above Linux's pid_max) had been killed.
            try (RandomAccessFile raw = new RandomAccessFile(CountersFile.pathIn(data).toFile(), "rw"))
            {
                raw.seek(CountersFile.PID_OFFSET);
                raw.writeLong(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ?
                    Long.reverseBytes(Integer.MAX_VALUE) : Integer.MAX_VALUE);
            }
            final CountersFileReader.NoMemberException gone = assertThrows(
                CountersFileReader.NoMemberException.class, () -> CountersFileReader.open(data));
            assertTrue(gone.getMessage().contains("no longer running"), gone.getMessage());
        }
        // The next member replaces it.
        try (Instance instance = open();
            CountersFileReader file = CountersFileReader.open(data))
        {
            assertNull(file.whyNotRunning());
            assertEquals(instance.metrics().path(), file.path());
        }
    }
}
