package org.bulwark.probes;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The recommendation from made-up results: the lower p50 of the two preallocated overwrites wins
 * outside the tie band, fdatasync inside it; the window is the chosen sync's p50.
 */
class SyncRecommendationTest
{
    private static DiskProbeResult result(final long fdatasyncNs, final long dsyncNs)
    {
        return new DiskProbeResult(Path.of("/probe"), List.of(
            variant(SyncMode.FDATASYNC, fdatasyncNs), variant(SyncMode.DSYNC, dsyncNs)), 1 << 20, 1.0,
            new DeviceFacts(null, null, null, null, null, false, null, null, null, null, null, null), 2, 0.0);
    }

    private static DiskProbeResult.Variant variant(final SyncMode mode, final long latencyNs)
    {
        final Histogram histogram = Latency.newHistogram();
        Latency.record(histogram, latencyNs);
        return new DiskProbeResult.Variant(DiskProbeResult.Shape.OVERWRITE, mode, 4096,
            new WriteLatency(histogram, 1.0));
    }

    @Test
    void theFasterMethodWinsOutsideTheTieBand()
    {
        final SyncRecommendation dsync = SyncRecommendation.from(result(200_000, 120_000));
        assertEquals("dsync", dsync.syncMethod());
        assertEquals(120, dsync.groupCommitWindowUs(), 1);

        final SyncRecommendation fdatasync = SyncRecommendation.from(result(100_000, 150_000));
        assertEquals("fdatasync", fdatasync.syncMethod());
        assertEquals(100, fdatasync.groupCommitWindowUs(), 1);
    }

    @Test
    void aTieKeepsFdatasync()
    {
        final SyncRecommendation tie = SyncRecommendation.from(result(105_000, 100_000));
        assertEquals("fdatasync", tie.syncMethod());
        assertTrue(tie.reason().contains("tie band"), tie.reason());
        assertEquals(105, tie.groupCommitWindowUs(), 1);
    }
}
