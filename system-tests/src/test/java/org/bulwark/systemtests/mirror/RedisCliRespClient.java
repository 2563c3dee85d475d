package org.bulwark.systemtests.mirror;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A RESP client of a member that runs in another network namespace, where this JVM's sockets cannot
 * reach: each call runs {@code ip netns exec NS redis-cli}, so the client is in the member's namespace.
 */
final class RedisCliRespClient implements RespClient
{
    private final List<String> prefix;
    private final long timeoutMs;

    RedisCliRespClient(final String redisCli, final String namespace, final String host, final int port,
        final long timeoutMs)
    {
        this.prefix = List.of("ip", "netns", "exec", namespace, redisCli, "-h", host, "-p", Integer.toString(port));
        this.timeoutMs = timeoutMs;
    }

    @Override
    public String set(final String key, final String value) throws IOException
    {
        final String reply = run("SET", key, value);
        return reply.startsWith("(error) ") ? reply.substring("(error) ".length()) : reply;
    }

    @Override
    public String get(final String key) throws IOException
    {
        final String reply = run("GET", key);
        if (reply.startsWith("(error)"))
        {
            throw new IOException("GET " + key + ": " + reply);
        }
        return reply.isEmpty() || "(nil)".equals(reply) ? null : reply;
    }

    @Override
    public List<String> mget(final List<String> keys) throws IOException
    {
        final List<String> values = new ArrayList<>();
        for (final String key : keys)
        {
            values.add(get(key));
        }
        return values;
    }

    /**
     * @return the reply as redis-cli prints it to a pipe, stripped.
     */
    private String run(final String... request) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add("--no-raw"); // "(error) ..." and "(nil)" marked as such
        command.addAll(List.of(request));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            process.getOutputStream().close();
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IOException(String.join(" ", command) + ": no reply within " + timeoutMs + " ms");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted", ex);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (output.startsWith("Could not connect") || output.contains("Connection refused") ||
            output.startsWith("Error:") || output.contains("Cannot open network namespace"))
        {
            throw new IOException(String.join(" ", command) + ": " + output);
        }
        return output.startsWith("\"") && output.endsWith("\"") && output.length() >= 2 ?
            output.substring(1, output.length() - 1) : output;
    }

    @Override
    public void close()
    {
    }
}
