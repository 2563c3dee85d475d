package org.bulwark.probes;

import java.util.Locale;

/**
 * The journal sync method and group-commit window a probe result recommends.
 * <p>
 * The journal writes pages into preallocated files, so the choice is between the two overwrite
 * variants at 4 KiB: the lower p50 wins, unless they are within the tie band of each other, when
 * {@code fdatasync} (the default) stays. The window is the chosen sync's p50: the journal puts every
 * commit that arrives while a sync is in flight into the next sync, so a commit waits for at most the
 * rest of one sync plus its own, and a window much longer than one sync only adds latency.
 *
 * @param syncMethod        "fdatasync" or "dsync", as {@code journal.syncMethod} takes it.
 * @param fdatasyncP50Ns    p50 of a 4 KiB preallocated overwrite + fdatasync.
 * @param dsyncP50Ns        p50 of a 4 KiB preallocated overwrite with O_DSYNC.
 * @param groupCommitWindowUs the recommended window.
 * @param reason            one sentence saying why.
 */
public record SyncRecommendation(
    String syncMethod, long fdatasyncP50Ns, long dsyncP50Ns, long groupCommitWindowUs, String reason)
{
    /**
     * Differences below this share of the faster p50 are noise: on a virtual disk shared with other
     * work, run-to-run p50s of the same variant move by about this much.
     */
    public static final double TIE_BAND_FRACTION = 0.15;
    /** ... and below this, whatever the share. */
    public static final long TIE_BAND_MIN_NS = 5_000;

    public static final int WRITE_BYTES = 4096;

    public static SyncRecommendation from(final DiskProbeResult result)
    {
        final DiskProbeResult.Variant fdatasync =
            result.find(DiskProbeResult.Shape.OVERWRITE, SyncMode.FDATASYNC, WRITE_BYTES);
        final DiskProbeResult.Variant dsync = result.find(DiskProbeResult.Shape.OVERWRITE, SyncMode.DSYNC, WRITE_BYTES);
        final long fdatasyncNs = fdatasync.latency().p50Ns();
        final long dsyncNs = dsync.latency().p50Ns();
        final long bandNs = Math.max(TIE_BAND_MIN_NS, (long)(Math.min(fdatasyncNs, dsyncNs) * TIE_BAND_FRACTION));
        final String method;
        final String reason;
        if (Math.abs(fdatasyncNs - dsyncNs) <= bandNs)
        {
            method = "fdatasync";
            reason = String.format(Locale.ROOT,
                "the p50s differ by %.0f µs, within the tie band of %.0f µs: fdatasync, the default, stays",
                Latency.us(Math.abs(fdatasyncNs - dsyncNs)), Latency.us(bandNs));
        }
        else if (dsyncNs < fdatasyncNs)
        {
            method = "dsync";
            reason = String.format(Locale.ROOT,
                "O_DSYNC is %.0f µs faster at p50 than write + fdatasync (tie band %.0f µs)",
                Latency.us(fdatasyncNs - dsyncNs), Latency.us(bandNs));
        }
        else
        {
            method = "fdatasync";
            reason = String.format(Locale.ROOT,
                "write + fdatasync is %.0f µs faster at p50 than O_DSYNC (tie band %.0f µs)",
                Latency.us(dsyncNs - fdatasyncNs), Latency.us(bandNs));
        }
        final long chosenNs = "dsync".equals(method) ? dsyncNs : fdatasyncNs;
        return new SyncRecommendation(method, fdatasyncNs, dsyncNs, (chosenNs + 999) / 1000, reason);
    }
}
