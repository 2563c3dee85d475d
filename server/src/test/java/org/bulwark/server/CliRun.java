package org.bulwark.server;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the bulwark command line in this JVM: its exit code and what it printed.
 */
record CliRun(int code, String output, String errors)
{
    /**
     * Run {@code args} with {@code stdin} as standard input.
     */
    static CliRun run(final String stdin, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = new BulwarkCli(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), new BufferedReader(new StringReader(stdin))).run(args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * @return {@code args} followed by {@code --config config}.
     */
    static String[] withConfig(final Path config, final String... args)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.add("--config");
        all.add(config.toString());
        return all.toArray(new String[0]);
    }

    /**
     * Write {@code dir/bulwark.conf} once: the data directory {@code dir/data} and {@code settings}.
     *
     * @return the file.
     */
    static Path memberConfig(final Path dir, final String... settings) throws IOException
    {
        final Path config = dir.resolve("bulwark.conf");
        if (!Files.exists(config))
        {
            final List<String> lines = new ArrayList<>();
            lines.add("data.directory = " + dir.resolve("data"));
            lines.addAll(List.of(settings));
            lines.add("");
            Files.writeString(config, String.join("\n", lines));
        }
        return config;
    }
}
