package org.bulwark.server;

import org.bulwark.probes.ConfigFileUpdater;
import org.bulwark.probes.MirrorRecommendation;
import org.bulwark.probes.NetEndpoint;
import org.bulwark.probes.NetIdle;
import org.bulwark.probes.NetPinger;
import org.bulwark.probes.NetProbeReport;
import org.bulwark.probes.NetProbeResult;
import org.bulwark.probes.NetProbeSettings;
import org.bulwark.probes.NetResponder;
import org.bulwark.probes.ProbeException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code bulwark probe net} (SPEC P-2), in one of three forms:
 * <pre>
 * probe net --listen [HOST:]PORT [--for DURATION] [--idle backoff|yield|sleep]
 * probe net HOST[:PORT] [--messages N] [--size BYTES] [--rate N] [--stream DURATION] [--timeout DURATION]
 *                       [--idle backoff|yield|sleep] [--reply-port PORT] [--json] [--write-config FILE]
 * probe net --local [the same options]
 * </pre>
 * The first answers probes until Ctrl-C, SIGTERM or the duration's end; the second probes a responder
 * and prints the report with the recommended {@code mirror.qosTimeoutMs} and {@code mirror.compression}
 * (written to FILE with {@code --write-config}, unless the responder turns out to be on this host); the
 * third starts a responder in this process on a free loopback port and probes it, and refuses
 * {@code --write-config}: loopback figures are no link's. DURATION is a number with ms, s, m or h
 * (seconds without).
 */
final class NetProbeCommand
{
    static final String USAGE =
        "usage: probe net --listen [HOST:]PORT [--for DURATION] [--idle backoff|yield|sleep]\n" +
        "       probe net HOST[:PORT] | --local  [--messages N] [--size BYTES] [--rate N] [--stream DURATION]\n" +
        "                 [--timeout DURATION] [--idle backoff|yield|sleep] [--reply-port PORT] [--json]\n" +
        "                 [--write-config FILE]";
    /** How long SIGTERM waits for the responder to close its driver and delete its directory. */
    private static final long SHUTDOWN_WAIT_MS = 10_000;

    private final PrintStream out;
    private final PrintStream err;

    NetProbeCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * @param arguments what follows {@code probe net}.
     */
    int run(final List<String> arguments)
    {
        String host = null;
        String listen = null;
        boolean local = false;
        Long forNs = null;
        int messages = NetProbeSettings.DEFAULT_MESSAGES;
        int sizeBytes = NetProbeSettings.DEFAULT_SIZE_BYTES;
        int rate = NetProbeSettings.DEFAULT_RATE_PER_SECOND;
        long streamNs = NetProbeSettings.DEFAULT_STREAM_NS;
        long timeoutNs = NetProbeSettings.DEFAULT_TIMEOUT_NS;
        NetIdle idle = NetIdle.BACKOFF;
        int replyPort = 0;
        boolean json = false;
        Path configFile = null;
        boolean pingerOption = false;
        for (int i = 0; i < arguments.size(); i++)
        {
            final String argument = arguments.get(i);
            switch (argument)
            {
                case "--listen":
                    listen = value(arguments, ++i, argument);
                    break;
                case "--for":
                    forNs = durationNs(value(arguments, ++i, argument), argument);
                    break;
                case "--local":
                    local = true;
                    break;
                case "--messages":
                    messages = (int)number(value(arguments, ++i, argument), argument);
                    pingerOption = true;
                    break;
                case "--size":
                    sizeBytes = (int)number(value(arguments, ++i, argument), argument);
                    pingerOption = true;
                    break;
                case "--rate":
                    rate = (int)number(value(arguments, ++i, argument), argument);
                    pingerOption = true;
                    break;
                case "--stream":
                    streamNs = durationNs(value(arguments, ++i, argument), argument);
                    pingerOption = true;
                    break;
                case "--timeout":
                    timeoutNs = durationNs(value(arguments, ++i, argument), argument);
                    break;
                case "--idle":
                    idle = NetIdle.parse(value(arguments, ++i, argument));
                    break;
                case "--reply-port":
                    replyPort = (int)number(value(arguments, ++i, argument), argument);
                    pingerOption = true;
                    break;
                case "--json":
                    json = true;
                    pingerOption = true;
                    break;
                case "--write-config":
                    configFile = Path.of(value(arguments, ++i, argument));
                    pingerOption = true;
                    break;
                default:
                    if (argument.startsWith("--"))
                    {
                        throw new IllegalArgumentException("probe net has no option '" + argument + "'\n" + USAGE);
                    }
                    if (null != host)
                    {
                        throw new IllegalArgumentException("probe net takes one host, not also '" + argument + "'");
                    }
                    host = argument;
            }
        }
        if ((null != listen ? 1 : 0) + (null != host ? 1 : 0) + (local ? 1 : 0) != 1)
        {
            throw new IllegalArgumentException("probe net needs exactly one of HOST[:PORT], --listen or --local\n" +
                USAGE);
        }
        if (null != listen)
        {
            if (pingerOption)
            {
                throw new IllegalArgumentException("probe net --listen answers probes: --messages, --size, --rate, " +
                    "--stream, --reply-port, --json and --write-config belong to the pinger");
            }
            return listen(NetEndpoint.parse(listen, "0.0.0.0", NetProbeSettings.DEFAULT_PORT, "--listen"), forNs,
                idle, timeoutNs);
        }
        if (null != forNs)
        {
            throw new IllegalArgumentException("option --for belongs to probe net --listen");
        }
        if (local && null != configFile)
        {
            throw new IllegalArgumentException("option --write-config cannot go with --local: a responder in " +
                "this process measures this host's loopback, and a loopback figure must not become " +
                MirrorRecommendation.QOS_TIMEOUT_KEY + "; probe the other member: probe net HOST --write-config " +
                configFile);
        }
        final NetProbeSettings settings =
            new NetProbeSettings(messages, sizeBytes, rate, streamNs, timeoutNs, idle, replyPort);
        final NetEndpoint target = local ? null : NetEndpoint.parse(host, null, NetProbeSettings.DEFAULT_PORT, "host");
        return ping(target, settings, json, configFile);
    }

    private int ping(final NetEndpoint target, final NetProbeSettings settings, final boolean json,
        final Path configFile)
    {
        try
        {
            final NetProbeResult result;
            if (null == target)
            {
                try (NetResponder responder = NetResponder.start(new NetEndpoint("127.0.0.1", 0), settings.idle(),
                    settings.timeoutNs(), null))
                {
                    (json ? err : out).println("probe net --local: a responder in this process on udp " +
                        responder.endpoint() + "; the figures are this host's loopback, not a link's");
                    result = NetPinger.probe(responder.endpoint(), settings);
                }
            }
            else
            {
                result = NetPinger.probe(target, settings);
            }
            final MirrorRecommendation recommendation = MirrorRecommendation.from(result);
            if (json)
            {
                out.println(NetProbeReport.json(result, recommendation));
            }
            else
            {
                out.print(NetProbeReport.text(result, recommendation));
            }
            if (null != configFile)
            {
                writeConfig(configFile, result, recommendation, json ? err : out);
            }
            return BulwarkCli.EXIT_OK;
        }
        catch (final ProbeException ex)
        {
            err.println("bulwark probe net: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
    }

    /**
     * Answer probes in the foreground until the duration ends (if given) or SIGTERM / Ctrl-C, which
     * waits (bounded) for the driver to close and its directory to go.
     */
    private int listen(final NetEndpoint endpoint, final Long forNs, final NetIdle idle, final long timeoutNs)
    {
        final CountDownLatch stopRequested = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            stopRequested.countDown();
            try
            {
                closed.await(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "probe-net-shutdown");
        try (NetResponder responder = NetResponder.start(endpoint, idle, timeoutNs, out))
        {
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("bulwark probe net: answering probes on udp " + responder.endpoint() + " (Aeron directory " +
                responder.driverDirectory() + ", idle " + idle.label() + ") " + (null == forNs ?
                "until Ctrl-C or SIGTERM" : String.format(Locale.ROOT, "for %.1f s", forNs / 1e9)));
            out.flush();
            if (null == forNs)
            {
                stopRequested.await();
            }
            else
            {
                stopRequested.await(forNs, TimeUnit.NANOSECONDS);
            }
            out.println("bulwark probe net: responder stopped");
            return BulwarkCli.EXIT_OK;
        }
        catch (final ProbeException ex)
        {
            err.println("bulwark probe net: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return BulwarkCli.EXIT_FAILED;
        }
        finally
        {
            closed.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // shutting down: the hook is running and has just been released
            }
        }
    }

    /**
     * Set the recommended keys in {@code file}, unless the responder was on this host.
     *
     * @throws ProbeException naming the file when the figures are loopback ones or it cannot be written.
     */
    static void writeConfig(final Path file, final NetProbeResult result, final MirrorRecommendation recommendation,
        final PrintStream echo) throws ProbeException
    {
        if (result.sameHost())
        {
            throw new ProbeException("--write-config " + file + " left unchanged: the responder at udp " +
                result.target() + " (" + result.address() + ") is on this host, so these are loopback figures, " +
                "not a link's, and must not become " + MirrorRecommendation.QOS_TIMEOUT_KEY +
                "; probe the other member");
        }
        final Map<String, String> values = new LinkedHashMap<>();
        values.put(MirrorRecommendation.QOS_TIMEOUT_KEY, Long.toString(recommendation.qosTimeoutMs()));
        values.put(MirrorRecommendation.COMPRESSION_KEY, recommendation.compression());
        final ConfigFileUpdater.Update update = ConfigFileUpdater.update(file, values,
            "set by bulwark probe net " + result.target() + " on " + Instant.now());
        echo.println();
        echo.println("wrote " + MirrorRecommendation.QOS_TIMEOUT_KEY + " = " + recommendation.qosTimeoutMs() + " and " +
            MirrorRecommendation.COMPRESSION_KEY + " = " + recommendation.compression() + " to " + file +
            (null == update.backup() ? " (a new file)" : "; the old file is " + update.backup()));
        try
        {
            InstanceConfig.load(file);
        }
        catch (final IOException | InstanceConfig.ConfigException ex)
        {
            echo.println("warning: " + file + " does not load as a member configuration: " + ex.getMessage());
        }
    }

    /**
     * A duration: a number followed by ms, s, m or h; a bare number is seconds.
     */
    static long durationNs(final String text, final String option)
    {
        final String trimmed = text.strip().toLowerCase(Locale.ROOT);
        final TimeUnit unit;
        final String digits;
        if (trimmed.endsWith("ms"))
        {
            unit = TimeUnit.MILLISECONDS;
            digits = trimmed.substring(0, trimmed.length() - 2);
        }
        else if (trimmed.endsWith("s"))
        {
            unit = TimeUnit.SECONDS;
            digits = trimmed.substring(0, trimmed.length() - 1);
        }
        else if (trimmed.endsWith("m"))
        {
            unit = TimeUnit.MINUTES;
            digits = trimmed.substring(0, trimmed.length() - 1);
        }
        else if (trimmed.endsWith("h"))
        {
            unit = TimeUnit.HOURS;
            digits = trimmed.substring(0, trimmed.length() - 1);
        }
        else
        {
            unit = TimeUnit.SECONDS;
            digits = trimmed;
        }
        try
        {
            final long value = Long.parseLong(digits);
            if (value >= 1 && value <= unit.convert(365, TimeUnit.DAYS))
            {
                return unit.toNanos(value);
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new IllegalArgumentException("option " + option + " needs a positive duration such as 500ms, 30s, " +
            "5m or 1h, not '" + text + "'");
    }

    private static long number(final String text, final String option)
    {
        try
        {
            final long value = Long.parseLong(text.strip());
            if (value >= 0 && value <= Integer.MAX_VALUE)
            {
                return value;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new IllegalArgumentException("option " + option + " needs a whole number, not '" + text + "'");
    }

    private static String value(final List<String> arguments, final int i, final String option)
    {
        if (i >= arguments.size())
        {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return arguments.get(i);
    }
}
