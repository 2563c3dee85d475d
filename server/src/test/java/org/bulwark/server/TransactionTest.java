package org.bulwark.server;

import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Journal, transactions and locks through the member API (SPEC J-4, J-5, T-1, T-2): commits
 * survive a crash without any write daemon cycle, open transactions roll back at restart,
 * rollbacks and nested levels undo exactly, locks conflict along the tree and time out.
 */
class TransactionTest
{
    @TempDir
    Path dir;

    private Path config() throws Exception
    {
        return CliRun.memberConfig(dir, "databases = MAIN, SECOND", "database.MAIN.blockSize = 4k", "map.b* = SECOND",
            "pool.size = 4m", "journal.fileSize = 1m", "writeDaemon.intervalMs = 3600000",
            "writeDaemon.dirtyThresholdPercent = 90");
    }

    private Instance open() throws Exception
    {
        return Instance.open(InstanceConfig.load(config()), new InstanceOptions());
    }

    private Instance openWithoutCycles() throws Exception
    {
        return Instance.open(InstanceConfig.load(config()), new InstanceOptions().daemonThread(false));
    }

    @Test
    void committedUpdatesSurviveACrashWithoutAnyCycle() throws Exception
    {
        final Instance instance = openWithoutCycles();
        final BulwarkSession s = instance.openSession();
        for (int i = 0; i < 300; i++)
        {
            s.set("v" + i, "a", i);
            s.set(new byte[3000 + i], "b", i); // big values, other database
        }
        s.kill("a", 7);
        s.tstart();
        s.set("in", "a", "tx");
        s.incrementBy(5, "a", "counter");
        s.tcommit();
        assertEquals(0, instance.daemon().cycles(), "nothing reached the block files");
        instance.abandon();

        try (Instance again = open())
        {
            final BulwarkSession r = again.session();
            assertEquals("v299", r.getString("a", 299));
            assertEquals(3299, r.get("b", 299).length);
            assertEquals(0, r.data("a", 7));
            assertEquals("in", r.getString("a", "tx"));
            assertEquals("5", r.getString("a", "counter"));
            assertTrue(Files.readString(dir.resolve("data").resolve("messages.log")).contains("rolled forward"));
            for (final var db : again.store().databases())
            {
                assertTrue(again.store().checkIntegrity(db.name()).ok());
            }
        }
    }

    @Test
    void aTransactionOpenAtTheCrashIsRolledBackAtRestart() throws Exception
    {
        final Instance instance = openWithoutCycles();
        final BulwarkSession s = instance.openSession();
        s.set("before", "a", 1);
        s.set("keep", "a", 2, "child");
        s.tstart();
        s.set("changed", "a", 1);
        s.kill("a", 2);
        s.set("new", "a", 3);
        s.set(new byte[20_000], "b", "big");
        // Make the transaction's records durable, as if other commits had pushed them out.
        instance.journal().awaitDurable(instance.journal().appendedPosition());
        instance.daemon().runCycle(); // and let a cycle carry them into the block files too
        instance.abandon();

        try (Instance again = open())
        {
            final BulwarkSession r = again.session();
            assertEquals("before", r.getString("a", 1));
            assertEquals("keep", r.getString("a", 2, "child"));
            assertEquals(0, r.data("a", 3));
            assertEquals(0, r.data("b", "big"));
            final String log = Files.readString(dir.resolve("data").resolve("messages.log"));
            assertTrue(log.contains("rolled back transaction"), log);
        }
        // Rolled back once, it stays so.
        try (Instance again = open())
        {
            assertEquals("before", again.session().getString("a", 1));
        }
    }

    @Test
    void rollbackAndNestedLevelsUndoExactly() throws Exception
    {
        try (Instance instance = open())
        {
            final BulwarkSession s = instance.session();
            s.set("0", "a", "x");
            assertEquals(1, s.tstart());
            s.set("1", "a", "x");
            assertEquals(2, s.tstart());
            s.set("2", "a", "x");
            s.set("inner", "a", "y");
            s.trollback(1); // the inner level only
            assertEquals(1, s.tlevel());
            assertEquals("1", s.getString("a", "x"));
            assertEquals(0, s.data("a", "y"));
            s.trollback();
            assertEquals(0, s.tlevel());
            assertEquals("0", s.getString("a", "x"));

            s.tstart();
            s.tstart();
            s.set("committed", "a", "z");
            s.tcommit();
            assertEquals(1, s.tlevel());
            s.tcommit();
            assertEquals("committed", s.getString("a", "z"));
            assertEquals(ErrorCode.ROLLBACK, assertThrows(BulwarkException.class, s::tcommit).code());
        }
    }

    @Test
    void aDisconnectRollsBackAndReleasesLocks() throws Exception
    {
        try (Instance instance = open())
        {
            final BulwarkSession s = instance.openSession();
            s.tstart();
            s.set("uncommitted", "a", 1);
            assertTrue(s.tryLock(0, true, "a", 1));
            s.close();
            final BulwarkSession other = instance.openSession();
            assertEquals(0, other.data("a", 1));
            assertTrue(other.tryLock(0, true, "a", 1), "the lock went with the disconnect");
            other.close();
        }
    }

    @Test
    void locksConflictAlongTheTreeAndTimeOut() throws Exception
    {
        try (Instance instance = open())
        {
            final BulwarkSession one = instance.openSession();
            final BulwarkSession two = instance.openSession();
            assertTrue(one.tryLock(0, true, "a", 1));
            assertTrue(one.tryLock(0, true, "a", 1), "incremental");
            assertFalse(two.tryLock(0, false, "a", 1, "child"), "a descendant of an exclusive lock");
            assertFalse(two.tryLock(0, false, "a"), "an ancestor of an exclusive lock");
            assertTrue(two.tryLock(0, true, "a", 2), "a sibling");
            final long startNs = System.nanoTime();
            final BulwarkException timeout = assertThrows(BulwarkException.class, () -> two.lock(200, true, "a", 1));
            assertEquals(ErrorCode.LOCK_TIMEOUT, timeout.code());
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(190));
            one.unlock(true, "a", 1);
            assertFalse(two.tryLock(0, true, "a", 1), "still held once");
            one.unlock(true, "a", 1);
            assertTrue(two.tryLock(0, true, "a", 1));
            two.unlockAll();

            // Shared locks share; an exclusive waits for them, and gets the lock when they go.
            assertTrue(one.tryLock(0, false, "a", 5));
            assertTrue(two.tryLock(0, false, "a", 5));
            final BulwarkSession three = instance.openSession();
            final CountDownLatch acquired = new CountDownLatch(1);
            final AtomicBoolean result = new AtomicBoolean();
            final Thread waiter = new Thread(() ->
            {
                result.set(three.tryLock(10_000, true, "a"));
                acquired.countDown();
            });
            waiter.start();
            assertFalse(acquired.await(100, TimeUnit.MILLISECONDS));
            one.unlockAll();
            two.unlock(false, "a", 5);
            assertTrue(acquired.await(10, TimeUnit.SECONDS));
            assertTrue(result.get());
            waiter.join();
            three.close();
            one.close();
            two.close();
        }
    }

    @Test
    void unlocksInsideATransactionWaitForItsEnd() throws Exception
    {
        try (Instance instance = open())
        {
            final BulwarkSession one = instance.openSession();
            final BulwarkSession two = instance.openSession();
            one.tstart();
            assertTrue(one.tryLock(0, true, "a", 9));
            one.unlock(true, "a", 9);
            assertFalse(two.tryLock(0, true, "a", 9), "released only at TCOMMIT");
            one.tcommit();
            assertTrue(two.tryLock(0, true, "a", 9));
            one.close();
            two.close();
        }
    }
}
