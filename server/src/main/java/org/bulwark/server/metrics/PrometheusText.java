package org.bulwark.server.metrics;

import org.agrona.concurrent.status.CountersReader;
import org.bulwark.store.ErrorCode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a member's counters in the Prometheus text exposition format, version 0.0.4: counters as
 * {@code counter}, levels as {@code gauge}, and each latency as a {@code summary} in seconds (its
 * quantiles over the last metrics interval, count and sum since start) plus a {@code gauge} of the
 * interval's maximum. Every line of one metric name is written as one group, as the format requires.
 */
public final class PrometheusText
{
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final double SECONDS_PER_US = 1e-6;
    private static final Map<String, List<CounterDescriptor>> FAMILIES = new LinkedHashMap<>();

    static
    {
        for (final CounterDescriptor descriptor : CounterDescriptor.values())
        {
            FAMILIES.computeIfAbsent(descriptor.metricName(), name -> new ArrayList<>()).add(descriptor);
        }
    }

    private PrometheusText()
    {
    }

    /**
     * Append every counter of {@link CounterDescriptor} as read from {@code reader}.
     */
    public static void render(final CountersReader reader, final StringBuilder out)
    {
        for (final Map.Entry<String, List<CounterDescriptor>> family : FAMILIES.entrySet())
        {
            final String name = family.getKey();
            final List<CounterDescriptor> members = family.getValue();
            final CounterDescriptor first = members.get(0);
            switch (first.kind())
            {
                case COUNTER:
                    header(out, name, first.help(), "counter");
                    out.append(name).append(' ').append(reader.getCounterValue(first.id())).append('\n');
                    break;
                case GAUGE:
                    header(out, name, first.help(), "gauge");
                    out.append(name).append(' ').append(reader.getCounterValue(first.id())).append('\n');
                    break;
                case MAX_US:
                    header(out, name, first.help(), "gauge");
                    out.append(name).append(' ').append(seconds(reader.getCounterValue(first.id()))).append('\n');
                    break;
                default:
                    summary(reader, out, name, members);
            }
        }
        header(out, "bulwark_errors_total", "Errors returned to clients, by their G-5 name", "counter");
        for (final ErrorCode code : ErrorCode.values())
        {
            out.append("bulwark_errors_total{error=\"").append(code.displayName()).append("\"} ")
                .append(reader.getCounterValue(MemberMetrics.errorCounterId(code))).append('\n');
        }
    }

    private static void summary(final CountersReader reader, final StringBuilder out, final String name,
        final List<CounterDescriptor> members)
    {
        String help = "";
        for (final CounterDescriptor descriptor : members)
        {
            help = descriptor.help().isEmpty() ? help : descriptor.help();
        }
        header(out, name, help + " (quantiles over the last metrics interval)", "summary");
        for (final CounterDescriptor descriptor : members)
        {
            final long value = reader.getCounterValue(descriptor.id());
            switch (descriptor.kind())
            {
                case QUANTILE_US:
                    out.append(name).append("{quantile=\"").append(quantile(descriptor.quantile())).append("\"} ")
                        .append(seconds(value)).append('\n');
                    break;
                case SUMMARY_COUNT:
                    out.append(name).append("_count ").append(value).append('\n');
                    break;
                case SUMMARY_SUM_US:
                    out.append(name).append("_sum ").append(seconds(value)).append('\n');
                    break;
                default:
                    throw new IllegalStateException(descriptor + " of kind " + descriptor.kind() + " in summary " +
                        name);
            }
        }
    }

    private static void header(final StringBuilder out, final String name, final String help, final String type)
    {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
            .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String seconds(final long microseconds)
    {
        return 0 == microseconds ? "0" : String.format(Locale.ROOT, "%.6f", microseconds * SECONDS_PER_US);
    }

    private static String quantile(final double quantile)
    {
        final String text = Double.toString(quantile);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }
}
