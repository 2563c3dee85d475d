package org.bulwark.perf.compare;

import org.bulwark.probes.JsonReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The tables of perf/compare.sh: reads every harness summary {@code DIR/*.json} of one comparison and prints
 * the markdown report ({@link MarkdownReport}) on standard output, followed by the runs that failed (listed in
 * {@code DIR/runs.tsv} by compare.sh: label, status, detail) and the files that could not be read.
 *
 * <pre>
 *   CompareReport DIR [--baseline bulwark] [--systems "bulwark redis-aof ..."]
 * </pre>
 */
public final class CompareReport
{
    private CompareReport()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        try
        {
            System.out.print(report(args));
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("CompareReport: " + ex.getMessage());
            System.exit(2);
        }
    }

    /**
     * @return the whole report for the command line {@code args}.
     * @throws IllegalArgumentException for bad arguments, or a directory with neither a readable summary nor a
     * failed run in runs.tsv.
     */
    static String report(final String[] args) throws IOException
    {
        if (args.length == 0 || args[0].startsWith("--"))
        {
            throw new IllegalArgumentException("usage: CompareReport DIR [--baseline NAME] [--systems \"A B ...\"]");
        }
        final Path dir = Path.of(args[0]);
        String baseline = "bulwark";
        List<String> systems = List.of();
        for (int i = 1; i < args.length; i += 2)
        {
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option '" + args[i] + "' needs a value");
            }
            switch (args[i])
            {
                case "--baseline" -> baseline = args[i + 1];
                case "--systems" -> systems = Arrays.asList(args[i + 1].trim().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] +
                    "' (known: --baseline, --systems)");
            }
        }
        if (!Files.isDirectory(dir))
        {
            throw new IllegalArgumentException("no such directory " + dir);
        }
        final List<RunResult> results = new ArrayList<>();
        final List<String> unreadable = new ArrayList<>();
        for (final Path file : summaries(dir))
        {
            try
            {
                results.add(RunResult.fromJson(JsonReader.parse(Files.readString(file, StandardCharsets.UTF_8),
                    file.toString()), file.toString()));
            }
            catch (final IllegalArgumentException ex)
            {
                unreadable.add(ex.getMessage());
            }
        }
        final List<String> failed = failedRuns(dir.resolve("runs.tsv"));
        if (results.isEmpty() && failed.isEmpty())
        {
            throw new IllegalArgumentException("no readable harness summary (*.json) in " + dir +
                (unreadable.isEmpty() ? "" : ": " + String.join("; ", unreadable)));
        }
        final StringBuilder report = new StringBuilder();
        if (results.isEmpty())
        {
            report.append("No run produced a summary.\n\n");
        }
        else
        {
            report.append(new MarkdownReport(new Comparison(results, systems), baseline, Goal.DURABLE_SET).render());
        }
        if (!failed.isEmpty() || !unreadable.isEmpty())
        {
            report.append("### Runs missing from the tables\n\n");
            failed.forEach(line -> report.append("- ").append(line).append('\n'));
            unreadable.forEach(line -> report.append("- unreadable: ").append(line).append('\n'));
            report.append('\n');
        }
        return report.toString();
    }

    static final String JMH_PREFIX = "jmh-";

    private static List<Path> summaries(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            // perf/run-jmh.sh --all writes its jmh-HHMMSS.json into the same dated directory: not a run.
            return files.filter(f -> f.getFileName().toString().endsWith(".json") &&
                !f.getFileName().toString().startsWith(JMH_PREFIX)).sorted().toList();
        }
    }

    /**
     * @return "label: detail" of every line of runs.tsv whose status is not {@code ok}; none without the file.
     */
    private static List<String> failedRuns(final Path runs) throws IOException
    {
        if (!Files.exists(runs))
        {
            return List.of();
        }
        final List<String> failed = new ArrayList<>();
        for (final String line : Files.readAllLines(runs, StandardCharsets.UTF_8))
        {
            final String[] fields = line.split("\t", 3);
            if (fields.length >= 2 && !fields[1].equals("ok") && !fields[1].equals("status"))
            {
                failed.add(fields[0] + ": " + fields[1] + (fields.length > 2 ? " (" + fields[2] + ")" : ""));
            }
        }
        return failed;
    }
}
