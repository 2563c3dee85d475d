package org.bulwark.perf.compare;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The figures of one harness run, from its summary JSON ({@code DIR/LABEL.json}). compare.sh labels its runs
 * {@code SYSTEM-cCLIENTS-rROUND}; the system and round come from that label, or from the JSON's {@code system}
 * field and round 1 for a label of another shape.
 */
record RunResult(
    String label,
    String system,
    int clients,
    int round,
    String mix,
    double durationS,
    long ops,
    long errors,
    double throughputOpsPerSec,
    double p50Us,
    double p99Us,
    double p999Us,
    double maxUs)
{
    private static final Pattern COMPARE_LABEL = Pattern.compile("(.+)-c(\\d+)-r(\\d+)");

    /**
     * @param source names the JSON in error messages (its file).
     * @throws IllegalArgumentException naming the source and the field that is missing or not of its type.
     */
    static RunResult fromJson(final Object json, final String source)
    {
        if (!(json instanceof Map<?, ?> summary))
        {
            throw new IllegalArgumentException(source + ": expected a JSON object, the harness's summary");
        }
        final String label = text(summary, "label", source);
        final Object latency = summary.get("latencyUs");
        if (!(latency instanceof Map<?, ?> latencyUs))
        {
            throw new IllegalArgumentException(source + ": missing object field 'latencyUs'");
        }
        final Matcher compareLabel = COMPARE_LABEL.matcher(label);
        final boolean labelled = compareLabel.matches();
        final String system = labelled ? compareLabel.group(1) : text(summary, "system", source);
        final int round = labelled ? Integer.parseInt(compareLabel.group(3)) : 1;
        return new RunResult(
            label,
            system,
            (int)number(summary, "clients", source),
            round,
            mixText(summary.get("mix")),
            summary.get("durationS") instanceof Double d ? d : Double.NaN,
            (long)number(summary, "ops", source),
            (long)number(summary, "errors", source),
            number(summary, "throughputOpsPerSec", source),
            number(latencyUs, "p50", source + " latencyUs"),
            number(latencyUs, "p99", source + " latencyUs"),
            number(latencyUs, "p999", source + " latencyUs"),
            number(latencyUs, "max", source + " latencyUs"));
    }

    private static String text(final Map<?, ?> json, final String name, final String source)
    {
        final Object value = json.get(name);
        if (!(value instanceof String s))
        {
            throw new IllegalArgumentException(source + ": missing string field '" + name + "'" +
                (value == null ? "" : " (found " + value + ")"));
        }
        return s;
    }

    private static double number(final Map<?, ?> json, final String name, final String source)
    {
        final Object value = json.get(name);
        if (!(value instanceof Double d))
        {
            throw new IllegalArgumentException(source + ": missing number field '" + name + "'" +
                (value == null ? "" : " (found " + value + ")"));
        }
        return d;
    }

    /**
     * The op mix as the harness wrote it: a string such as {@code set=100}, or an object or list of its parts.
     */
    private static String mixText(final Object mix)
    {
        if (mix instanceof Map<?, ?> parts)
        {
            return parts.entrySet().stream().map(e -> e.getKey() + "=" + plain(e.getValue()))
                .collect(Collectors.joining(","));
        }
        if (mix instanceof List<?> parts)
        {
            return parts.stream().map(RunResult::plain).collect(Collectors.joining(","));
        }
        return mix == null ? "?" : plain(mix);
    }

    private static String plain(final Object value)
    {
        if (value instanceof Double d && d == Math.rint(d))
        {
            return Long.toString(d.longValue());
        }
        return String.valueOf(value);
    }
}
