package org.bulwark.server.metrics;

/**
 * The metrics settings of a member: the {@code metrics.*} keys of the instance configuration.
 *
 * @param enabled    serve the Prometheus endpoint ({@code metrics.enabled}); the counters file is
 *                   always written.
 * @param bind       address the endpoint listens on ({@code metrics.bind}).
 * @param port       its port, 0 for any free one ({@code metrics.port}).
 * @param intervalMs latency percentiles cover this long ({@code metrics.intervalMs}).
 */
public record MetricsConfig(boolean enabled, String bind, int port, int intervalMs)
{
    public static final int DEFAULT_PORT = 9180;
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_INTERVAL_MS = 1000;
}
