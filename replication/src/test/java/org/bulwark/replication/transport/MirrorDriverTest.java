package org.bulwark.replication.transport;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The member's driver: where it lives, what it leaves behind (nothing), which dead drivers' directories
 * it removes before starting and which it must leave alone, and its idle strategies by name.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorDriverTest
{
    /** Above Linux's largest pid_max (2^22): never a live process. */
    private static final long DEAD_PID = 99_999_999L;
    private static final long OLD_MS = TimeUnit.MINUTES.toMillis(5);

    private Path base;

    @BeforeEach
    void driverBase() throws Exception
    {
        // not named like a driver directory, so no other member's start-up mistakes it for a dead one
        base = Files.createDirectories(DriverDirectories.defaultBase().resolve(
            "bulwark-transport-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
    }

    @AfterEach
    void removeBase()
    {
        IoUtil.delete(base.toFile(), true);
    }

    @Test
    void theDriverLivesInADirectoryNamedByMemberAndPidAndRemovesItOnClose() throws Exception
    {
        final Path directory;
        try (MirrorDriver driver = MirrorDriver.launch(base, "member-1", null, null))
        {
            directory = driver.directory();
            assertEquals(base.resolve("bulwark-mirror-member-1-" + ProcessHandle.current().pid()), directory);
            assertTrue(Files.exists(directory.resolve("cnc.dat")));
            assertNotNull(driver.aeron());
        }
        assertFalse(Files.exists(directory), "directory removed on close");
        assertEquals(List.of(), list(base));
    }

    @Test
    void oneMemberHasOneDriverPerProcess()
    {
        try (MirrorDriver first = MirrorDriver.launch(base, "twice", null, null))
        {
            assertNotNull(first.aeron());
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> MirrorDriver.launch(base, "twice", null, null));
            assertTrue(ex.getMessage().contains("member twice already has a mirror driver"), ex.getMessage());
        }
        MirrorDriver.launch(base, "twice", null, null).close(); // free again once closed
    }

    @Test
    void aMemberNameThatCannotNameADirectoryIsRefused()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> MirrorDriver.launch(base, "../etc", null, null));
        assertTrue(ex.getMessage().contains("member name '../etc'"), ex.getMessage());
        assertEquals(List.of(), list(base));
    }

    @Test
    void directoriesOfDeadDriversAreRemovedAtStartAndLiveOrDoubtfulOnesKept() throws Exception
    {
        // a driver that ran and stopped without cleaning up, as after kill -9: its heartbeat is stale
        final Path killed = base.resolve("bulwark-mirror-ghost-" + DEAD_PID);
        MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(killed.toString())
            .threadingMode(ThreadingMode.SHARED)
            .publicationTermBufferLength(64 * 1024)
            .dirDeleteOnShutdown(false)).close();
        assertTrue(Files.exists(killed.resolve("cnc.dat")));
        // a dead process's directory that never got a driver file, long ago
        final Path neverStarted = Files.createDirectories(base.resolve("bulwark-mirror-x-y-" + DEAD_PID));
        Files.setLastModifiedTime(neverStarted, FileTime.fromMillis(System.currentTimeMillis() - OLD_MS));
        // the same, but recent: perhaps a driver starting in another PID namespace; kept
        final Path recent = Files.createDirectories(base.resolve("bulwark-mirror-recent-" + DEAD_PID));
        // a live process's (ours, under another member name); kept
        final Path live = Files.createDirectories(base.resolve("bulwark-mirror-live-" + ProcessHandle.current().pid()));
        Files.setLastModifiedTime(live, FileTime.fromMillis(System.currentTimeMillis() - OLD_MS));
        // not a mirror driver's at all; kept
        final Path other = Files.createDirectories(base.resolve("bulwark-probe-" + DEAD_PID + "-pinger-1"));

        try (MirrorDriver driver = MirrorDriver.launch(base, "a", null, null))
        {
            assertEquals(List.of(driver.directory().getFileName().toString(), live.getFileName().toString(),
                other.getFileName().toString(), recent.getFileName().toString()).stream().sorted()
                .collect(Collectors.toList()), list(base));
        }
        assertFalse(Files.exists(killed));
        assertFalse(Files.exists(neverStarted));
    }

    @Test
    void idleStrategiesByName()
    {
        assertInstanceOf(BackoffIdleStrategy.class, MirrorIdleStrategies.newIdleStrategy("backoff"));
        assertInstanceOf(BackoffIdleStrategy.class, MirrorIdleStrategies.newIdleStrategy(null));
        assertInstanceOf(YieldingIdleStrategy.class, MirrorIdleStrategies.newIdleStrategy("yield"));
        assertInstanceOf(SleepingMillisIdleStrategy.class, MirrorIdleStrategies.newIdleStrategy("sleep"));
        assertNotSame(MirrorIdleStrategies.newIdleStrategy("backoff"), MirrorIdleStrategies.newIdleStrategy("backoff"),
            "strategies keep state: one each");
    }

    @Test
    void aBadIdleStrategyNameIsAClearErrorAndStartsNothing()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> MirrorIdleStrategies.newIdleStrategy("busy-spin", "mirror.idleStrategy"));
        assertEquals("mirror.idleStrategy 'busy-spin' is not one of backoff, yield, sleep", ex.getMessage());
        final IllegalArgumentException fromLaunch = assertThrows(IllegalArgumentException.class,
            () -> MirrorDriver.launch(base, "a", "Backoff", null));
        assertTrue(fromLaunch.getMessage().contains("'Backoff' is not one of backoff, yield, sleep"),
            fromLaunch.getMessage());
        assertEquals(List.of(), list(base));
    }

    private static List<String> list(final Path directory)
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.map(path -> path.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
