package org.bulwark.server;

import org.bulwark.probes.ConfigFileUpdater;
import org.bulwark.probes.DeviceFactsReader;
import org.bulwark.probes.DiskProbe;
import org.bulwark.probes.DiskProbeReport;
import org.bulwark.probes.DiskProbeResult;
import org.bulwark.probes.ProbeException;
import org.bulwark.probes.SyncRecommendation;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bulwark probe disk DIR [--size MB] [--ops N] [--write-config FILE] [--json]} (SPEC P-1):
 * runs the disk probe of the native-probes module, prints its report, and with
 * {@code --write-config} sets the recommended {@code journal.syncMethod} in a configuration file.
 * {@code bulwark probe net ...} (SPEC P-2) is {@link NetProbeCommand}.
 */
final class ProbeCommand
{
    static final String SYNC_METHOD_KEY = "journal.syncMethod";

    private final PrintStream out;
    private final PrintStream err;

    ProbeCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    int run(final List<String> arguments)
    {
        if (!arguments.isEmpty() && "net".equals(arguments.get(0)))
        {
            return new NetProbeCommand(out, err).run(arguments.subList(1, arguments.size()));
        }
        if (arguments.isEmpty() || !"disk".equals(arguments.get(0)))
        {
            throw new IllegalArgumentException("usage: probe disk DIR [--size MB] [--ops N] [--write-config FILE] " +
                "[--json]\n" + NetProbeCommand.USAGE);
        }
        Path directory = null;
        long sizeBytes = DiskProbe.DEFAULT_SIZE_BYTES;
        int ops = DiskProbe.DEFAULT_OPS;
        Path configFile = null;
        boolean json = false;
        for (int i = 1; i < arguments.size(); i++)
        {
            final String argument = arguments.get(i);
            switch (argument)
            {
                case "--size":
                    sizeBytes = number(arguments.get(++i), argument) << 20;
                    break;
                case "--ops":
                    ops = (int)Math.min(Integer.MAX_VALUE, number(arguments.get(++i), argument));
                    break;
                case "--write-config":
                    configFile = Path.of(arguments.get(++i));
                    break;
                case "--json":
                    json = true;
                    break;
                default:
                    if (null != directory)
                    {
                        throw new IllegalArgumentException("probe disk takes one directory, not also '" + argument +
                            "'");
                    }
                    directory = Path.of(argument);
            }
        }
        if (null == directory)
        {
            throw new IllegalArgumentException("probe disk needs a directory on the disk to measure");
        }
        try
        {
            final DiskProbeResult result = new DiskProbe(directory, sizeBytes, ops, DeviceFactsReader.system()).run();
            final SyncRecommendation recommendation = SyncRecommendation.from(result);
            if (json)
            {
                out.println(DiskProbeReport.json(result, recommendation));
            }
            else
            {
                out.print(DiskProbeReport.text(result, recommendation));
            }
            if (null != configFile)
            {
                writeConfig(configFile, recommendation, json ? err : out);
            }
            return BulwarkCli.EXIT_OK;
        }
        catch (final ProbeException ex)
        {
            err.println("bulwark probe disk: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
    }

    /**
     * Only the sync method is written: the member has no group-commit window setting (it groups
     * whatever arrives during a sync), so the window stays a printed recommendation.
     */
    private static void writeConfig(final Path file, final SyncRecommendation recommendation, final PrintStream echo)
        throws ProbeException
    {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put(SYNC_METHOD_KEY, recommendation.syncMethod());
        final ConfigFileUpdater.Update update = ConfigFileUpdater.update(file, values,
            "set by bulwark probe disk on " + Instant.now() + " (" + recommendation.reason() + ")");
        echo.println();
        echo.println("wrote " + SYNC_METHOD_KEY + " = " + recommendation.syncMethod() + " to " + file +
            (null == update.backup() ? " (a new file)" : "; the old file is " + update.backup()));
        echo.println("(no group-commit window key exists in the configuration: the window is advice only)");
        try
        {
            InstanceConfig.load(file);
        }
        catch (final IOException | InstanceConfig.ConfigException ex)
        {
            echo.println("warning: " + file + " does not load as a member configuration: " + ex.getMessage());
        }
    }

    private static long number(final String text, final String option)
    {
        try
        {
            final long value = Long.parseLong(text);
            if (value < 1)
            {
                throw new NumberFormatException();
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("option " + option + " needs a positive whole number, not '" + text +
                "'");
        }
    }
}
