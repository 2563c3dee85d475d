package org.bulwark.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Prometheus endpoint of a member (SPEC V-5): {@code GET /metrics} answers the counters in
 * the text exposition format ({@link PrometheusText}). Served by the JDK's own HTTP server on one
 * daemon thread: a scrape every few seconds needs no more.
 */
public final class MetricsEndpoint implements AutoCloseable
{
    public static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;
    private final CountersReader reader;

    private MetricsEndpoint(final HttpServer server, final ExecutorService executor, final CountersReader reader)
    {
        this.server = server;
        this.executor = executor;
        this.reader = reader;
    }

    /**
     * Serve {@code reader}'s counters on {@code bind:port} (port 0: any free port, see {@link #port()}).
     *
     * @throws IOException naming the address if it cannot be bound.
     */
    public static MetricsEndpoint start(final String bind, final int port, final CountersReader reader)
        throws IOException
    {
        final HttpServer server;
        try
        {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 16);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot serve metrics on " + bind + ":" + port + " (metrics.bind, metrics.port): " +
                ex.getMessage(), ex);
        }
        final ExecutorService executor = Executors.newSingleThreadExecutor(task ->
        {
            final Thread thread = new Thread(task, "bulwark-metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        final MetricsEndpoint endpoint = new MetricsEndpoint(server, executor, reader);
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        return endpoint;
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            final String method = exchange.getRequestMethod();
            if (!PATH.equals(exchange.getRequestURI().getPath()))
            {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found: the metrics are at " + PATH + "\n");
                return;
            }
            if (!"GET".equals(method) && !"HEAD".equals(method))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", method + " is not allowed on " + PATH + "\n");
                return;
            }
            final StringBuilder text = new StringBuilder(8192);
            PrometheusText.render(reader, text);
            reply(exchange, 200, PrometheusText.CONTENT_TYPE, text.toString());
        }
    }

    private static void reply(final HttpExchange exchange, final int status, final String contentType,
        final String body) throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head)
        {
            try (OutputStream stream = exchange.getResponseBody())
            {
                stream.write(bytes);
            }
        }
    }

    /**
     * @return the port bound (the one chosen when 0 was asked for).
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }
}
