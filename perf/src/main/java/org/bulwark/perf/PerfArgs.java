package org.bulwark.perf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options of the plain benchmarks: {@code --name value} pairs, each with a default and
 * a line of help; an unknown option or {@code --help} prints the list and stops.
 */
final class PerfArgs
{
    /** Where benchmark files go by default: run-main.sh sets it to perf/target/perf-data. */
    static final String DIR_PROPERTY = "bulwark.perf.dir";

    private final String program;
    private final Map<String, String> defaults = new LinkedHashMap<>();
    private final Map<String, String> help = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    PerfArgs(final String program)
    {
        this.program = program;
    }

    PerfArgs option(final String name, final String defaultValue, final String description)
    {
        defaults.put(name, defaultValue);
        help.put(name, description);
        return this;
    }

    /**
     * @return this, or null after printing the help ({@code --help}).
     * @throws IllegalArgumentException for an unknown option or one without a value.
     */
    PerfArgs parse(final String[] args)
    {
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h"))
            {
                System.out.println(usage());
                return null;
            }
            if (!arg.startsWith("--") || !defaults.containsKey(arg.substring(2)))
            {
                throw new IllegalArgumentException("unknown option '" + arg + "'\n" + usage());
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option '" + arg + "' needs a value\n" + usage());
            }
            values.put(arg.substring(2), args[++i]);
        }
        return this;
    }

    String usage()
    {
        final StringBuilder text = new StringBuilder("usage: ").append(program).append(" [--option value]...\n");
        for (final Map.Entry<String, String> e : help.entrySet())
        {
            text.append(String.format("  --%-20s %s (default: %s)%n", e.getKey(), e.getValue(),
                defaults.get(e.getKey())));
        }
        return text.toString();
    }

    String string(final String name)
    {
        if (!defaults.containsKey(name))
        {
            throw new IllegalStateException("undeclared option " + name);
        }
        return values.getOrDefault(name, defaults.get(name));
    }

    long number(final String name)
    {
        try
        {
            return Long.parseLong(string(name).strip());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--" + name + ": '" + string(name) + "' is not a whole number");
        }
    }

    int integer(final String name)
    {
        return Math.toIntExact(number(name));
    }

    List<String> list(final String name)
    {
        final List<String> items = new ArrayList<>();
        for (final String item : string(name).split(","))
        {
            if (!item.isBlank())
            {
                items.add(item.strip());
            }
        }
        return items;
    }

    /**
     * @return the directory option, or the run-main.sh default, or target/perf-data below the working directory.
     */
    Path directory(final String name)
    {
        final String given = values.get(name);
        if (null != given)
        {
            return Path.of(given);
        }
        return Path.of(System.getProperty(DIR_PROPERTY, "target/perf-data"));
    }
}
