package org.bulwark.probes;

import java.util.Locale;

/**
 * The network probe's result for people (round trips, stream, machine, recommendation) and for
 * machines (one JSON object).
 */
public final class NetProbeReport
{
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final int WIDTH_CHARS = 100;
    /** Where each round trip starts (see {@link PingSchedule}), in the JSON. */
    static final String MEASURED_FROM = "scheduled send time";

    private NetProbeReport()
    {
    }

    public static String text(final NetProbeResult result, final MirrorRecommendation recommendation)
    {
        final NetProbeSettings settings = result.settings();
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Network probe of udp %s (%s) over Aeron, %,d-byte messages%n",
            result.target(), result.address(), settings.sizeBytes()));
        if (result.sameHost())
        {
            out.append(wrap("", "  ", "NOTE: the responder is on this host: these are loopback figures of this " +
                "host's network stack and drivers, not of a link between two members."));
        }

        final String header = String.format(Locale.ROOT, "%-12s %8s %9s %9s %9s %9s %9s",
            "round trip", "pings", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs");
        out.append('\n').append(header).append('\n').append("-".repeat(header.length())).append('\n');
        out.append(String.format(Locale.ROOT, "%-12s %,8d", "", result.pings()));
        for (final double percentile : PERCENTILES)
        {
            out.append(String.format(Locale.ROOT, " %9.1f", Latency.us(result.percentileNs(percentile))));
        }
        out.append(String.format(Locale.ROOT, " %9.1f%n", Latency.us(result.maxNs())));
        out.append(String.format(Locale.ROOT,
            "  %,d pings/s on a fixed schedule, answered or not; %,d warm-up pings before these are not counted%n",
            result.pingRatePerSecond(), settings.warmupMessages()));
        out.append(wrap("  ", "", "Each round trip runs from the time its ping was due on the schedule, not the time " +
            "it went: a ping held back (back-pressure, a late wake-up, a stall) counts its wait."));
        if (result.pingRatePerSecond() < settings.ratePerSecond())
        {
            out.append(wrap("  ", "", String.format(Locale.ROOT, "(lowered from %,d pings/s: pings may take at " +
                "most a tenth of what the stream carried, or they would queue and the round trips measure the queue)",
                settings.ratePerSecond())));
        }

        out.append(String.format(Locale.ROOT,
            "%none-way stream: %,d messages of %,d B in %.2f s, every one acknowledged by the responder's count:%n" +
            "  %,.0f messages/s, %,.1f MB/s (%,.0f Mbit/s)%n",
            result.streamMessages(), settings.sizeBytes(), result.streamNs() / 1e9, result.streamMessagesPerSecond(),
            result.streamBytesPerSecond() / 1e6, result.streamBytesPerSecond() * 8 / 1e6));
        out.append(wrap("  ", "", String.format(Locale.ROOT,
            "Aeron's flow-control window (%d KiB) allows at most %,.1f MB/s at the p50 round trip: a stream near " +
            "that figure is held back by the window, not by the link.", result.windowBytes() / 1024,
            result.windowBoundBytesPerSecond() / 1e6)));

        out.append(String.format(Locale.ROOT, "%nmachine: %d processors, load average %.2f at the end%n",
            result.processors(), result.loadAverage()));
        if (result.busyMachine())
        {
            out.append(wrap("  ", "  ", "NOTE: other work shares the machine: latencies are noisier than on a quiet " +
                "one; rerun to compare."));
        }
        out.append(String.format(Locale.ROOT, "  this host: %s (%s)%n",
            result.localHost().virtual() ? "virtual" : "physical", result.localHost().evidence()));
        out.append(String.format(Locale.ROOT, "  responder's host: %s (as it reports)%n",
            result.responderVirtual() ? "virtual" : "physical"));
        out.append(String.format(Locale.ROOT, "  idle strategy of this pinger: %s%n", settings.idle().label()));

        out.append("\nrecommendation\n");
        out.append(String.format(Locale.ROOT, "  %s = %d%n", MirrorRecommendation.QOS_TIMEOUT_KEY,
            recommendation.qosTimeoutMs()));
        out.append(wrap("    ", "", recommendation.qosReason() + "."));
        out.append(String.format(Locale.ROOT, "  %s = %s%n", MirrorRecommendation.COMPRESSION_KEY,
            recommendation.compression()));
        out.append(wrap("    ", "", recommendation.compressionReason() + "."));
        return out.toString();
    }

    public static String json(final NetProbeResult result, final MirrorRecommendation recommendation)
    {
        final NetProbeSettings settings = result.settings();
        final JsonWriter json = new JsonWriter().beginObject();
        json.field("target", result.target().toString())
            .field("address", result.address())
            .field("sameHost", result.sameHost())
            .field("sizeBytes", settings.sizeBytes())
            .field("idle", settings.idle().label());
        json.name("roundTrip").beginObject()
            .field("pings", result.pings())
            .field("warmupPings", settings.warmupMessages())
            .field("ratePerSecond", result.pingRatePerSecond())
            .field("askedRatePerSecond", settings.ratePerSecond())
            .field("measuredFrom", MEASURED_FROM)
            .field("p50Us", Latency.us(result.percentileNs(50)))
            .field("p90Us", Latency.us(result.percentileNs(90)))
            .field("p99Us", Latency.us(result.percentileNs(99)))
            .field("p999Us", Latency.us(result.percentileNs(99.9)))
            .field("maxUs", Latency.us(result.maxNs()))
            .field("meanUs", result.roundTripNs().getMean() / 1e3)
            .endObject();
        json.name("stream").beginObject()
            .field("messages", result.streamMessages())
            .field("bytes", result.streamBytes())
            .field("seconds", result.streamNs() / 1e9)
            .field("messagesPerSecond", result.streamMessagesPerSecond())
            .field("mbPerSecond", result.streamBytesPerSecond() / 1e6)
            .field("mbitPerSecond", result.streamBytesPerSecond() * 8 / 1e6)
            .field("windowBytes", result.windowBytes())
            .field("windowBoundMbPerSecond", result.windowBoundBytesPerSecond() / 1e6)
            .endObject();
        json.name("machine").beginObject()
            .field("processors", result.processors())
            .field("loadAverage", result.loadAverage())
            .field("busy", result.busyMachine())
            .field("virtual", result.localHost().virtual())
            .field("virtualEvidence", result.localHost().evidence())
            .field("responderVirtual", result.responderVirtual())
            .endObject();
        json.name("recommendation").beginObject()
            .field("qosTimeoutMs", recommendation.qosTimeoutMs())
            .field("qosFloorMs", recommendation.qosFloorMs())
            .field("qosReason", recommendation.qosReason())
            .field("compression", recommendation.compression())
            .field("compressionReason", recommendation.compressionReason())
            .endObject();
        return json.endObject().toString();
    }

    /**
     * Break prose at spaces into lines of at most {@link #WIDTH_CHARS}, each starting with {@code indent}
     * and, after the first, {@code more} on top.
     */
    static String wrap(final String firstIndent, final String more, final String text)
    {
        final StringBuilder out = new StringBuilder(firstIndent);
        final String indent = firstIndent + more;
        int lineStart = 0;
        for (final String word : text.split(" "))
        {
            final boolean lineHasWords = out.length() > lineStart + (lineStart == 0 ? firstIndent : indent).length();
            if (lineHasWords && out.length() - lineStart + word.length() + 1 > WIDTH_CHARS)
            {
                out.append('\n');
                lineStart = out.length();
                out.append(indent);
            }
            else if (lineHasWords)
            {
                out.append(' ');
            }
            out.append(word);
        }
        return out.append('\n').toString();
    }

}
