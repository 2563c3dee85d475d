package org.bulwark.perf.harness;

import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.Locale;

/**
 * The run's JSON summary ({@code NAME.json}). Field names are a contract with the scripts that
 * compare runs (perf/README.md); fields may be added, none renamed. The target is printed
 * without its password. {@code throughputOpsPerSec} is the rate achieved: non-error replies that
 * arrived inside the measured time ({@link OpRecording}); at a fixed rate {@code offeredOpsPerSec}
 * is the rate of ops due in it.
 */
final class SummaryJson
{
    private SummaryJson()
    {
    }

    static String render(final HarnessOptions options, final RunTotals totals, final Histogram latencyNs,
        final double durationS, final Instant startedAt)
    {
        final StringBuilder json = new StringBuilder(1024).append("{\n");
        field(json, "label", quote(options.label));
        field(json, "target", quote(options.target.printable()));
        field(json, "system", quote(options.target.system));
        field(json, "clients", Integer.toString(options.clients));
        field(json, "rateTarget", Long.toString(options.rateOpsPerSec));
        field(json, "durationS", number(durationS));
        field(json, "warmupS", number(options.warmupNs / 1e9));
        field(json, "mix", mix(options.mix));
        field(json, "valueBytes", Integer.toString(options.valueBytes));
        field(json, "keys", Integer.toString(options.keys));
        field(json, "waitReplicas", Integer.toString(options.waitReplicas));
        field(json, "preload", Boolean.toString(options.preload));
        field(json, "ops", Long.toString(totals.ops));
        field(json, "errors", Long.toString(totals.errors));
        field(json, "unfinished", Long.toString(totals.unfinished));
        field(json, "okOps", Long.toString(totals.ops - totals.errors));
        field(json, "throughputOpsPerSec", number(totals.throughputOpsPerSec(durationS)));
        if (options.rateOpsPerSec > 0)
        {
            field(json, "offeredOpsPerSec", number(totals.offeredOpsPerSec(durationS)));
        }
        field(json, "latencyUs", percentiles(latencyNs));
        if (options.rateOpsPerSec > 0)
        {
            field(json, "serviceUs", percentiles(totals.serviceNs));
            field(json, "issueLagUs", "{" +
                "\"p50\": " + us(totals.issueLagNs.getValueAtPercentile(50)) +
                ", \"p99\": " + us(totals.issueLagNs.getValueAtPercentile(99)) +
                ", \"max\": " + us(totals.issueLagNs.getMaxValue()) + "}");
        }
        field(json, "startedAt", quote(startedAt.toString()));
        json.append("  \"machine\": {")
            .append("\"cpus\": ").append(Runtime.getRuntime().availableProcessors())
            .append(", \"os\": ").append(quote(System.getProperty("os.name") + " " +
                System.getProperty("os.version") + " " + System.getProperty("os.arch")))
            .append(", \"java\": ").append(quote(System.getProperty("java.version") + " (" +
                System.getProperty("java.vm.name") + ")"))
            .append("}\n}\n");
        return json.toString();
    }

    private static String percentiles(final Histogram ns)
    {
        return "{" +
            "\"p50\": " + us(ns.getValueAtPercentile(50)) +
            ", \"p90\": " + us(ns.getValueAtPercentile(90)) +
            ", \"p99\": " + us(ns.getValueAtPercentile(99)) +
            ", \"p999\": " + us(ns.getValueAtPercentile(99.9)) +
            ", \"max\": " + us(ns.getMaxValue()) +
            ", \"mean\": " + number(ns.getTotalCount() == 0 ? 0 : ns.getMean() / 1_000.0) + "}";
    }

    private static void field(final StringBuilder json, final String name, final String value)
    {
        json.append("  \"").append(name).append("\": ").append(value).append(",\n");
    }

    private static String mix(final OpMix mix)
    {
        final StringBuilder object = new StringBuilder("{");
        for (int i = 0; i < OpKind.count(); i++)
        {
            final OpKind kind = OpKind.of(i);
            if (mix.weight(kind) > 0)
            {
                object.append(object.length() > 1 ? ", " : "").append(quote(kind.optionName())).append(": ")
                    .append(mix.weight(kind));
            }
        }
        return object.append('}').toString();
    }

    private static String us(final long ns)
    {
        return number(ns / 1_000.0);
    }

    private static String number(final double value)
    {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    static String quote(final String text)
    {
        final StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        quoted.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
