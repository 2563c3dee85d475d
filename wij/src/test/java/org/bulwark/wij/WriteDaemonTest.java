package org.bulwark.wij;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;
import org.bulwark.store.block.BlockFile;
import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.io.SyncLevel;
import org.bulwark.common.io.ForwardingDurableFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

class WriteDaemonTest
{
    @TempDir
    Path root;

    @Test
    void changedBlocksNeverReachTheBlockFileBeforeACycle() throws Exception
    {
        try (WijHarness h = WijHarness.open(root))
        {
            h.daemon.runCycle();
            final Path file = root.resolve("db0").resolve(BlockFile.FILE_NAME);
            final int length = (int)Files.size(file);
            final String before = digest(file, length);
            for (int i = 0; i < 2000; i++)
            {
                h.store.session().set("value " + i, "x", i);
            }
            assertTrue(h.store.dirtyBlockCount() > 10);
            // The file may have grown (zeros) but not one byte of it changed.
            assertEquals(before, digest(file, length), "the block file changed before the write daemon ran");
            final byte[] all = Files.readAllBytes(file);
            for (int i = length; i < all.length; i++)
            {
                assertEquals(0, all[i], "byte " + i + " of the grown part");
            }
            h.daemon.runCycle();
            assertNotEquals(before, digest(file, length));
            assertEquals(0, h.store.dirtyBlockCount());
            assertEquals(WijHeader.STATE_COMPLETE, h.recovery.wij().header().state);
        }
    }

    @Test
    void cyclesRunByIntervalOnTheAgentThread() throws Exception
    {
        final WijHarness h = new WijHarness(root, 1, NioFileLayer.INSTANCE, RecoveryOptions.NORMAL,
            WriteDaemonProbe.NONE, new WijConfig(root.resolve("wij")).cycleIntervalMs(20));
        try (AgentRunner runner = runner(h))
        {
            AgentRunner.startOnThread(runner);
            h.store.session().set("v", "x", 1);
            awaitTrue(() -> h.store.dirtyBlockCount() == 0 && h.daemon.cycles() > 0, "a cycle by interval");
        }
        h.close();
        try (WijHarness again = WijHarness.open(root))
        {
            assertEquals(RecoveryCase.COMPLETE_CLEAN, again.recovery.recoveryCase());
            assertEquals("v", again.store.session().getString("x", 1));
        }
    }

    @Test
    void aFullPoolMakesWritersWaitForACycleNotFail() throws Exception
    {
        // A 4 MiB pool of 4 KiB blocks holds 1024 frames; writing far more blocks than that needs
        // the daemon to free frames while writers wait.
        final WijHarness h = WijHarness.open(root);
        try (AgentRunner runner = runner(h))
        {
            AgentRunner.startOnThread(runner);
            final byte[] value = new byte[3000];
            for (int i = 0; i < 6000; i++)
            {
                h.store.session().set(value, "big", i);
            }
            assertTrue(h.daemon.cycles() > 1, "cycles ran while writers waited: " + h.daemon.cycles());
        }
        h.close();
    }

    @Test
    void anIoErrorStopsTheDaemonAndRefusesUpdates() throws Exception
    {
        final FailingLayer layer = new FailingLayer();
        final WijHarness h = new WijHarness(root, 1, layer, RecoveryOptions.NORMAL, WriteDaemonProbe.NONE, true);
        try (AgentRunner runner = runner(h))
        {
            AgentRunner.startOnThread(runner);
            h.store.session().set("v", "x", 1);
            layer.failSyncOf = "bulwark.dat";
            h.daemon.requestFlush();
            awaitTrue(() -> null != h.daemon.failure(), "the daemon to fail");
            final BulwarkException refused = assertThrows(BulwarkException.class, () -> h.store.session().set("w",
                "x", 2));
            assertEquals(ErrorCode.DATABASE, refused.code());
            assertTrue(refused.getMessage().contains("write daemon failed"), refused.getMessage());
        }
        h.crash();
        final String log = Files.readString(root.resolve("messages.log"));
        assertTrue(log.contains(" 3 [WIJ] write daemon failed"), log);
        // The cycle's active flag was durable: the next start restores it.
        layer.failSyncOf = null;
        try (WijHarness again = WijHarness.open(root))
        {
            assertEquals(RecoveryCase.ACTIVE_INTACT, again.recovery.recoveryCase());
            assertEquals("v", again.store.session().getString("x", 1));
        }
    }

    private static AgentRunner runner(final WijHarness h)
    {
        return new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, h.daemon);
    }

    static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static String digest(final Path file, final int length) throws Exception
    {
        final MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(Files.readAllBytes(file), 0, length);
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Fails syncs of files whose name ends as configured, like an EIO from the disk.
     */
    static final class FailingLayer implements FileLayer
    {
        volatile String failSyncOf;

        @Override
        public DurableFile open(final Path path, final boolean create) throws IOException
        {
            return new ForwardingDurableFile(NioFileLayer.INSTANCE.open(path, create))
            {
                @Override
                public void sync(final SyncLevel level) throws IOException
                {
                    final String failing = failSyncOf;
                    if (null != failing && path.getFileName().toString().endsWith(failing))
                    {
                        throw new IOException("Input/output error (injected) syncing " + path);
                    }
                    delegate.sync(level);
                }
            };
        }

        @Override
        public void syncDirectory(final Path directory) throws IOException
        {
            NioFileLayer.INSTANCE.syncDirectory(directory);
        }
    }
}
