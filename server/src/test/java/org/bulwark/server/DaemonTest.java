package org.bulwark.server;

import org.bulwark.common.log.MessageLog;
import org.bulwark.wij.RecoveryCase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC V-1 with a real child JVM: {@code bulwark start} runs a detached member and returns once it
 * is ready; status reports it; a second start, an in-process open and an offline tool on the same
 * data directory are refused naming its pid; {@code bulwark stop} shuts it down gracefully (clean
 * shutdown in messages.log, a clean WIJ at the next open, committed data kept).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DaemonTest
{
    @TempDir
    Path dir;

    private Path config;
    private long pid = -1;

    @AfterEach
    void killALeftOverMember()
    {
        if (pid > 0)
        {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void startStatusRefuseStop() throws Exception
    {
        config = CliRun.memberConfig(dir, "writeDaemon.intervalMs = 100");
        final Path data = dir.resolve("data");
        assertEquals(0, CliRun.run("set ^d(1)=\"before start\"\n", CliRun.withConfig(config, "terminal")).code());
        assertEquals(StatusCommand.EXIT_STOPPED, CliRun.run("", CliRun.withConfig(config, "status")).code());

        final CliRun start = CliRun.run("", CliRun.withConfig(config, "start", "--wait", "60"));
        assertEquals(0, start.code(), start.output() + start.errors());
        final Matcher started = Pattern.compile("bulwark started: pid (\\d+)").matcher(start.output());
        assertTrue(started.find(), start.output());
        pid = Long.parseLong(started.group(1));
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

        final CliRun status = CliRun.run("", CliRun.withConfig(config, "status"));
        assertEquals(StatusCommand.EXIT_RUNNING, status.code(), status.output());
        assertTrue(status.output().startsWith("bulwark is running: pid " + pid + ", up "), status.output());

        final CliRun second = CliRun.run("", CliRun.withConfig(config, "start"));
        assertEquals(BulwarkCli.EXIT_FAILED, second.code());
        assertTrue(second.errors().contains("in use by pid " + pid), second.errors());
        final DataDirectoryLock.InUseException inUse = assertThrows(DataDirectoryLock.InUseException.class,
            () -> Instance.open(InstanceConfig.load(config), new InstanceOptions()));
        assertEquals(pid, inUse.pid());
        assertTrue(inUse.getMessage().contains("process " + pid + " has it open as member"), inUse.getMessage());
        final CliRun integrity = CliRun.run("", CliRun.withConfig(config, "integrity"));
        assertEquals(BulwarkCli.EXIT_FAILED, integrity.code());
        assertTrue(integrity.errors().contains("process " + pid + " has it open"), integrity.errors());

        final CliRun stop = CliRun.run("", CliRun.withConfig(config, "stop", "--timeout", "60", "--nofailover"));
        assertEquals(0, stop.code(), stop.output() + stop.errors());
        assertEquals("bulwark stopped: pid " + pid + " shut down cleanly (data " + data.toAbsolutePath() + ")\n",
            stop.output());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(StatusCommand.EXIT_STOPPED, CliRun.run("", CliRun.withConfig(config, "status")).code());
        assertFalse(Files.exists(PidFile.path(data)), "bulwark.pid is removed at a clean shutdown");
        final String messages = Files.readString(data.resolve(MessageLog.FILE_NAME));
        assertTrue(messages.contains(pid + " 0 [DAEMON] member ready"), messages);
        assertTrue(messages.contains(pid + " 0 [INSTANCE] shut down cleanly"), messages);

        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            assertEquals(RecoveryCase.COMPLETE_CLEAN, instance.recovery().recoveryCase());
        }
        assertEquals("before start\n", CliRun.run("write ^d(1)\n", CliRun.withConfig(config, "terminal")).output());
    }

    @Test
    void aStartThatFailsPrintsTheErrorFromTheLogs() throws Exception
    {
        config = CliRun.memberConfig(dir, "wij.directory = " + dir.resolve("not-a-directory"));
        Files.writeString(dir.resolve("not-a-directory"), "a file where the WIJ directory should be");
        final CliRun start = CliRun.run("", CliRun.withConfig(config, "start", "--wait", "60"));
        assertEquals(BulwarkCli.EXIT_FAILED, start.code(), start.output());
        assertTrue(start.errors().contains("the member did not start"), start.errors());
        assertTrue(start.errors().contains("startup failed"), start.errors());
        assertEquals(StatusCommand.EXIT_STOPPED, CliRun.run("", CliRun.withConfig(config, "status")).code());
    }
}
