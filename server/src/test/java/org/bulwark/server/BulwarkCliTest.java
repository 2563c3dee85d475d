package org.bulwark.server;

import org.agrona.ExpandableDirectByteBuffer;
import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;
import org.bulwark.store.block.BlockFile;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.wij.CycleDescriptor;
import org.bulwark.wij.WijFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The command line end to end: the demo, integrity (clean, damaged, truncated), and the recovery
 * tool from a refused start to a clean one, by script and by menu (SPEC S-5, W-6, E-2).
 */
class BulwarkCliTest
{
    @TempDir
    Path dir;

    private String output;
    private String errors;

    private int cli(final String stdin, final String... args)
    {
        final CliRun run = CliRun.run(stdin, args);
        output = run.output();
        errors = run.errors();
        return run.code();
    }

    private Path config() throws Exception
    {
        return CliRun.memberConfig(dir, "databases = MAIN, SECOND", "database.MAIN.blockSize = 4k",
            "map.Other* = SECOND", "pool.size = 4m");
    }

    @Test
    void demoRunsTwiceAndChecksIntegrity() throws Exception
    {
        assertEquals(0, cli("", "demo", "--data", dir.resolve("d").toString()), errors);
        assertTrue(output.contains("USER> write $order(^Demo(\"fruit\",\"\"))\napple"), output);
        assertTrue(output.contains("<UNDEFINED> ^Demo(\"fruit\",\"pear\")"), output);
        assertTrue(output.contains("Integrity of database MAIN: no errors"), output);
        assertEquals(0, cli("", "demo", "--data", dir.resolve("d").toString()), errors);
        assertTrue(output.contains("write $increment(^Demo(\"runs\"))\n2"), output);
        assertTrue(output.contains("COMPLETE_CLEAN"), output);
        assertEquals(0, cli("", "integrity", "--data", dir.resolve("d").toString()), errors);
        assertTrue(output.contains("All 1 database(s) are sound."), output);
    }

    @Test
    void usageAndConfigurationErrorsExitWithTwo() throws Exception
    {
        assertEquals(2, cli("", "frobnicate"));
        assertTrue(errors.contains("unknown command 'frobnicate'"), errors);
        assertEquals(2, cli("", "demo", "--bogus"));
        assertTrue(errors.contains("unknown option '--bogus'"), errors);
        final Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "pool.size = 12q\n");
        assertEquals(2, cli("", "demo", "--config", bad.toString()));
        assertTrue(errors.contains("line 1") && errors.contains("pool.size"), errors);
        assertEquals(0, cli("", "config"));
        assertTrue(output.contains("wij.targetSize"), output);
    }

    @Test
    void integrityReportsADamagedBlockWithItsNumber() throws Exception
    {
        final Path config = config();
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            for (int i = 0; i < 3000; i++)
            {
                instance.store().session().set("value " + i, "x", i);
            }
        }
        final Path file = dir.resolve("data").resolve("main").resolve(BlockFile.FILE_NAME);
        corrupt(file, 5L * 4096 + 300);
        assertEquals(1, cli("", "integrity", "--config", config.toString()), output + errors);
        assertTrue(output.contains("ERROR block 5: checksum mismatch"), output);
        assertTrue(output.contains("1 of 2 database(s) have errors."), output);
        assertEquals(0, cli("", "integrity", "SECOND", "--config", config.toString()), output + errors);
    }

    @Test
    void aTruncatedBlockFileIsReportedWithItsSize() throws Exception
    {
        final Path config = config();
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            instance.store().session().set("v", "x", 1);
        }
        final Path file = dir.resolve("data").resolve("main").resolve(BlockFile.FILE_NAME);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.setLength(20 * 4096);
        }
        assertEquals(1, cli("", "integrity", "--config", config.toString()));
        assertTrue(output.contains("offset 81920: file is truncated"), output);
        assertEquals(1, cli("", "demo", "--config", config.toString()));
        assertTrue(errors.contains("file is truncated"), errors);
    }

    @Test
    void mismatchRefusesStartUntilTheOperatorResolvesIt() throws Exception
    {
        final Path config = config();
        final int block = crashAfterACycleWithALostBlockWrite(config);

        assertEquals(3, cli("", "demo", "--config", config.toString()));
        assertTrue(errors.contains("MISMATCH.WIJ") && errors.contains("block " + block), errors);
        assertEquals(3, cli("", "demo", "--config", config.toString()));
        assertTrue(errors.contains("MISMATCH_PENDING"), errors);
        assertEquals(3, cli("", "recover", "start", "--config", config.toString()));

        assertEquals(0, cli("", "recover", "list", "--config", config.toString()), errors);
        assertTrue(output.contains("Database MAIN") && output.contains("[" + block + "]"), output);
        assertEquals(0, cli("", "recover", "view", "MAIN", Integer.toString(block), "--config", config.toString()),
            errors);
        assertTrue(output.contains("checksum INVALID") && output.contains("1 of 4096 bytes differ"), output);
        assertEquals(1, cli("", "recover", "apply", "--config", config.toString()));
        assertTrue(errors.contains("--yes"), errors);
        assertEquals(0, cli("", "recover", "apply", "--yes", "--config", config.toString()), errors);
        assertTrue(output.contains("Applied 1 block(s)."), output);

        // The rest by menu: integrity, rename, start.
        assertEquals(0, cli("6\n3\n7\n", "recover", "--config", config.toString()), errors);
        assertTrue(output.contains("All 2 database(s) are sound."), output);
        assertTrue(output.contains("Renamed to ") && output.contains("MISMATCH.WIJ."), output);
        assertTrue(output.contains("Started normally"), output);

        final String log = Files.readString(dir.resolve("data").resolve("messages.log"));
        assertTrue(log.contains("[RECOVER] applied 1 block(s)") && log.contains("[RECOVER] renamed"), log);
        assertEquals(0, cli("", "demo", "--config", config.toString()), errors);
    }

    @Test
    void aDismountedDatabaseIsNotMountedUntilMountedAgain() throws Exception
    {
        final Path config = config();
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            instance.store().session().set("kept", "OtherThing", 1);
        }
        assertEquals(0, cli("", "recover", "dismount", "SECOND", "--config", config.toString()), errors);
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            final BulwarkException ex = assertThrows(BulwarkException.class,
                () -> instance.store().session().get("OtherThing", 1));
            assertEquals(ErrorCode.DATABASE, ex.code());
            assertTrue(ex.getMessage().contains("dismounted"), ex.getMessage());
        }
        assertEquals(0, cli("", "recover", "mount", "SECOND", "--config", config.toString()), errors);
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            assertEquals("kept", instance.store().session().getString("OtherThing", 1));
        }
    }

    /**
     * Write a cycle, die without a clean shutdown, then lose one of the cycle's block writes as a
     * disk with a volatile cache might.
     *
     * @return the damaged block.
     */
    private int crashAfterACycleWithALostBlockWrite(final Path config) throws Exception
    {
        final Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions().daemonThread(false));
        for (int i = 0; i < 500; i++)
        {
            instance.store().session().set("value " + i, "x", i);
        }
        instance.daemon().runCycle();
        instance.abandon();
        final int block;
        try (WijFile wij = WijFile.open(NioFileLayer.INSTANCE, dir.resolve("data").resolve("wij")
            .resolve(WijFile.FILE_NAME), false))
        {
            final CycleDescriptor descriptor = new CycleDescriptor();
            assertNull(wij.readDescriptor(wij.readHeader(), descriptor, new ExpandableDirectByteBuffer(1024)));
            block = descriptor.recordBlock(descriptor.recordCount() - 1);
        }
        corrupt(dir.resolve("data").resolve("main").resolve(BlockFile.FILE_NAME), (long)block * 4096 + 100);
        return block;
    }

    private static void corrupt(final Path file, final long offset) throws Exception
    {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(offset);
            final int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x21);
        }
    }
}
