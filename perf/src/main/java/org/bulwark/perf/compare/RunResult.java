package org.bulwark.perf.compare;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The figures of one harness run, from its summary JSON ({@code DIR/LABEL.json}). compare.sh labels its runs
 * {@code SYSTEM-cCLIENTS-rROUND}; the system and round come from that label, or from the JSON's {@code system}
 * field and round 1 for a label of another shape.
 *
 * @param rateTarget ops/s of a fixed-rate run, 0 for a closed loop ({@code "max"} is read as 0), -1 when the
 *                   summary does not say.
 * @param unfinished ops without a reply when the harness gave up waiting; 0 when the summary does not say.
 */
record RunResult(
    String label,
    String system,
    int clients,
    int round,
    String mix,
    long rateTarget,
    double durationS,
    long ops,
    long errors,
    long unfinished,
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
            rate(summary.get("rateTarget")),
            summary.get("durationS") instanceof Double d ? d : Double.NaN,
            (long)number(summary, "ops", source),
            (long)number(summary, "errors", source),
            summary.get("unfinished") instanceof Double u ? u.longValue() : 0,
            number(summary, "throughputOpsPerSec", source),
            number(latencyUs, "p50", source + " latencyUs"),
            number(latencyUs, "p99", source + " latencyUs"),
            number(latencyUs, "p999", source + " latencyUs"),
            number(latencyUs, "max", source + " latencyUs"));
    }

    /** The mix of the SPEC B-3 goals: durable SETs only. */
    static final String DURABLE_SET_MIX = "set=100";

    /**
     * @return whether this run is the workload the SPEC B-3 goals are defined for: SETs only, closed loop.
     */
    boolean durableSetClosedLoop()
    {
        return DURABLE_SET_MIX.equals(mix) && rateTarget == 0;
    }

    /**
     * @return whether every op of the run replied and none was an error: its figures can be compared.
     */
    boolean clean()
    {
        return errors == 0 && unfinished == 0;
    }

    /**
     * @return what spoils the run, as {@code 2 errors, 5 unfinished}; empty for a clean run.
     */
    String flaws()
    {
        final StringBuilder flaws = new StringBuilder();
        if (errors > 0)
        {
            flaws.append(String.format(Locale.ROOT, "%,d error%s", errors, errors == 1 ? "" : "s"));
        }
        if (unfinished > 0)
        {
            flaws.append(flaws.length() > 0 ? ", " : "").append(String.format(Locale.ROOT, "%,d unfinished",
                unfinished));
        }
        return flaws.toString();
    }

    private static long rate(final Object rateTarget)
    {
        if (rateTarget instanceof Double d)
        {
            return d.longValue();
        }
        return "max".equals(rateTarget) ? 0 : -1;
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
