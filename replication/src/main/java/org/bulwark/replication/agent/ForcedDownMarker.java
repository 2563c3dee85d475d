package org.bulwark.replication.agent;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Properties;

/**
 * {@code forced-down} in a member's data directory: the member was forced down (SPEC M-9: "a
 * forced-down member stays down until an operator starts it"). The agent writes it before it kills
 * the member; {@code bulwark start} clears it (and logs that it did); a service manager must not
 * restart a member while it exists (systemd: {@code ExecCondition=}, see docs/agent.md).
 *
 * <pre>
 * reason=primary hung: no heartbeat for 3200 ms
 * time=2026-11-23T08:20:00.123Z
 * requestedBy=node-b from /10.0.0.2:51234
 * </pre>
 */
public record ForcedDownMarker(String reason, Instant time, String requestedBy)
{
    public static final String FILE_NAME = "forced-down";

    public static Path path(final Path dataDirectory)
    {
        return dataDirectory.resolve(FILE_NAME);
    }

    public static boolean exists(final Path dataDirectory)
    {
        return Files.exists(path(dataDirectory));
    }

    /**
     * @return the marker, or null if there is none.
     * @throws IOException naming the file if it cannot be read or parsed.
     */
    public static ForcedDownMarker read(final Path dataDirectory) throws IOException
    {
        final Path file = path(dataDirectory);
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        final Properties p = new Properties();
        p.load(new StringReader(text));
        try
        {
            return new ForcedDownMarker(p.getProperty("reason", ""), Instant.parse(p.getProperty("time", "")),
                p.getProperty("requestedBy", ""));
        }
        catch (final DateTimeParseException ex)
        {
            throw new IOException(file + ": 'time' is not an ISO-8601 instant: '" + p.getProperty("time") + "'", ex);
        }
    }

    /**
     * Write (or replace) the marker durably: whole or not at all after a crash.
     */
    public static void write(final Path dataDirectory, final ForcedDownMarker marker) throws IOException
    {
        SmallFiles.writeDurably(path(dataDirectory), "# the member was forced down; `bulwark start` clears this\n" +
            "reason=" + escape(marker.reason()) + "\ntime=" + marker.time() + "\nrequestedBy=" +
            escape(marker.requestedBy()) + "\n");
    }

    /**
     * Remove the marker (an operator starts the member).
     *
     * @return true if there was one.
     */
    public static boolean clear(final Path dataDirectory) throws IOException
    {
        return SmallFiles.deleteDurably(path(dataDirectory));
    }

    private static String escape(final String value)
    {
        // Properties syntax: a backslash escapes, so a literal one is doubled; one line per key.
        return SmallFiles.oneLine(value).replace("\\", "\\\\");
    }

    @Override
    public String toString()
    {
        return "forced down at " + time + " by " + requestedBy + ": " + reason;
    }
}
