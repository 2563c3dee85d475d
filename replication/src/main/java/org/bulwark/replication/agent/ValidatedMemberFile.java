package org.bulwark.replication.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code validated-member} in a member's data directory: the member's {@code ValidatedMember} setting
 * (SPEC M-3, M-14), written by its agent on request of an authenticated member and read by the member
 * when it starts. A file of its own, not a field of {@code mirror-member.state}, because that file has
 * one writer, the member.
 *
 * <pre>
 * # set by node-b from /10.0.0.2:51234 at 2026-11-23T08:20:00Z
 * 1
 * </pre>
 */
public final class ValidatedMemberFile
{
    public static final String FILE_NAME = "validated-member";

    private ValidatedMemberFile()
    {
    }

    public static Path path(final Path dataDirectory)
    {
        return dataDirectory.resolve(FILE_NAME);
    }

    /**
     * @return the setting, or empty if it was never set.
     * @throws IOException naming the file and line if it holds something other than 0 or 1.
     */
    public static Optional<Boolean> read(final Path dataDirectory) throws IOException
    {
        final Path file = path(dataDirectory);
        final java.util.List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return Optional.empty();
        }
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            if ("0".equals(line) || "1".equals(line))
            {
                return Optional.of("1".equals(line));
            }
            throw new IOException(file + " line " + (i + 1) + ": expected 0 or 1, found '" + line + "'");
        }
        throw new IOException(file + ": holds no 0 or 1");
    }

    /**
     * Set it durably.
     *
     * @param setBy who asked, for the comment line.
     */
    public static void write(final Path dataDirectory, final boolean validated, final String setBy) throws IOException
    {
        SmallFiles.writeDurably(path(dataDirectory), "# set by " + SmallFiles.oneLine(setBy) + " at " + Instant.now() +
            "\n" + (validated ? "1" : "0") + "\n");
    }
}
