package org.bulwark.probes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The disk probe on a temp directory with a handful of writes per variant: every variant runs, its
 * percentiles are ordered, the probe files are gone afterwards, and bad directories are named. No
 * timings are asserted.
 */
class DiskProbeTest
{
    private static final int OPS = 12;

    @TempDir
    Path dir;

    private DiskProbe probe(final Path directory)
    {
        final DeviceFactsReader noSys = new DeviceFactsReader(dir.resolve("no-sys"), dir.resolve("no-mountinfo"));
        return new DiskProbe(directory, 1L << 20, OPS, noSys);
    }

    @Test
    void everyVariantRunsWithOrderedPercentilesAndLeavesNoFiles() throws Exception
    {
        final Path probed = Files.createDirectory(dir.resolve("probed"));
        final DiskProbeResult result = probe(probed).run();

        assertEquals(12, result.variants().size());
        for (final int writeBytes : DiskProbe.WRITE_SIZES_BYTES)
        {
            for (final DiskProbeResult.Shape shape : DiskProbeResult.Shape.values())
            {
                assertTrue(result.variants().stream().anyMatch(v -> v.shape() == shape && v.writeBytes() == writeBytes),
                    shape + " " + writeBytes);
            }
        }
        for (final DiskProbeResult.Variant variant : result.variants())
        {
            final WriteLatency latency = variant.latency();
            assertEquals(OPS, latency.count(), variant.name());
            assertTrue(latency.p50Ns() > 0, variant.name());
            assertTrue(latency.p50Ns() <= latency.percentileNs(90), variant.name());
            assertTrue(latency.percentileNs(90) <= latency.percentileNs(99), variant.name());
            assertTrue(latency.percentileNs(99) <= latency.percentileNs(99.9), variant.name());
            assertTrue(latency.percentileNs(99.9) <= latency.latencyNs().highestEquivalentValue(latency.maxNs()),
                variant.name());
            assertTrue(latency.opsPerSecond() > 0, variant.name());
        }
        assertTrue(result.sequentialMibPerSecond() > 0);
        try (Stream<Path> left = Files.list(probed))
        {
            assertEquals(0, left.count(), "probe files left behind");
        }

        final SyncRecommendation recommendation = SyncRecommendation.from(result);
        assertTrue(recommendation.syncMethod().equals("fdatasync") || recommendation.syncMethod().equals("dsync"));
        assertTrue(recommendation.groupCommitWindowUs() >= 1);
        final String text = DiskProbeReport.text(result, recommendation);
        assertTrue(text.contains("recommendation"), text);
        assertTrue(text.contains("journal.syncMethod = " + recommendation.syncMethod()), text);
        assertTrue(text.contains("mmap write + MappedByteBuffer.force()"), text);
        final String json = DiskProbeReport.json(result, recommendation);
        assertTrue(json.startsWith("{\"directory\":") && json.endsWith("}"), json);
        assertTrue(json.contains("\"syncMethod\":\"" + recommendation.syncMethod() + "\""), json);
        assertTrue(json.contains("\"p999Us\":"), json);
    }

    @Test
    void aMissingDirectoryIsNamed()
    {
        final Path missing = dir.resolve("does-not-exist");
        final ProbeException ex = assertThrows(ProbeException.class, () -> probe(missing).run());
        assertTrue(ex.getMessage().contains(missing.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("does not exist"), ex.getMessage());
    }

    @Test
    void notEnoughSpaceIsNamedBeforeAnythingIsWritten() throws Exception
    {
        final DeviceFactsReader noSys = new DeviceFactsReader(dir.resolve("no-sys"), dir.resolve("no-mountinfo"));
        final ProbeException ex = assertThrows(ProbeException.class,
            () -> new DiskProbe(dir, 1L << 50, OPS, noSys).run());
        assertTrue(ex.getMessage().startsWith("not enough space in " + dir), ex.getMessage());
        try (Stream<Path> left = Files.list(dir))
        {
            assertEquals(0, left.count());
        }
    }

    @Test
    void aFileIsNotADirectory() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("plain-file"), "x");
        final ProbeException ex = assertThrows(ProbeException.class, () -> probe(file).run());
        assertTrue(ex.getMessage().contains(file + " is not a directory"), ex.getMessage());
    }
}
