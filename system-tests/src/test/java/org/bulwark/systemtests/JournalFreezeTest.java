package org.bulwark.systemtests;

import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.journal.JournalFiles;
import org.bulwark.server.BulwarkSession;
import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC J-6 (and F-3 for the journal) with real faults: a member in a child JVM commits seeded
 * transactions ({@link CommitChild}) until the journal's I/O fails — an {@code EIO} from
 * {@code fdatasync} or from the write itself, injected into libc by libfiu, or a full disk
 * (a small loop-mounted ext4) when a new journal file is preallocated. Then:
 * <ul>
 * <li>no commit is acknowledged after the error, and the member keeps running (frozen, not dead);</li>
 * <li>a caller waiting for durability blocks for the freeze timeout and then gets
 * {@code <JOURNAL FROZEN>}; later updates get it too;</li>
 * <li>messages.log has a fatal line that names the failed operation, the file and the error;</li>
 * <li>after a kill and a normal restart every acknowledged commit is there and no transaction is
 * partial (the commit that was waiting at the error may be there whole: its records could be
 * written but not synced), integrity is clean, and the journal takes commits again.</li>
 * </ul>
 * A libfiu failure point is process-wide, so the member runs with the write daemon idle (no WIJ or
 * block-file I/O during the test) and without the periodic journal flush: every journal write is
 * then made for a commit that waits for it, which makes the waiting caller certain.
 */
class JournalFreezeTest
{
    private static final long FREEZE_TIMEOUT_MS = 1_000;
    private static final long CHILD_DEADLINE_MS = 60_000;
    private static final int ACKS_BEFORE_FAULT = 200;

    /**
     * An I/O error injected into the journal's files, with the sync method in use.
     */
    enum IoFault
    {
        FDATASYNC_FAILS("fdatasync", LibFiu.FDATASYNC, ": fdatasync of "),
        WRITE_FAILS("fdatasync", LibFiu.WRITEV, ": write of "),
        DSYNC_WRITE_FAILS("dsync", LibFiu.WRITEV, ": O_DSYNC write of ");

        final String syncMethod;
        final String failurePoint;
        final String operation;

        IoFault(final String syncMethod, final String failurePoint, final String operation)
        {
            this.syncMethod = syncMethod;
            this.failurePoint = failurePoint;
            this.operation = operation;
        }
    }

    @TempDir
    Path root;

    private ChildJvm child;
    private LoopFilesystem disk;

    @AfterEach
    void cleanUp() throws Exception
    {
        try
        {
            if (null != child && child.isAlive())
            {
                child.kill();
            }
        }
        finally
        {
            if (null != disk)
            {
                disk.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IoFault.class)
    void anIoErrorFreezesTheJournalAndLosesNoAcknowledgedCommit(final IoFault fault) throws Exception
    {
        final LibFiu fiu = new LibFiu(root.resolve("fiu"));
        final Path journal = root.resolve("data").resolve("journal");
        final Path config = writeConfig(fault.syncMethod, journal, "2m");
        final long seed = Long.getLong("bulwark.seed", System.nanoTime());
        final String where = fault + " seed " + seed;

        child = new ChildJvm(root, fiu.launcher(), CommitChild.class, config.toString(), Long.toString(seed));
        assertNotNull(child.awaitLine("READY", CHILD_DEADLINE_MS), where + ": child not ready");
        assertNotNull(child.awaitLine("ACK " + ACKS_BEFORE_FAULT, CHILD_DEADLINE_MS), where + ": no commits");
        fiu.enable(child.pid(), fault.failurePoint);
        // fiu-ctrl returns once the failure point is on: only the commit in flight can still be acknowledged.
        final long ackedBeforeFault = CommitVerifier.lastAck(child.snapshot());

        final long lastAck = awaitFrozenChild(where, "Input/output error");
        assertTrue(lastAck <= ackedBeforeFault + 1, where + ": " + (lastAck - ackedBeforeFault) + " commits " +
            "acknowledged after the failure point was on (at most the one in flight may be)");
        final String frozenLine = frozenLine(where);
        assertTrue(frozenLine.contains(fault.operation) && frozenLine.contains(" of " + journal + "/") &&
            frozenLine.contains("Input/output error"),
            where + ": messages.log does not name the failed " + fault.operation + "on the journal: " + frozenLine);

        assertEquals(137, child.kill(), where);
        CommitVerifier.verifyRecovered(config, new Workload.Model(), seed, lastAck, where);
        assertCommitsAgain(config, where);
    }

    @Test
    void aFullDiskAtAFileSwitchFreezesTheJournalAndNamesTheDirectory() throws Exception
    {
        disk = LoopFilesystem.create(root.resolve("disk"), 32L << 20);
        final Path journal = disk.mountPoint().resolve("journal");
        final long fileSizeBytes = 4L << 20;
        final Path config = writeConfig("fdatasync", journal, "4m");
        // Something else took the disk: room for the first journal file, not for the second.
        final Path ballast = disk.mountPoint().resolve("ballast");
        fill(ballast, Files.getFileStore(disk.mountPoint()).getUsableSpace() - fileSizeBytes - (2L << 20));
        final long seed = Long.getLong("bulwark.seed", System.nanoTime());
        final String where = "disk full, seed " + seed;

        child = new ChildJvm(root, CommitChild.class, config.toString(), Long.toString(seed));
        assertNotNull(child.awaitLine("READY", CHILD_DEADLINE_MS), where + ": child not ready");
        final long lastAck = awaitFrozenChild(where, "No space left on device");
        final String frozenLine = frozenLine(where);
        assertTrue(frozenLine.contains("cannot create journal file " + journal) &&
            frozenLine.contains("No space left on device") && frozenLine.contains("free space in " + journal),
            where + ": messages.log does not say that " + journal + " needs space: " + frozenLine);
        final List<String> listed = new ArrayList<>(List.of(JournalFiles.LIST_FILE));
        new JournalFiles(journal, "", NioFileLayer.INSTANCE).list()
            .forEach(entry -> listed.add(entry.name()));
        try (Stream<Path> files = Files.list(journal))
        {
            assertEquals(listed.stream().sorted().toList(),
                files.map(file -> file.getFileName().toString()).sorted().toList(),
                where + ": the journal file that did not fit must not be left behind");
        }

        // The operator frees space, and restarts the member.
        Files.delete(ballast);
        assertEquals(137, child.kill(), where);
        CommitVerifier.verifyRecovered(config, new Workload.Model(), seed, lastAck, where);
        assertCommitsAgain(config, where);
    }

    /**
     * Wait for the child to give up after its errors, and check what it saw.
     *
     * @return the last acknowledged transaction.
     */
    private long awaitFrozenChild(final String where, final String cause) throws Exception
    {
        final String gaveUp = child.awaitLine("GAVE UP", CHILD_DEADLINE_MS);
        final List<String> lines = child.snapshot();
        assertNotNull(gaveUp, where + ": the child did not fail " + CommitChild.MAX_ERRORS + " times within " +
            CHILD_DEADLINE_MS + " ms; it printed last: " + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        final long lastAck = CommitVerifier.lastAck(lines);
        int firstError = -1;
        boolean blocked = false;
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            if (line.startsWith("ERROR ") || line.startsWith("DISCONNECTED "))
            {
                firstError = firstError < 0 ? i : firstError;
                blocked |= checkFailure(where, line, cause);
            }
            else if (line.startsWith("ACK ") && firstError >= 0)
            {
                fail(where + ": acknowledged after the journal failed: " + lines.subList(firstError, i + 1));
            }
        }
        assertTrue(lines.get(firstError).startsWith("ERROR " + (lastAck + 1) + " "), where + ": " +
            lines.get(firstError));
        assertTrue(blocked, where + ": no caller waited for the freeze timeout: " + lines.subList(firstError,
            lines.size()));
        assertTrue(child.isAlive(), where + ": the member died instead of freezing");
        System.out.println(where + ": " + lastAck + " acknowledged, then " + lines.subList(firstError, lines.size()));
        return lastAck;
    }

    /**
     * An error or a disconnect's error must be {@code <JOURNAL FROZEN>} with the cause; one that
     * waited must have waited for the freeze timeout, one refused at once must have been quick.
     *
     * @return true if the caller waited for durability.
     */
    private static boolean checkFailure(final String where, final String line, final String cause)
    {
        final String[] fields = line.split(" ", 5);
        final boolean error = line.startsWith("ERROR ");
        final long ms = Long.parseLong(error ? fields[3] : fields[1]);
        final String message = error ? fields[4] : fields.length > 2 ? line.substring(line.indexOf(' ',
            "DISCONNECTED ".length()) + 1) : "";
        if (!error && message.isEmpty())
        {
            return false; // a disconnect with nothing to roll back
        }
        assertTrue(message.startsWith("<JOURNAL FROZEN> ") && message.contains(cause), where + ": " + line);
        if (message.startsWith("<JOURNAL FROZEN> waited "))
        {
            assertTrue(ms >= FREEZE_TIMEOUT_MS, where + ": gave up waiting before the freeze timeout: " + line);
            return true;
        }
        assertTrue(message.startsWith("<JOURNAL FROZEN> the journal is frozen: ") && ms < FREEZE_TIMEOUT_MS,
            where + ": " + line);
        return false;
    }

    /**
     * @return the fatal line messages.log has for the freeze.
     */
    private String frozenLine(final String where) throws Exception
    {
        final Path log = root.resolve("data").resolve(MessageLog.FILE_NAME);
        final List<String> frozen = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
            .filter(line -> line.contains(" 3 [JRN] journal FROZEN at position ")).toList();
        assertEquals(1, frozen.size(), where + ": fatal journal lines in " + log + ": " + frozen);
        return frozen.get(0);
    }

    /**
     * After the restart the journal is no longer frozen: a journaled update commits.
     */
    private static void assertCommitsAgain(final Path config, final String where) throws Exception
    {
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions());
            BulwarkSession session = instance.openSession())
        {
            session.set("after the restart", "afterFreeze");
            assertEquals("after the restart", session.getString("afterFreeze"), where);
        }
    }

    private Path writeConfig(final String syncMethod, final Path journal, final String fileSize) throws Exception
    {
        // The writer writes only when a commit waits, and the write daemon stays idle (see the class comment).
        return MemberConfig.write(root.resolve("bulwark.conf"), root.resolve("data"), "pool.size = 64m",
            "journal.directory = " + journal, "journal.fileSize = " + fileSize, "journal.syncMethod = " + syncMethod,
            "journal.freezeTimeoutMs = " + FREEZE_TIMEOUT_MS, "journal.asyncFlushIntervalMs = 60000",
            "writeDaemon.intervalMs = 3600000", "writeDaemon.dirtyThresholdPercent = 90");
    }

    /**
     * Write a file of {@code sizeBytes} (real blocks, not a sparse file).
     */
    private static void fill(final Path file, final long sizeBytes) throws Exception
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            for (long at = 0; at < sizeBytes; at += zeros.capacity())
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), sizeBytes - at));
                while (zeros.hasRemaining())
                {
                    channel.write(zeros);
                }
            }
            channel.force(true);
        }
    }
}
