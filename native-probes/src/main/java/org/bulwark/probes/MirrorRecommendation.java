package org.bulwark.probes;

import java.util.Locale;

/**
 * The mirror settings a network probe recommends for the link it measured (SPEC P-2, M-7, M-18).
 * <p>
 * <b>QoS timeout</b>: {@code max(floor, 2 × max(10 × p99.9, max))} of the round trips, rounded up to
 * 100 ms:
 * <ul>
 * <li>2 ×: every mirror wait expires somewhere between half the QoS timeout and all of it (M-7), so the
 *     shortest wait, QoS / 2, must hold the answer.</li>
 * <li>10 × p99.9: a probe sees thousands of round trips, a mirror billions of acknowledgements; the rarer
 *     delays it will meet (a lost datagram and its retransmission, a burst of other traffic) are not in
 *     the sample. An order of magnitude above the rarest percentile the sample does resolve covers them
 *     without pretending to know their size.</li>
 * <li>max: a stall the probe did see must fit in the shortest wait too.</li>
 * <li>floor: the answer also waits for things no network probe measures — the backup's journal write,
 *     a garbage collection, a busy host — so the timeout never goes below 2 s on physical hosts. On a
 *     virtual machine (either end) the floor is 8 s, the mirror's default: a hypervisor freezes a guest
 *     for seconds during snapshots and migrations, and a timeout that trips then fails over a healthy
 *     primary.</li>
 * </ul>
 * On a LAN the floor decides (round trips are micro- to milliseconds); the measured part decides only on
 * slow or erratic links, where it should.
 * <p>
 * <b>Compression</b> of the journal stream: none on the same host (no link to save); none when the stream
 * carried at least 1 Gbit/s — the journal's bursts fit, and compressing would add CPU time to every
 * synchronously acknowledged commit; LZ4 from 100 Mbit/s to 1 Gbit/s, where a busy journal (this class of
 * disk writes hundreds of MB/s) can outrun the link and LZ4 shrinks the bytes 2-3× faster than such a link
 * carries them; Zstd below 100 Mbit/s, where the link is the bottleneck by far and a better ratio is
 * worth the CPU.
 *
 * @param qosTimeoutMs      the recommended {@code mirror.qosTimeoutMs}.
 * @param qosFloorMs        the floor that applied.
 * @param qosReason         why, with the numbers.
 * @param compression       the recommended {@code mirror.compression}: none, lz4 or zstd.
 * @param compressionReason why, with the numbers.
 */
public record MirrorRecommendation(
    long qosTimeoutMs, long qosFloorMs, String qosReason, String compression, String compressionReason)
{
    public static final String QOS_TIMEOUT_KEY = "mirror.qosTimeoutMs";
    public static final String COMPRESSION_KEY = "mirror.compression";
    public static final long QOS_FLOOR_PHYSICAL_MS = 2_000;
    public static final long QOS_FLOOR_VIRTUAL_MS = 8_000;
    static final int TAIL_FACTOR = 10;
    static final int SHORTEST_WAIT_FACTOR = 2;
    static final long ROUND_TO_MS = 100;
    /** 1 Gbit/s of payload. */
    public static final double FAST_LINK_BYTES_PER_SECOND = 125e6;
    /** 100 Mbit/s of payload. */
    public static final double SLOW_LINK_BYTES_PER_SECOND = 12.5e6;
    private static final long NS_PER_MS = 1_000_000;

    public static MirrorRecommendation from(final NetProbeResult result)
    {
        final long p999Ns = result.percentileNs(99.9);
        final long maxNs = result.maxNs();
        final long neededNs = SHORTEST_WAIT_FACTOR * Math.max(TAIL_FACTOR * p999Ns, maxNs);
        final long neededMs = roundUp((neededNs + NS_PER_MS - 1) / NS_PER_MS);
        final long floorMs = result.virtual() ? QOS_FLOOR_VIRTUAL_MS : QOS_FLOOR_PHYSICAL_MS;
        final long qosMs = Math.max(floorMs, neededMs);
        final String floorWhy = result.virtual() ?
            (result.localHost().virtual() ? "this host" : "the responder's host") + " is a virtual machine" :
            "both hosts are physical";
        final String qosReason = String.format(Locale.ROOT,
            "2 × max(10 × p99.9 %.1f µs, max %.1f µs) = %d ms; the floor is %d ms because %s",
            Latency.us(p999Ns), Latency.us(maxNs), neededMs, floorMs, floorWhy);

        final double bytesPerSecond = result.streamBytesPerSecond();
        final double mbit = bytesPerSecond * 8 / 1e6;
        final String compression;
        final String compressionReason;
        if (result.sameHost())
        {
            compression = "none";
            compressionReason = "the responder is on this host: there is no link to spare";
        }
        else if (bytesPerSecond >= FAST_LINK_BYTES_PER_SECOND)
        {
            compression = "none";
            compressionReason = String.format(Locale.ROOT,
                "the stream carried %.0f Mbit/s, at least 1 Gbit/s: compressing would only add CPU time to " +
                "every acknowledged commit", mbit);
        }
        else if (bytesPerSecond >= SLOW_LINK_BYTES_PER_SECOND)
        {
            compression = "lz4";
            compressionReason = String.format(Locale.ROOT,
                "the stream carried %.0f Mbit/s, below 1 Gbit/s: a busy journal can outrun it, and LZ4 " +
                "compresses faster than it carries", mbit);
        }
        else
        {
            compression = "zstd";
            compressionReason = String.format(Locale.ROOT,
                "the stream carried %.1f Mbit/s, below 100 Mbit/s: the link is the bottleneck, Zstd's " +
                "ratio is worth its CPU", mbit);
        }
        return new MirrorRecommendation(qosMs, floorMs, qosReason, compression, compressionReason);
    }

    private static long roundUp(final long ms)
    {
        return (ms + ROUND_TO_MS - 1) / ROUND_TO_MS * ROUND_TO_MS;
    }
}
