package org.bulwark.server;

import org.agrona.concurrent.status.CountersReader;
import org.bulwark.server.metrics.CounterDescriptor;
import org.bulwark.server.metrics.CountersFileReader;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bulwark stat [--interval MS] [--once] [--count N]}: a live view of a running member's
 * counters (SPEC V-5), read from its counters file as another process, like Aeron's AeronStat:
 * every value, and a per-second rate for those that only grow. On a terminal the screen is
 * cleared between refreshes, like top; otherwise the blocks follow each other, for scripts.
 */
final class StatCommand
{
    private static final String CLEAR_SCREEN = "\u001b[H\u001b[2J";
    private static final long DEFAULT_INTERVAL_MS = 1_000;

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    StatCommand(final PrintStream out, final PrintStream err, final boolean terminal)
    {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    /**
     * One counter as read at one refresh.
     */
    private static final class Row
    {
        final int id;
        final String label;
        final CounterDescriptor.Kind kind;
        final long value;

        Row(final int id, final String label, final CounterDescriptor.Kind kind, final long value)
        {
            this.id = id;
            this.label = label;
            this.kind = kind;
            this.value = value;
        }
    }

    int run(final Path dataDirectory, final List<String> arguments) throws InterruptedException
    {
        long intervalMs = DEFAULT_INTERVAL_MS;
        long count = Long.MAX_VALUE;
        for (int i = 0; i < arguments.size(); i++)
        {
            final String argument = arguments.get(i);
            switch (argument)
            {
                case "--once":
                    count = 1;
                    break;
                case "--interval":
                    intervalMs = positive(argument, arguments.get(++i));
                    break;
                case "--count":
                    count = positive(argument, arguments.get(++i));
                    break;
                default:
                    throw new IllegalArgumentException("unexpected argument '" + argument + "'");
            }
        }
        try (CountersFileReader file = CountersFileReader.open(dataDirectory))
        {
            List<Row> previous = null;
            long previousNs = 0;
            for (long refresh = 0; refresh < count; refresh++)
            {
                if (refresh > 0)
                {
                    Thread.sleep(intervalMs);
                }
                final String gone = file.whyNotRunning();
                if (null != gone)
                {
                    err.println("bulwark stat: " + gone);
                    return BulwarkCli.EXIT_FAILED;
                }
                final long nowNs = System.nanoTime();
                final List<Row> rows = read(file.reader());
                print(file, dataDirectory, rows, previous, (nowNs - previousNs) / 1e9);
                previous = rows;
                previousNs = nowNs;
            }
            return BulwarkCli.EXIT_OK;
        }
        catch (final CountersFileReader.NoMemberException ex)
        {
            err.println("bulwark stat: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
        catch (final IOException ex)
        {
            err.println("bulwark stat: cannot read the counters: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
    }

    private static long positive(final String option, final String text)
    {
        try
        {
            final long value = Long.parseLong(text);
            if (value > 0)
            {
                return value;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new IllegalArgumentException("option " + option + " needs a positive whole number, not '" + text + "'");
    }

    private static List<Row> read(final CountersReader reader)
    {
        final List<Row> rows = new ArrayList<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
            rows.add(new Row(counterId, label, CounterDescriptor.Kind.ofTypeId(typeId),
                reader.getCounterValue(counterId))));
        return rows;
    }

    private void print(final CountersFileReader file, final Path dataDirectory, final List<Row> rows,
        final List<Row> previous, final double elapsedS)
    {
        final StringBuilder text = new StringBuilder(4096);
        if (terminal)
        {
            text.append(CLEAR_SCREEN);
        }
        final long upS = Math.max(0, System.currentTimeMillis() - file.startTimeMs()) / 1_000;
        text.append(String.format("bulwark stat  %s  pid %d  up %d:%02d:%02d  %s  (latency over %d ms)%n",
            dataDirectory.toAbsolutePath(), file.pid(), upS / 3600, upS / 60 % 60, upS % 60,
            Instant.now().truncatedTo(ChronoUnit.SECONDS), file.intervalMs()));
        text.append(String.format("%4s  %-36s %20s %14s%n", "id", "counter", "value", "per second"));
        for (final Row row : rows)
        {
            String rate = "";
            if (null != row.kind && row.kind.hasRate())
            {
                final Row before = find(previous, row.id);
                rate = null == before || elapsedS <= 0 ? "-" :
                    String.format("%,.1f", (row.value - before.value) / elapsedS);
            }
            text.append(String.format("%4d  %-36s %,20d %14s%n", row.id, row.label, row.value, rate));
        }
        if (!terminal)
        {
            text.append(System.lineSeparator());
        }
        out.print(text);
        out.flush();
    }

    private static Row find(final List<Row> rows, final int id)
    {
        if (null == rows)
        {
            return null;
        }
        for (final Row row : rows)
        {
            if (row.id == id)
            {
                return row;
            }
        }
        return null;
    }
}
