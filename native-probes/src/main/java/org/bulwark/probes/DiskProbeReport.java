package org.bulwark.probes;

import java.util.Locale;

/**
 * The probe's result for people (a table, the device's facts and warnings, a recommendation block)
 * and for machines (one JSON object).
 */
public final class DiskProbeReport
{
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final int WIDTH_CHARS = 100;

    private DiskProbeReport()
    {
    }

    public static String text(final DiskProbeResult result, final SyncRecommendation recommendation)
    {
        final StringBuilder out = new StringBuilder();
        final DeviceFacts device = result.device();
        out.append("Disk probe of ").append(result.directory()).append('\n');
        final String header = String.format(Locale.ROOT, "%-58s %6s %7s %8s %8s %8s %9s %8s %8s",
            "variant", "write", "ops", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "ops/s");
        out.append('\n').append(header).append('\n').append("-".repeat(header.length())).append('\n');
        for (final DiskProbeResult.Variant variant : result.variants())
        {
            final WriteLatency latency = variant.latency();
            out.append(String.format(Locale.ROOT, "%-58s %6s %,7d", variant.name(), size(variant.writeBytes()),
                latency.count()));
            for (final double percentile : PERCENTILES)
            {
                out.append(String.format(Locale.ROOT, " %8.1f", Latency.us(latency.percentileNs(percentile))));
            }
            out.append(String.format(Locale.ROOT, " %8.1f %,8.0f%n", Latency.us(latency.maxNs()),
                latency.opsPerSecond()));
        }
        out.append(String.format(Locale.ROOT,
            "%nsequential write: %d MiB in 1 MiB writes + one fdatasync: %.0f MiB/s%n",
            result.sequentialBytes() >> 20, result.sequentialMibPerSecond()));

        out.append(String.format(Locale.ROOT, "machine: %d processors, load average %.2f at the end%s%n",
            result.processors(), result.loadAverage(), result.busyMachine() ?
            " (NOTE: other work shares the machine: latencies are noisier than on a quiet one; rerun to compare)" :
            ""));

        out.append("\ndevice (from /proc/self/mountinfo and /sys; reported, not measured)\n");
        line(out, "file system", null == device.mountPoint() ? null :
            device.fsType() + " on " + device.source() + " mounted at " + device.mountPoint() + " (" +
            device.majorMinor() + ")");
        line(out, "disk", null == device.disk() ? null :
            device.disk() + (device.partition() ? " (the file system is on a partition of it)" : "") +
            (null == device.driver() ? "" : ", driver " + device.driver()));
        line(out, "rotational", device.rotational());
        line(out, "queue depth", device.nrRequests());
        line(out, "scheduler", device.scheduler());
        line(out, "write cache", device.writeCache());
        line(out, "fua", device.fua());
        for (final String warning : device.warnings())
        {
            out.append('\n').append(wrap(warning, WIDTH_CHARS));
        }

        out.append("\nrecommendation\n");
        out.append(String.format(Locale.ROOT, "  journal.syncMethod = %s%n", recommendation.syncMethod()));
        out.append(String.format(Locale.ROOT,
            "    4 KiB preallocated overwrite p50: fdatasync %.1f µs, O_DSYNC %.1f µs;%n    %s.%n",
            Latency.us(recommendation.fdatasyncP50Ns()), Latency.us(recommendation.dsyncP50Ns()),
            recommendation.reason()));
        out.append(String.format(Locale.ROOT, "  group-commit window: about %d µs (one sync at p50)%n",
            recommendation.groupCommitWindowUs()));
        out.append("    The journal already puts every commit that arrives during a sync into the next one, so a\n" +
            "    commit waits for at most the rest of the sync in flight plus its own (about 2x this under\n" +
            "    load), and one sync's cost is shared by everything waiting for it; waiting longer than one\n" +
            "    sync to gather more commits only adds latency. The member has no window setting: this is\n" +
            "    the number to compare commit latencies against.\n");
        return out.toString();
    }

    public static String json(final DiskProbeResult result, final SyncRecommendation recommendation)
    {
        final JsonWriter json = new JsonWriter().beginObject();
        json.field("directory", result.directory().toString());
        json.name("variants").beginArray();
        for (final DiskProbeResult.Variant variant : result.variants())
        {
            final WriteLatency latency = variant.latency();
            json.beginObject()
                .field("name", variant.name())
                .field("shape", variant.shape().name().toLowerCase(Locale.ROOT))
                .field("sync", variant.syncMode().name().toLowerCase(Locale.ROOT))
                .field("writeBytes", variant.writeBytes())
                .field("ops", latency.count())
                .field("p50Us", Latency.us(latency.percentileNs(50)))
                .field("p90Us", Latency.us(latency.percentileNs(90)))
                .field("p99Us", Latency.us(latency.percentileNs(99)))
                .field("p999Us", Latency.us(latency.percentileNs(99.9)))
                .field("maxUs", Latency.us(latency.maxNs()))
                .field("opsPerSecond", latency.opsPerSecond())
                .endObject();
        }
        json.endArray();
        json.name("sequential").beginObject()
            .field("bytes", result.sequentialBytes())
            .field("writeBytes", 1L << 20)
            .field("mibPerSecond", result.sequentialMibPerSecond())
            .endObject();
        json.name("machine").beginObject()
            .field("processors", result.processors())
            .field("loadAverage", result.loadAverage())
            .field("busy", result.busyMachine())
            .endObject();
        final DeviceFacts device = result.device();
        json.name("device").beginObject()
            .field("mountPoint", device.mountPoint())
            .field("fsType", device.fsType())
            .field("source", device.source())
            .field("majorMinor", device.majorMinor())
            .field("disk", device.disk())
            .field("partition", device.partition())
            .field("driver", device.driver())
            .field("rotational", device.rotational())
            .field("nrRequests", device.nrRequests())
            .field("scheduler", device.scheduler())
            .field("writeCache", device.writeCache())
            .field("fua", device.fua())
            .field("volatileWriteCache", device.volatileWriteCache())
            .field("virtual", device.virtual());
        json.name("warnings").beginArray();
        for (final String warning : device.warnings())
        {
            json.value(warning);
        }
        json.endArray().endObject();
        json.name("recommendation").beginObject()
            .field("syncMethod", recommendation.syncMethod())
            .field("fdatasyncP50Us", Latency.us(recommendation.fdatasyncP50Ns()))
            .field("dsyncP50Us", Latency.us(recommendation.dsyncP50Ns()))
            .field("groupCommitWindowUs", recommendation.groupCommitWindowUs())
            .field("reason", recommendation.reason())
            .endObject();
        return json.endObject().toString();
    }

    /**
     * Break prose at spaces into lines of at most {@code widthChars}, continuation lines indented.
     */
    static String wrap(final String text, final int widthChars)
    {
        final StringBuilder out = new StringBuilder();
        int lineStart = 0;
        for (final String word : text.split(" "))
        {
            if (out.length() - lineStart + word.length() + 1 > widthChars && out.length() > lineStart)
            {
                out.append('\n').append("  ");
                lineStart = out.length() - 2;
            }
            else if (out.length() > lineStart)
            {
                out.append(' ');
            }
            out.append(word);
        }
        return out.append('\n').toString();
    }

    private static String size(final int bytes)
    {
        return bytes >= 1024 && bytes % 1024 == 0 ? (bytes / 1024) + " KiB" : bytes + " B";
    }

    private static void line(final StringBuilder out, final String name, final String value)
    {
        out.append(String.format(Locale.ROOT, "  %-12s %s%n", name, null == value ? "unknown" : value));
    }
}
