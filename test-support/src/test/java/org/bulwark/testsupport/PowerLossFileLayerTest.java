package org.bulwark.testsupport;

import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.SyncLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The power-loss layer passes everything through and builds crash images that keep exactly what
 * was synced and tear pending writes at absolute 512-byte boundaries. Random images are seeded and
 * every failure message names the seed.
 */
class PowerLossFileLayerTest
{
    private static final int SEEDS = 200;
    /** SPEC F-2 tears at 512 bytes; not read from the layer, so a wrong constant there fails here. */
    private static final int SECTOR = 512;

    @TempDir
    Path tmp;

    private int images;

    @Test
    void passThroughWritesTheRealFileAtOnce() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        try (DurableFile file = layer.open(path, true))
        {
            final byte[] expected = new byte[300];
            final byte[] first = pattern(100, 1);
            final ByteBuffer src = ByteBuffer.wrap(first);
            file.write(src, 10);
            assertFalse(src.hasRemaining(), "write consumes its buffer");
            System.arraycopy(first, 0, expected, 10, 100);
            assertArrayEquals(Arrays.copyOf(expected, 110), Files.readAllBytes(path));

            final byte[] second = pattern(50, 2);
            final byte[] third = pattern(40, 3);
            final ByteBuffer[] srcs = {ByteBuffer.allocate(7), ByteBuffer.wrap(second), ByteBuffer.wrap(third)};
            file.write(srcs, 1, 2, 200);
            System.arraycopy(second, 0, expected, 200, 50);
            System.arraycopy(third, 0, expected, 250, 40);
            assertArrayEquals(Arrays.copyOf(expected, 290), Files.readAllBytes(path));
            assertEquals(7, srcs[0].remaining(), "buffers outside offset..length untouched");

            file.setLength(300);
            assertArrayEquals(expected, Files.readAllBytes(path));
            file.setLength(150);
            assertArrayEquals(Arrays.copyOf(expected, 150), Files.readAllBytes(path));
            assertEquals(150, file.size());

            final ByteBuffer dst = ByteBuffer.allocate(200);
            assertEquals(150, file.read(dst, 0));
            assertArrayEquals(Arrays.copyOf(expected, 150), Arrays.copyOf(dst.array(), 150));

            file.sync(SyncLevel.DATA);
            assertEquals(5, layer.eventCount(), "reads are not recorded");
            assertEquals(1, layer.syncCount());
        }

        // Keeping every pending event reproduces the real file, gathered write included.
        final Path image = nextImage();
        layer.writeCrashImageKeepingPending(layer.eventCount() - 1, source, image);
        assertArrayEquals(Files.readAllBytes(path), Files.readAllBytes(image.resolve("a.dat")));
    }

    @Test
    void writesSyncedBeforeTheCutAlwaysSurvive() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        Files.write(path, pattern(3 * 4096, 0));
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        final byte[] synced = pattern(4096, 1);
        try (DurableFile file = layer.open(path, false))
        {
            file.write(ByteBuffer.wrap(synced), 1000);
            file.sync(SyncLevel.DATA);
            file.write(ByteBuffer.wrap(pattern(4096, 2)), 6000);
            file.setLength(11000);
            file.write(ByteBuffer.wrap(pattern(100, 3)), 9000);
        }
        final long syncIndex = layer.syncEventIndexes().get(0);
        assertEquals(1, syncIndex);

        for (long seed = 0; seed < SEEDS / 4; seed++)
        {
            for (long cut = syncIndex + 1; cut <= layer.eventCount(); cut++)
            {
                final Path image = nextImage();
                layer.writeCrashImage(cut, source, image, new Random(seed));
                final byte[] bytes = Files.readAllBytes(image.resolve("a.dat"));
                assertTrue(bytes.length >= 5096, "seed " + seed + " cut " + cut + " length " + bytes.length);
                assertArrayEquals(synced, Arrays.copyOfRange(bytes, 1000, 5096), "seed " + seed + " cut " + cut);
            }
        }
    }

    @Test
    void droppingPendingLosesEveryUnsyncedWrite() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        final byte[] old = pattern(8192, 0);
        Files.write(path, old);
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        final byte[] synced = pattern(1024, 1);
        try (DurableFile file = layer.open(path, false))
        {
            file.write(ByteBuffer.wrap(pattern(4096, 2)), 2048);
            file.write(ByteBuffer.wrap(synced), 0);
            file.sync(SyncLevel.DATA_AND_METADATA);
            file.write(ByteBuffer.wrap(pattern(4096, 3)), 512);
            final ByteBuffer[] srcs = {ByteBuffer.wrap(pattern(10, 4)), ByteBuffer.wrap(pattern(700, 5))};
            file.write(srcs, 0, 2, 7000);
            file.sync(SyncLevel.NONE);
        }

        final byte[] expected = old.clone();
        System.arraycopy(pattern(4096, 2), 0, expected, 2048, 4096);
        System.arraycopy(synced, 0, expected, 0, 1024);
        final Path dropped = nextImage();
        layer.writeCrashImageDroppingPending(layer.eventCount(), source, dropped);
        assertArrayEquals(expected, Files.readAllBytes(dropped.resolve("a.dat")));

        final Path kept = nextImage();
        layer.writeCrashImageKeepingPending(layer.eventCount(), source, kept);
        assertArrayEquals(Files.readAllBytes(path), Files.readAllBytes(kept.resolve("a.dat")));
        assertFalse(Arrays.equals(expected, Files.readAllBytes(path)), "the real file holds the unsynced writes");

        final Path beforeAnything = nextImage();
        layer.writeCrashImageKeepingPending(0, source, beforeAnything);
        assertArrayEquals(old, Files.readAllBytes(beforeAnything.resolve("a.dat")));
    }

    @Test
    void unsyncedFourKilobyteWriteTearsIntoWholeOldOrNewSectors() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        final byte[] old = pattern(3 * 4096, 10);
        final byte[] fresh = pattern(4096, 11);
        final int offset = 4096;
        Files.write(path, old);
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        try (DurableFile file = layer.open(path, false))
        {
            file.write(ByteBuffer.wrap(fresh), offset);
        }

        final int sectors = fresh.length / SECTOR;
        final int[] newCount = new int[sectors];
        final boolean[] differsFromNext = new boolean[sectors - 1];
        int torn = 0;
        for (long seed = 0; seed < SEEDS; seed++)
        {
            final Path image = nextImage();
            layer.writeCrashImage(layer.eventCount(), source, image, new Random(seed));
            final byte[] bytes = Files.readAllBytes(image.resolve("a.dat"));
            assertEquals(old.length, bytes.length, "seed " + seed);
            assertArrayEquals(Arrays.copyOf(old, offset), Arrays.copyOf(bytes, offset), "seed " + seed);
            assertArrayEquals(Arrays.copyOfRange(old, offset + fresh.length, old.length),
                Arrays.copyOfRange(bytes, offset + fresh.length, old.length), "seed " + seed);
            int newSectors = 0;
            final boolean[] isNewSector = new boolean[sectors];
            for (int s = 0; s < sectors; s++)
            {
                final int from = offset + s * SECTOR;
                final byte[] actual = Arrays.copyOfRange(bytes, from, from + SECTOR);
                final boolean isNew = Arrays.equals(Arrays.copyOfRange(fresh, s * SECTOR, (s + 1) * SECTOR), actual);
                final boolean isOld = Arrays.equals(Arrays.copyOfRange(old, from, from + SECTOR), actual);
                assertTrue(isNew ^ isOld, "seed " + seed + " sector " + s + " is neither entirely old nor new");
                isNewSector[s] = isNew;
                if (isNew)
                {
                    newCount[s]++;
                    newSectors++;
                }
            }
            for (int s = 0; s < sectors - 1; s++)
            {
                differsFromNext[s] |= isNewSector[s] != isNewSector[s + 1];
            }
            if (newSectors > 0 && newSectors < sectors)
            {
                torn++;
            }
        }
        for (int s = 0; s < sectors; s++)
        {
            assertTrue(newCount[s] > 0 && newCount[s] < SEEDS,
                "sector " + s + " new in " + newCount[s] + " of seeds 0.." + (SEEDS - 1));
        }
        for (int s = 0; s < sectors - 1; s++)
        {
            assertTrue(differsFromNext[s], "sectors " + s + " and " + (s + 1) + " always agree in seeds 0.." +
                (SEEDS - 1) + ": tearing is coarser than " + SECTOR + " bytes");
        }
        assertTrue(torn > 0, "no torn image in seeds 0.." + (SEEDS - 1));
    }

    @Test
    void unalignedWriteTearsAtAbsoluteSectorBoundaries() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        final byte[] old = pattern(2048, 20);
        final byte[] fresh = pattern(1000, 21);
        Files.write(path, old);
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        try (DurableFile file = layer.open(path, false))
        {
            file.write(ByteBuffer.wrap(fresh), 300);
        }

        final int[][] pieces = {{300, 512}, {512, 1024}, {1024, 1300}};
        final int[] newCount = new int[pieces.length];
        boolean firstTwoDiffer = false;
        for (long seed = 0; seed < SEEDS; seed++)
        {
            final Path image = nextImage();
            layer.writeCrashImage(layer.eventCount(), source, image, new Random(seed));
            final byte[] bytes = Files.readAllBytes(image.resolve("a.dat"));
            assertEquals(old.length, bytes.length, "seed " + seed);
            assertArrayEquals(Arrays.copyOf(old, 300), Arrays.copyOf(bytes, 300), "seed " + seed);
            assertArrayEquals(Arrays.copyOfRange(old, 1300, 2048), Arrays.copyOfRange(bytes, 1300, 2048),
                "seed " + seed);
            final boolean[] isNewPiece = new boolean[pieces.length];
            for (int p = 0; p < pieces.length; p++)
            {
                final int from = pieces[p][0];
                final int to = pieces[p][1];
                final byte[] actual = Arrays.copyOfRange(bytes, from, to);
                final boolean isNew = Arrays.equals(Arrays.copyOfRange(fresh, from - 300, to - 300), actual);
                final boolean isOld = Arrays.equals(Arrays.copyOfRange(old, from, to), actual);
                assertTrue(isNew ^ isOld, "seed " + seed + " piece [" + from + ", " + to + ") is mixed");
                newCount[p] += isNew ? 1 : 0;
                isNewPiece[p] = isNew;
            }
            firstTwoDiffer |= isNewPiece[0] != isNewPiece[1];
        }
        assertTrue(firstTwoDiffer, "[300, 512) and [512, 1024) always agree: not cut at the absolute boundary");
        for (int p = 0; p < pieces.length; p++)
        {
            assertTrue(newCount[p] > 0 && newCount[p] < SEEDS, "piece " + p + " new in " + newCount[p] + " seeds");
        }
    }

    @Test
    void laterSurvivingSectorOverwritesEarlierOne() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        final byte[] old = pattern(SECTOR, 30);
        final byte[] first = pattern(SECTOR, 31);
        final byte[] second = pattern(SECTOR, 32);
        Files.write(path, old);
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        try (DurableFile file = layer.open(path, false))
        {
            file.write(ByteBuffer.wrap(first), 0);
            file.write(ByteBuffer.wrap(second), 0);
        }

        final boolean[] seen = new boolean[3];
        for (long seed = 0; seed < SEEDS; seed++)
        {
            final Path image = nextImage();
            layer.writeCrashImage(layer.eventCount(), source, image, new Random(seed));
            final byte[] bytes = Files.readAllBytes(image.resolve("a.dat"));
            final int which = Arrays.equals(old, bytes) ? 0 : Arrays.equals(first, bytes) ? 1 :
                Arrays.equals(second, bytes) ? 2 : -1;
            assertNotEquals(-1, which, "seed " + seed);
            seen[which] = true;
        }
        assertArrayEquals(new boolean[] {true, true, true}, seen, "old, first and second all occur");
    }

    @Test
    void syncOfOneFileDoesNotMakeAnotherFileDurable() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path a = source.resolve("a.dat");
        final Path b = source.resolve("b.dat");
        final byte[] oldA = pattern(4096, 40);
        final byte[] oldB = pattern(4096, 41);
        Files.write(a, oldA);
        Files.write(b, oldB);
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        final byte[] newA = pattern(4096, 42);
        final byte[] newB = pattern(4096, 43);
        try (DurableFile fileA = layer.open(a, false); DurableFile fileB = layer.open(b, false))
        {
            fileB.write(ByteBuffer.wrap(newB), 0);
            fileA.write(ByteBuffer.wrap(newA), 0);
            fileA.sync(SyncLevel.DATA_AND_METADATA);
            fileB.sync(SyncLevel.NONE);
        }

        final Path image = nextImage();
        layer.writeCrashImageDroppingPending(layer.eventCount(), source, image);
        assertArrayEquals(newA, Files.readAllBytes(image.resolve("a.dat")));
        assertArrayEquals(oldB, Files.readAllBytes(image.resolve("b.dat")), "b was never synced");

        boolean sawOldSector = false;
        for (long seed = 0; seed < SEEDS && !sawOldSector; seed++)
        {
            final Path random = nextImage();
            layer.writeCrashImage(layer.eventCount(), source, random, new Random(seed));
            assertArrayEquals(newA, Files.readAllBytes(random.resolve("a.dat")), "seed " + seed);
            sawOldSector = !Arrays.equals(newB, Files.readAllBytes(random.resolve("b.dat")));
        }
        assertTrue(sawOldSector, "b's write stays pending after a's sync");
    }

    @Test
    void pendingSetLengthIsAppliedOrNot() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        final byte[] old = pattern(4096, 50);
        Files.write(path, old);
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        try (DurableFile file = layer.open(path, false))
        {
            file.setLength(8192);
        }

        final Path dropped = nextImage();
        layer.writeCrashImageDroppingPending(layer.eventCount(), source, dropped);
        assertArrayEquals(old, Files.readAllBytes(dropped.resolve("a.dat")));

        final Path kept = nextImage();
        layer.writeCrashImageKeepingPending(layer.eventCount(), source, kept);
        final byte[] grown = Arrays.copyOf(old, 8192);
        assertArrayEquals(grown, Files.readAllBytes(kept.resolve("a.dat")));

        boolean sawOld = false;
        boolean sawGrown = false;
        for (long seed = 0; seed < SEEDS; seed++)
        {
            final Path image = nextImage();
            layer.writeCrashImage(layer.eventCount(), source, image, new Random(seed));
            final byte[] bytes = Files.readAllBytes(image.resolve("a.dat"));
            sawOld |= Arrays.equals(old, bytes);
            sawGrown |= Arrays.equals(grown, bytes);
            assertTrue(Arrays.equals(old, bytes) || Arrays.equals(grown, bytes), "seed " + seed);
        }
        assertTrue(sawOld && sawGrown, "both outcomes in seeds 0.." + (SEEDS - 1));
    }

    @Test
    void syncedSetLengthIsDurableAndShrinkThenGrowExposesZeros() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        final byte[] old = pattern(4096, 60);
        Files.write(path, old);
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        try (DurableFile file = layer.open(path, false))
        {
            file.setLength(1024);
            file.setLength(3000);
            file.sync(SyncLevel.DATA);
            file.setLength(100);
        }
        final byte[] expected = Arrays.copyOf(Arrays.copyOf(old, 1024), 3000);
        assertArrayEquals(Arrays.copyOf(expected, 100), Files.readAllBytes(path));

        for (long seed = 0; seed < SEEDS; seed++)
        {
            final Path image = nextImage();
            layer.writeCrashImage(layer.eventCount(), source, image, new Random(seed));
            final byte[] bytes = Files.readAllBytes(image.resolve("a.dat"));
            assertTrue(Arrays.equals(expected, bytes) || Arrays.equals(Arrays.copyOf(expected, 100), bytes),
                "seed " + seed + " length " + bytes.length);
        }
        final Path dropped = nextImage();
        layer.writeCrashImageDroppingPending(layer.eventCount(), source, dropped);
        assertArrayEquals(expected, Files.readAllBytes(dropped.resolve("a.dat")));
    }

    @Test
    void syncEventIndexesLetATestCutAroundEverySync() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path a = source.resolve("a.dat");
        final Path b = source.resolve("b.dat");
        final byte[] old = pattern(1024, 70);
        Files.write(a, old);
        Files.write(b, old);
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        final byte[] first = pattern(512, 71);
        final byte[] third = pattern(512, 73);
        try (DurableFile fileA = layer.open(a, false); DurableFile fileB = layer.open(b, false))
        {
            fileA.write(ByteBuffer.wrap(first), 0);
            fileA.sync(SyncLevel.DATA);
            fileB.write(ByteBuffer.wrap(pattern(512, 72)), 0);
            fileB.sync(SyncLevel.NONE);
            fileA.write(ByteBuffer.wrap(third), 512);
            fileA.sync(SyncLevel.DATA_AND_METADATA);
        }
        assertEquals(List.of(1L, 3L, 5L), layer.syncEventIndexes());
        assertEquals(3, layer.syncCount());
        assertEquals(6, layer.eventCount());

        final byte[] afterFirst = old.clone();
        System.arraycopy(first, 0, afterFirst, 0, 512);
        final byte[] afterThird = afterFirst.clone();
        System.arraycopy(third, 0, afterThird, 512, 512);
        final byte[][] expectedA = {old, old, afterFirst, afterFirst, afterFirst, afterFirst, afterThird};
        for (int cut = 0; cut <= 6; cut++)
        {
            final Path image = nextImage();
            layer.writeCrashImageDroppingPending(cut, source, image);
            assertArrayEquals(expectedA[cut], Files.readAllBytes(image.resolve("a.dat")), "cut " + cut);
            assertArrayEquals(old, Files.readAllBytes(image.resolve("b.dat")), "cut " + cut);
        }
    }

    @Test
    void startRecordingMakesTheCurrentContentDurable() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        final byte[] old = pattern(1024, 80);
        Files.write(path, old);
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        final byte[] setup = pattern(512, 81);
        try (DurableFile file = layer.open(path, false))
        {
            file.write(ByteBuffer.wrap(setup), 0);
            file.sync(SyncLevel.NONE);
            layer.startRecording();
            assertEquals(0, layer.eventCount());
            assertEquals(0, layer.syncCount());
            assertEquals(List.of(), layer.syncEventIndexes());
            file.write(ByteBuffer.wrap(pattern(512, 82)), 512);
        }

        final byte[] expected = old.clone();
        System.arraycopy(setup, 0, expected, 0, 512);
        final Path image = nextImage();
        layer.writeCrashImageDroppingPending(layer.eventCount(), source, image);
        assertArrayEquals(expected, Files.readAllBytes(image.resolve("a.dat")));
    }

    @Test
    void unrecordedFilesAreCopiedAndCreatedFilesAppearFromTheirCreation() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path config = Files.createDirectories(source.resolve("conf/deep")).resolve("bulwark.conf");
        Files.writeString(config, "blockSize=4096\n");
        Files.createDirectories(source.resolve("empty"));
        final Path existing = source.resolve("data/a.dat");
        Files.createDirectories(existing.getParent());
        Files.write(existing, pattern(100, 90));
        final Path created = source.resolve("data/new.dat");
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        try (DurableFile file = layer.open(existing, false))
        {
            file.write(ByteBuffer.wrap(pattern(10, 91)), 0);
        }
        try (DurableFile file = layer.open(created, true))
        {
            file.write(ByteBuffer.wrap(pattern(10, 92)), 0);
            file.sync(SyncLevel.DATA);
        }

        final Path before = nextImage();
        layer.writeCrashImageKeepingPending(0, source, before);
        assertEquals("blockSize=4096\n", Files.readString(before.resolve("conf/deep/bulwark.conf")));
        assertTrue(Files.isDirectory(before.resolve("empty")));
        assertArrayEquals(pattern(100, 90), Files.readAllBytes(before.resolve("data/a.dat")));
        assertFalse(Files.exists(before.resolve("data/new.dat")), "created after the cut");

        final Path justCreated = nextImage();
        layer.writeCrashImageKeepingPending(1, source, justCreated);
        assertEquals(0, Files.size(justCreated.resolve("data/new.dat")), "created before the cut, written after");

        final Path after = nextImage();
        layer.writeCrashImageDroppingPending(layer.eventCount(), source, after);
        assertArrayEquals(pattern(10, 92), Files.readAllBytes(after.resolve("data/new.dat")));
        assertEquals("blockSize=4096\n", Files.readString(after.resolve("conf/deep/bulwark.conf")));
    }

    @Test
    void imageArgumentsAreChecked() throws IOException
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final Path path = source.resolve("a.dat");
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        try (DurableFile file = layer.open(path, true))
        {
            file.write(ByteBuffer.wrap(pattern(10, 1)), 0);
        }
        final Path target = nextImage();
        assertThrows(IllegalArgumentException.class, () -> layer.writeCrashImageKeepingPending(-1, source, target));
        assertThrows(IllegalArgumentException.class, () -> layer.writeCrashImageKeepingPending(2, source, target));
        assertThrows(IllegalArgumentException.class,
            () -> layer.writeCrashImageKeepingPending(1, source, source.resolve("image")));
        Files.createFile(Files.createDirectories(target).resolve("stale"));
        assertThrows(IllegalArgumentException.class, () -> layer.writeCrashImageKeepingPending(1, source, target));
    }

    @Test
    void concurrentWritersToDifferentFilesAreAllRecorded() throws Exception
    {
        final Path source = Files.createDirectories(tmp.resolve("src"));
        final int writers = 2;
        final int writes = 500;
        final int recordBytes = 100;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        final Thread[] threads = new Thread[writers];
        for (int t = 0; t < writers; t++)
        {
            final Path path = source.resolve("f" + t + ".dat");
            final int id = t;
            threads[t] = new Thread(() ->
            {
                try (DurableFile file = layer.open(path, true))
                {
                    for (int i = 0; i < writes; i++)
                    {
                        file.write(ByteBuffer.wrap(pattern(recordBytes, id * writes + i)), (long)i * recordBytes);
                        if (i % 10 == 9)
                        {
                            file.sync(SyncLevel.DATA);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertNull(failure.get());
        assertEquals(writers * (writes + writes / 10), layer.eventCount());
        assertEquals(writers * (writes / 10), layer.syncCount());

        final Path kept = nextImage();
        layer.writeCrashImageKeepingPending(layer.eventCount(), source, kept);
        final Path dropped = nextImage();
        layer.writeCrashImageDroppingPending(layer.eventCount(), source, dropped);
        for (int t = 0; t < writers; t++)
        {
            final byte[] real = Files.readAllBytes(source.resolve("f" + t + ".dat"));
            assertEquals(writes * recordBytes, real.length);
            assertArrayEquals(real, Files.readAllBytes(kept.resolve("f" + t + ".dat")));
            assertArrayEquals(real, Files.readAllBytes(dropped.resolve("f" + t + ".dat")), "last write was synced");
        }
    }

    private Path nextImage()
    {
        return tmp.resolve("image-" + images++);
    }

    /**
     * Independent random bytes per id, so a sector from the wrong source cannot pass for the right
     * one.
     */
    private static byte[] pattern(final int length, final int id)
    {
        final byte[] bytes = new byte[length];
        final Random random = new Random(0x5EED_0000L + id);
        random.nextBytes(bytes);
        return bytes;
    }
}
