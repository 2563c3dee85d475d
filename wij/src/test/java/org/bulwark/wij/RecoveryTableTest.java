package org.bulwark.wij;

import org.bulwark.store.block.BlockFile;
import org.bulwark.common.io.NioFileLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One test per row of the {@link RecoveryCase} decision table, each building the situation on
 * disk for real (crashes are simulated in-process by a probe that aborts a cycle at a chosen point
 * and closing everything without a flush), then checking the action taken and its effects.
 */
class RecoveryTableTest
{
    @TempDir
    Path root;

    /**
     * Abort the write daemon cycle at {@code point}, as a crash there would.
     */
    private static final class CrashAt implements WriteDaemonProbe
    {
        private final Point point;
        private volatile boolean armed;

        CrashAt(final Point point)
        {
            this.point = point;
        }

        @Override
        public void at(final Point at, final long cycleNumber, final long sealedSequence)
        {
            if (armed && at == point)
            {
                throw new SimulatedCrash(point);
            }
        }
    }

    static final class SimulatedCrash extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(final WriteDaemonProbe.Point point)
        {
            super("simulated crash at " + point);
        }
    }

    /**
     * Write a first cycle, then change the data and crash at {@code point} of the second cycle.
     */
    private int databases = 1;

    private void crashInSecondCycle(final WriteDaemonProbe.Point point, final int databases) throws Exception
    {
        this.databases = databases;
        final CrashAt probe = new CrashAt(point);
        final WijHarness h = new WijHarness(root, databases, NioFileLayer.INSTANCE, RecoveryOptions.NORMAL, probe,
            true);
        for (int i = 0; i < 200; i++)
        {
            h.store.session().set("first-" + i, "a", i);
            h.store.session().set("first-" + i, "b", i);
        }
        h.daemon.runCycle();
        probe.armed = true;
        for (int i = 0; i < 200; i++)
        {
            h.store.session().set("second-" + i, "a", i);
            h.store.session().set("second-" + i, "b", i);
        }
        assertThrows(SimulatedCrash.class, h.daemon::runCycle);
        h.crash();
    }

    private WijHarness reopen() throws Exception
    {
        return new WijHarness(root, databases, NioFileLayer.INSTANCE, RecoveryOptions.NORMAL, WriteDaemonProbe.NONE,
            true);
    }

    private static void assertValues(final WijHarness h, final String prefix, final int databases)
    {
        for (int i = 0; i < 200; i++)
        {
            assertEquals(prefix + i, h.store.session().getString("a", i));
            if (databases > 1)
            {
                assertEquals(prefix + i, h.store.session().getString("b", i));
            }
        }
        for (final var db : h.store.databases())
        {
            final var report = h.store.checkIntegrity(db.name());
            assertTrue(report.ok(), report.format());
        }
    }

    @Test
    void noWijCreatesOne() throws Exception
    {
        try (WijHarness h = reopen())
        {
            assertEquals(RecoveryCase.NO_WIJ, h.recovery.recoveryCase());
            assertTrue(Files.exists(root.resolve("wij").resolve(WijFile.FILE_NAME)));
            assertEquals(WijHeader.STATE_EMPTY, h.recovery.wij().header().state);
        }
    }

    @Test
    void cleanShutdownNeedsNoComparison() throws Exception
    {
        try (WijHarness h = reopen())
        {
            h.store.session().set("v", "a", 1);
        }
        try (WijHarness h = reopen())
        {
            assertEquals(RecoveryCase.COMPLETE_CLEAN, h.recovery.recoveryCase());
            assertEquals(0, h.recovery.blocksCompared());
            assertEquals("v", h.store.session().getString("a", 1));
        }
    }

    @Test
    void activeFlagSetRestoresTheCycle() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.ACTIVE_FLAG_SET, 2);
        try (WijHarness h = reopen())
        {
            assertEquals(RecoveryCase.ACTIVE_INTACT, h.recovery.recoveryCase());
            assertTrue(h.recovery.blocksRestored() > 0);
            assertValues(h, "second-", 2);
            assertEquals(WijHeader.STATE_EMPTY, h.recovery.wij().header().state, "marked deleted after restore");
        }
        try (WijHarness h = reopen())
        {
            // The restore is not repeated once done.
            assertEquals(RecoveryCase.EMPTY, h.recovery.recoveryCase());
        }
    }

    @Test
    void crashInsidePhaseTwoRestoresTheCycle() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.INSIDE_PHASE_2, 2);
        try (WijHarness h = reopen())
        {
            assertEquals(RecoveryCase.ACTIVE_INTACT, h.recovery.recoveryCase());
            assertValues(h, "second-", 2);
        }
    }

    @Test
    void crashBeforeTheActiveFlagKeepsThePreviousCycle() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.AFTER_PHASE_1, 2);
        try (WijHarness h = reopen())
        {
            // The header still names the completed first cycle, whose descriptor phase 1 overwrote.
            assertEquals(RecoveryCase.COMPLETE_NOTHING_TO_COMPARE, h.recovery.recoveryCase());
            assertValues(h, "first-", 2);
        }
    }

    @Test
    void crashAfterACompleteCycleComparesBlocks() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.COMPLETE, 1);
        try (WijHarness h = reopen())
        {
            assertEquals(RecoveryCase.COMPLETE_AFTER_CRASH, h.recovery.recoveryCase());
            assertTrue(h.recovery.blocksCompared() > 0);
            assertValues(h, "second-", 1);
        }
    }

    @Test
    void emptyWijAfterRestoreNeedsNothing() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.AFTER_PHASE_2, 1);
        reopen().crash();
        try (WijHarness h = reopen())
        {
            assertEquals(RecoveryCase.EMPTY, h.recovery.recoveryCase());
        }
    }

    @Test
    void skipRecoveryDiscardsAnActiveCycle() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.ACTIVE_FLAG_SET, 1);
        try (WijHarness h = new WijHarness(root, 1, NioFileLayer.INSTANCE, new RecoveryOptions(true, Set.of()),
            WriteDaemonProbe.NONE, true))
        {
            assertEquals(RecoveryCase.SKIP_REQUESTED, h.recovery.recoveryCase());
            assertEquals(WijHeader.STATE_EMPTY, h.recovery.wij().header().state);
            assertEquals("first-7", h.store.session().getString("a", 7), "the cycle was not applied");
            assertTrue(Files.readString(root.resolve("messages.log")).contains("NOT applied"));
        }
    }

    @Test
    void blankHeadersAreInitialised() throws Exception
    {
        Files.createDirectories(root.resolve("wij"));
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("wij").resolve(WijFile.FILE_NAME).toFile(), "rw"))
        {
            f.setLength(1 << 20);
        }
        try (WijHarness h = reopen())
        {
            assertEquals(RecoveryCase.HEADERS_BLANK, h.recovery.recoveryCase());
        }
    }

    @Test
    void damagedHeadersRefuseStartupNamingTheOffsets() throws Exception
    {
        reopen().close();
        corrupt(root.resolve("wij").resolve(WijFile.FILE_NAME), WijFile.SLOT_A_OFFSET + 40);
        corrupt(root.resolve("wij").resolve(WijFile.FILE_NAME), WijFile.SLOT_B_OFFSET + 40);
        final WijRecoveryException ex = assertThrows(WijRecoveryException.class, this::reopen);
        assertEquals(RecoveryCase.HEADERS_DAMAGED, ex.recoveryCase());
        assertTrue(ex.getMessage().contains("offset 0") && ex.getMessage().contains("offset 4096"), ex.getMessage());
    }

    @Test
    void oneTornHeaderSlotFallsBackToTheOther() throws Exception
    {
        try (WijHarness h = reopen())
        {
            h.store.session().set("v", "a", 1);
        }
        // The newest header slot is torn; the older one (still a valid state) is used.
        final Path wij = root.resolve("wij").resolve(WijFile.FILE_NAME);
        final long sequence;
        try (WijFile f = WijFile.open(NioFileLayer.INSTANCE, wij, false))
        {
            sequence = f.readHeader().sequence;
        }
        corrupt(wij, ((sequence & 1) == 0 ? WijFile.SLOT_A_OFFSET : WijFile.SLOT_B_OFFSET) + 100);
        try (WijHarness h = reopen())
        {
            assertNotEquals(RecoveryCase.HEADERS_DAMAGED, h.recovery.recoveryCase());
            assertEquals("v", h.store.session().getString("a", 1));
        }
    }

    @Test
    void activeCycleWithDamagedDescriptorRefusesStartup() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.ACTIVE_FLAG_SET, 1);
        corrupt(root.resolve("wij").resolve(WijFile.FILE_NAME), WijFile.DESCRIPTOR_OFFSET + 30);
        final WijRecoveryException ex = assertThrows(WijRecoveryException.class, this::reopen);
        assertEquals(RecoveryCase.ACTIVE_DAMAGED, ex.recoveryCase());
        assertTrue(ex.getMessage().contains("offset " + WijFile.DESCRIPTOR_OFFSET), ex.getMessage());
    }

    @Test
    void activeCycleWithDamagedImageRefusesAndKeepsTheDatasetMarked() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.ACTIVE_FLAG_SET, 1);
        final Path wij = root.resolve("wij").resolve(WijFile.FILE_NAME);
        final CycleDescriptor cycle = lastCycle();
        final long imageOffset = cycle.recordOffset(0);
        final long lastImageOffset = cycle.recordOffset(cycle.recordCount() - 1);
        // Damage the last image: nothing of the cycle may be written before that is found.
        corrupt(wij, lastImageOffset + 100);
        final Path dbFile = root.resolve("db0").resolve(BlockFile.FILE_NAME);
        final byte[] before = Files.readAllBytes(dbFile);
        final WijRecoveryException damaged = assertThrows(WijRecoveryException.class, this::reopen);
        assertTrue(damaged.getMessage().contains("offset " + lastImageOffset), damaged.getMessage());
        assertArrayEquals(before, Files.readAllBytes(dbFile), "a partial restore was written");
        corrupt(wij, lastImageOffset + 100);
        corrupt(wij, imageOffset + 100);
        final WijRecoveryException ex = assertThrows(WijRecoveryException.class, this::reopen);
        assertTrue(ex.getMessage().contains("offset " + imageOffset), ex.getMessage());
        assertTrue(ex.getMessage().contains("MAIN"), ex.getMessage());
        try (WijFile f = WijFile.open(NioFileLayer.INSTANCE, wij, false))
        {
            final WijHeader header = f.readHeader();
            assertEquals(WijHeader.STATE_ACTIVE, header.state);
            assertTrue(header.isPending(0), "the failed dataset stays marked");
        }
        // The operator may skip the dataset, with a warning of corruption.
        try (WijHarness h = new WijHarness(root, 1, NioFileLayer.INSTANCE, new RecoveryOptions(false, Set.of("MAIN")),
            WriteDaemonProbe.NONE, true))
        {
            assertEquals(RecoveryCase.ACTIVE_INTACT, h.recovery.recoveryCase());
            assertTrue(Files.readString(root.resolve("messages.log")).contains("SKIPPED by operator"));
        }
    }

    @Test
    void aTruncatedWijRefusesStartupNamingTheOffset() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.ACTIVE_FLAG_SET, 1);
        final CycleDescriptor cycle = lastCycle();
        final long lastImage = cycle.recordOffset(cycle.recordCount() - 1);
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("wij").resolve(WijFile.FILE_NAME).toFile(), "rw"))
        {
            f.setLength(lastImage + 1000);
        }
        final WijRecoveryException ex = assertThrows(WijRecoveryException.class, this::reopen);
        assertTrue(ex.getMessage().contains("offset " + lastImage) && ex.getMessage().contains("truncated"),
            ex.getMessage());
    }

    @Test
    void parallelRestoreFailureNamesTheDatasetAndRestoresTheOthers() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.ACTIVE_FLAG_SET, 2);
        final Path db1 = root.resolve("db1").resolve(BlockFile.FILE_NAME);
        final Path aside = root.resolve("db1.aside");
        Files.move(db1, aside);
        final WijRecoveryException ex = assertThrows(WijRecoveryException.class, this::reopen);
        assertTrue(ex.getMessage().contains("DB1") && ex.getMessage().contains("1 dataset"), ex.getMessage());
        final String log = Files.readString(root.resolve("messages.log"));
        assertTrue(log.contains("one at a time"), log);
        try (WijFile f = WijFile.open(NioFileLayer.INSTANCE, root.resolve("wij").resolve(WijFile.FILE_NAME), false))
        {
            final WijHeader header = f.readHeader();
            assertFalse(header.isPending(0), "MAIN was restored and unmarked");
            assertTrue(header.isPending(1), "DB1 stays marked");
        }
        // The file comes back: the next start restores only what is still marked.
        Files.move(aside, db1);
        try (WijHarness h = reopen())
        {
            assertEquals(RecoveryCase.ACTIVE_INTACT, h.recovery.recoveryCase());
            assertValues(h, "second-", 2);
        }
    }

    @Test
    void mismatchIsWrittenAndRefusesStartUntilResolved() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.COMPLETE, 1);
        // Damage a block that the last cycle wrote, as a lost write in the storage would.
        final CycleDescriptor cycle = lastCycle();
        final int block = cycle.recordBlock(cycle.recordCount() - 1);
        corrupt(root.resolve("db0").resolve(BlockFile.FILE_NAME), (long)block * 4096 + 200);

        final WijRecoveryException ex = assertThrows(WijRecoveryException.class, this::reopen);
        assertEquals(RecoveryCase.COMPLETE_AFTER_CRASH, ex.recoveryCase());
        assertTrue(ex.getMessage().contains("block " + block), ex.getMessage());
        assertTrue(Files.exists(root.resolve("wij").resolve(WijFile.MISMATCH_FILE_NAME)));

        // Refused again while the file exists.
        assertEquals(RecoveryCase.MISMATCH_PENDING, assertThrows(WijRecoveryException.class,
            this::reopen).recoveryCase());

        // The operator lists, views, applies and renames.
        final WijConfig config = new WijConfig(root.resolve("wij"));
        final var locations = WijHarness.locations(WijHarness.storeConfig(root, 1, NioFileLayer.INSTANCE));
        try (var log = org.bulwark.common.log.MessageLog.open(root, null, org.bulwark.common.log.Severity.FATAL))
        {
            final MismatchTool tool = new MismatchTool(config, locations, NioFileLayer.INSTANCE, log);
            final var affected = tool.list();
            assertEquals(1, affected.size());
            assertEquals("MAIN", affected.get(0).name());
            assertEquals(java.util.List.of(block), affected.get(0).blocks());
            final String view = tool.view("MAIN", block);
            assertTrue(view.contains("1 of 4096 bytes differ"), view);
            assertTrue(view.contains("checksum INVALID"), view);
            assertEquals(1, tool.apply(null));
            final Path renamed = tool.rename(LocalDate.of(2026, 11, 23));
            assertEquals("MISMATCH.WIJ.20261123", renamed.getFileName().toString());
        }
        try (WijHarness h = reopen())
        {
            assertValues(h, "second-", 1);
        }
    }

    @Test
    void blockComparisonStopsAtItsTimeLimitWhenNothingDiffers() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.COMPLETE, 1);
        final CycleDescriptor cycle = lastCycle();
        final int block = cycle.recordBlock(cycle.recordCount() - 1);
        // A difference late in the cycle that a comparison with no time at all never reaches.
        corrupt(root.resolve("db0").resolve(BlockFile.FILE_NAME), (long)block * 4096 + 300);
        try (WijHarness h = new WijHarness(root, 1, NioFileLayer.INSTANCE, RecoveryOptions.NORMAL,
            WriteDaemonProbe.NONE, new WijConfig(root.resolve("wij")).compareTimeLimitMs(0)))
        {
            assertEquals(RecoveryCase.COMPLETE_AFTER_CRASH, h.recovery.recoveryCase());
            assertFalse(Files.exists(root.resolve("wij").resolve(WijFile.MISMATCH_FILE_NAME)));
            assertTrue(Files.readString(root.resolve("messages.log")).contains("stopped at the 0 ms limit"));
            h.crash();
        }
    }

    @Test
    void theTargetSizeIsReservedUpFront() throws Exception
    {
        try (WijHarness h = new WijHarness(root, 1, NioFileLayer.INSTANCE, RecoveryOptions.NORMAL,
            WriteDaemonProbe.NONE, new WijConfig(root.resolve("wij")).targetSizeBytes(40L << 20)))
        {
            assertTrue(h.recovery.wij().sizeBytes() >= 40L << 20);
        }
    }

    @Test
    void renamingPicksAFreeName() throws Exception
    {
        final Path dir = Files.createDirectories(root.resolve("w"));
        final Path mismatch = dir.resolve(WijFile.MISMATCH_FILE_NAME);
        final LocalDate day = LocalDate.of(2026, 1, 2);
        Files.writeString(mismatch, "x");
        assertEquals("MISMATCH.WIJ.20260102", MismatchFile.rename(NioFileLayer.INSTANCE, mismatch, day).getFileName()
            .toString());
        Files.writeString(mismatch, "x");
        assertEquals("MISMATCH.WIJ.20260102_1", MismatchFile.rename(NioFileLayer.INSTANCE, mismatch, day).getFileName()
            .toString());
        Files.writeString(mismatch, "x");
        assertEquals("MISMATCH.WIJ.20260102_2", MismatchFile.rename(NioFileLayer.INSTANCE, mismatch, day).getFileName()
            .toString());
    }

    @Test
    void aMismatchFileInPlaceOfTheWijIsRefused() throws Exception
    {
        crashInSecondCycle(WriteDaemonProbe.Point.COMPLETE, 1);
        final Path wij = root.resolve("wij").resolve(WijFile.FILE_NAME);
        try (WijFile f = WijFile.open(NioFileLayer.INSTANCE, wij, false))
        {
            final WijHeader header = f.readHeader();
            header.state = WijHeader.STATE_MISMATCH;
            f.writeHeader(header);
        }
        assertEquals(RecoveryCase.FOREIGN, assertThrows(WijRecoveryException.class, this::reopen).recoveryCase());
    }

    @Test
    void everyObservationMapsToTheDocumentedRow()
    {
        final RecoveryCase.Observation o = new RecoveryCase.Observation();
        o.mismatchFilePresent = true;
        assertEquals(RecoveryCase.MISMATCH_PENDING, RecoveryCase.decide(o));
        o.mismatchFilePresent = false;
        assertEquals(RecoveryCase.NO_WIJ, RecoveryCase.decide(o));
        o.wijPresent = true;
        o.skipRecovery = true;
        assertEquals(RecoveryCase.SKIP_REQUESTED, RecoveryCase.decide(o));
        o.skipRecovery = false;
        o.headersBlank = true;
        assertEquals(RecoveryCase.HEADERS_BLANK, RecoveryCase.decide(o));
        o.headersBlank = false;
        assertEquals(RecoveryCase.HEADERS_DAMAGED, RecoveryCase.decide(o));
        o.headerValid = true;
        o.state = WijHeader.STATE_ACTIVE;
        assertEquals(RecoveryCase.ACTIVE_DAMAGED, RecoveryCase.decide(o));
        o.descriptorIntact = true;
        assertEquals(RecoveryCase.ACTIVE_INTACT, RecoveryCase.decide(o));
        o.cleanShutdown = true;
        assertEquals(RecoveryCase.ACTIVE_INTACT, RecoveryCase.decide(o),
            "an active cycle is restored however we stopped");
        o.state = WijHeader.STATE_COMPLETE;
        assertEquals(RecoveryCase.COMPLETE_CLEAN, RecoveryCase.decide(o));
        o.cleanShutdown = false;
        assertEquals(RecoveryCase.COMPLETE_AFTER_CRASH, RecoveryCase.decide(o));
        o.descriptorIntact = false;
        assertEquals(RecoveryCase.COMPLETE_NOTHING_TO_COMPARE, RecoveryCase.decide(o));
        o.state = WijHeader.STATE_EMPTY;
        assertEquals(RecoveryCase.EMPTY, RecoveryCase.decide(o));
        o.state = WijHeader.STATE_MISMATCH;
        assertEquals(RecoveryCase.FOREIGN, RecoveryCase.decide(o));
    }

    /**
     * @return the descriptor of the cycle the WIJ header names (which must be intact).
     */
    private CycleDescriptor lastCycle() throws Exception
    {
        try (WijFile f = WijFile.open(NioFileLayer.INSTANCE, root.resolve("wij").resolve(WijFile.FILE_NAME), false))
        {
            final CycleDescriptor cycle = new CycleDescriptor();
            assertNull(f.readDescriptor(f.readHeader(), cycle, new org.agrona.ExpandableDirectByteBuffer(1024)));
            return cycle;
        }
    }

    static void corrupt(final Path file, final long offset) throws Exception
    {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(offset);
            final int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5A);
        }
    }
}
