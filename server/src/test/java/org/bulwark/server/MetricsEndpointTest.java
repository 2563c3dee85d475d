package org.bulwark.server;

import org.bulwark.server.metrics.MetricsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Prometheus endpoint (SPEC V-5): {@code /metrics} in text format 0.0.4, fetched over HTTP
 * from a member on an ephemeral port; and the {@code metrics.*} keys' validation.
 */
class MetricsEndpointTest
{
    private static final Pattern SAMPLE = Pattern.compile(
        "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*\\})? " +
        "(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[-+]Inf)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) " +
        "(counter|gauge|summary|histogram|untyped)");

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(final int port, final String path) throws Exception
    {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreParseablePrometheusText() throws Exception
    {
        final Path config = CliRun.memberConfig(dir, "pool.size = 4m", "journal.fileSize = 1m",
            "metrics.enabled = true", "metrics.port = 0", "metrics.intervalMs = 20");
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            final int port = instance.metricsEndpoint().port();
            assertTrue(port > 0);
            final BulwarkSession session = instance.openSession();
            for (int i = 0; i < 5; i++)
            {
                session.set("v", "a", i);
            }
            final Map<String, String> values = new HashMap<>();
            final Map<String, String> types = new HashMap<>();
            // Until an interval with commits has been published (its count then covers them).
            Conditions.await(() ->
            {
                try
                {
                    final HttpResponse<String> response = get(port, "/metrics");
                    assertEquals(200, response.statusCode());
                    assertEquals("text/plain; version=0.0.4; charset=utf-8",
                        response.headers().firstValue("Content-Type").orElse(""));
                    values.clear();
                    types.clear();
                    parse(response.body(), values, types);
                    return Long.parseLong(values.getOrDefault("bulwark_commit_latency_seconds_count", "0")) >= 5;
                }
                catch (final Exception ex)
                {
                    throw new AssertionError(ex);
                }
            }, () -> "the commits in a published interval: " + values);

            assertEquals("counter", types.get("bulwark_commits_total"));
            assertEquals("5", values.get("bulwark_commits_total"));
            assertEquals("gauge", types.get("bulwark_journal_durable_position"));
            assertEquals("gauge", types.get("bulwark_pool_dirty_blocks"));
            assertEquals("counter", types.get("bulwark_wij_cycles_total"));
            assertEquals("summary", types.get("bulwark_commit_latency_seconds"));
            assertEquals("summary", types.get("bulwark_journal_sync_latency_seconds"));
            assertEquals("summary", types.get("bulwark_wij_cycle_seconds"));
            assertEquals("gauge", types.get("bulwark_commit_latency_max_seconds"));
            assertTrue(values.containsKey("bulwark_commit_latency_seconds{quantile=\"0.99\"}"), values.toString());
            assertTrue(values.containsKey("bulwark_commit_latency_seconds{quantile=\"0.999\"}"), values.toString());
            assertTrue(Double.parseDouble(values.get("bulwark_commit_latency_seconds_sum")) > 0);

            assertEquals("counter", types.get("bulwark_errors_total"));
            assertEquals("0", values.get("bulwark_errors_total{error=\"JOURNAL FROZEN\"}"));

            assertEquals(404, get(port, "/other").statusCode());
        }
    }

    /**
     * Check every line against the format and collect samples and types; every metric's lines form
     * one group, after its TYPE line.
     */
    private static void parse(final String body, final Map<String, String> values, final Map<String, String> types)
    {
        assertTrue(body.endsWith("\n"), "the last line ends with a line feed");
        final Set<String> finished = new HashSet<>();
        String current = null;
        for (final String line : body.split("\n"))
        {
            if (line.startsWith("# HELP "))
            {
                continue;
            }
            final Matcher type = TYPE.matcher(line);
            if (type.matches())
            {
                assertNull(types.put(type.group(1), type.group(2)), "one TYPE line for " + type.group(1));
                if (null != current)
                {
                    finished.add(current);
                }
                current = type.group(1);
                continue;
            }
            final Matcher sample = SAMPLE.matcher(line);
            assertTrue(sample.matches(), "not a sample line: '" + line + "'");
            final String name = sample.group(1);
            final String family = name.replaceFirst("_(count|sum)$", "");
            assertTrue(name.equals(current) || family.equals(current), name + " outside its group " + current);
            assertFalse(finished.contains(family), name + " after its group ended");
            values.put(name + (null == sample.group(2) ? "" : sample.group(2)), sample.group(4));
        }
    }

    @Test
    void metricsKeysAreValidated() throws Exception
    {
        assertEquals(new MetricsConfig(false, "127.0.0.1", 9180, 1000), InstanceConfig.defaults(dir).metricsConfig());
        assertInvalid("metrics.port = 70000", "key 'metrics.port': 70000 is outside 0..65535");
        assertInvalid("metrics.enabled = yes", "key 'metrics.enabled': 'yes' is not true or false");
        assertInvalid("metrics.bind = 300.1.2.3", "key 'metrics.bind': '300.1.2.3' is not an IP address or a host");
        assertInvalid("metrics.bind = not an address", "key 'metrics.bind': 'not an address' is not an IP address");
        assertInvalid("metrics.bind = ::zz", "key 'metrics.bind': '::zz' is not an IP address");
        final Path fine = Files.writeString(dir.resolve("fine.conf"), "metrics.bind = ::1\nmetrics.port = 0\n" +
            "metrics.enabled = true\n");
        assertEquals(new MetricsConfig(true, "::1", 0, 1000), InstanceConfig.load(fine).metricsConfig());
        assertInvalid("metrics.intervalMs = 1", "key 'metrics.intervalMs': 1 is outside 10..3600000");
    }

    private void assertInvalid(final String line, final String expected) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("bad.conf"), line + "\n");
        final InstanceConfig.ConfigException ex = assertThrows(InstanceConfig.ConfigException.class,
            () -> InstanceConfig.load(file));
        assertTrue(ex.getMessage().contains(file + " line 1: " + expected), ex.getMessage());
    }
}
