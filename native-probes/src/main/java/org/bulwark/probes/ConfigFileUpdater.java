package org.bulwark.probes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sets {@code key = value} lines in a configuration file of the member's format ({@code key = value}
 * lines, {@code #} comments), keeping every other line as it was: a key's existing line is replaced
 * in place, a missing key is appended after a comment. The old file is kept next to it
 * ({@code FILE.bak}, or {@code FILE.bak.N} if that exists) and the new one replaces it atomically.
 */
public final class ConfigFileUpdater
{
    private static final int MOST_BACKUPS = 1000;

    private ConfigFileUpdater()
    {
    }

    /**
     * What an update did.
     *
     * @param backup the copy of the old file, or null if there was no old file.
     */
    public record Update(Path file, Path backup)
    {
    }

    /**
     * @param values  keys and values, set in this order.
     * @param comment a comment line (without {@code #}) written above keys that were not in the file.
     */
    public static Update update(final Path file, final Map<String, String> values, final String comment)
        throws ProbeException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent))
        {
            throw new ProbeException("cannot write " + file + ": directory " + parent + " does not exist");
        }
        try
        {
            final boolean exists = Files.exists(file);
            final List<String> lines = exists ? Files.readAllLines(file, StandardCharsets.UTF_8) : new ArrayList<>();
            boolean commented = false;
            for (final Map.Entry<String, String> entry : values.entrySet())
            {
                final String line = entry.getKey() + " = " + entry.getValue();
                final int at = indexOfKey(lines, entry.getKey());
                if (at >= 0)
                {
                    lines.set(at, line);
                }
                else
                {
                    if (!commented && null != comment)
                    {
                        lines.add("# " + comment);
                        commented = true;
                    }
                    lines.add(line);
                }
            }
            final Path backup = exists ? backup(file) : null;
            write(file, lines);
            return new Update(file, backup);
        }
        catch (final IOException ex)
        {
            throw new ProbeException("cannot update " + file + ": " + ex, ex);
        }
    }

    /**
     * The line setting the key (a comment mentioning it does not count), or -1.
     */
    static int indexOfKey(final List<String> lines, final String key)
    {
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            final int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0 && line.substring(0, eq).strip().equals(key))
            {
                return i;
            }
        }
        return -1;
    }

    private static Path backup(final Path file) throws IOException
    {
        for (int n = 0; n < MOST_BACKUPS; n++)
        {
            final Path backup = file.resolveSibling(file.getFileName() + (n == 0 ? ".bak" : ".bak." + n));
            if (!Files.exists(backup))
            {
                Files.copy(file, backup, StandardCopyOption.COPY_ATTRIBUTES);
                return backup;
            }
        }
        throw new IOException("no free backup name next to " + file + " (" + MOST_BACKUPS + " backups exist)");
    }

    /**
     * Write beside the file, make it durable, then rename over it: a crash leaves the old file or
     * the new one, never half of one.
     */
    private static void write(final Path file, final List<String> lines) throws IOException
    {
        final Path temp = file.resolveSibling(file.getFileName() + ".probe-tmp");
        final StringBuilder text = new StringBuilder();
        for (final String line : lines)
        {
            text.append(line).append('\n');
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
        try
        {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
        DurableWrites.syncDirectory(file.toAbsolutePath().getParent());
    }
}
