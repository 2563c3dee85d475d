package org.bulwark.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code backup.log} in the data directory: one line per completed backup, oldest first, so that a
 * journal purge by backups knows which journal a restore still needs (SPEC J-7, J-9).
 *
 * <pre>
 * created (ISO-8601)  database  checkpoint  journalFrom  backup file
 * </pre>
 * {@code checkpoint} is the journal position the backup's blocks are complete to;
 * {@code journalFrom} is where a restore must start reading (earlier if a transaction was open).
 */
final class BackupHistory
{
    static final String FILE_NAME = "backup.log";

    /**
     * One completed backup.
     */
    record Entry(String created, String database, long checkpoint, long journalFrom, String file)
    {
    }

    private final Path path;

    BackupHistory(final Path dataDirectory)
    {
        this.path = dataDirectory.resolve(FILE_NAME);
    }

    Path path()
    {
        return path;
    }

    synchronized void append(final Entry entry) throws IOException
    {
        Files.writeString(path, entry.created() + " " + entry.database() + " " + entry.checkpoint() + " " +
            entry.journalFrom() + " " + entry.file() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND, StandardOpenOption.SYNC);
    }

    synchronized List<Entry> list() throws IOException
    {
        final List<Entry> entries = new ArrayList<>();
        if (!Files.exists(path))
        {
            return entries;
        }
        int lineNumber = 0;
        for (final String line : Files.readAllLines(path, StandardCharsets.UTF_8))
        {
            lineNumber++;
            if (line.isBlank())
            {
                continue;
            }
            final String[] parts = line.trim().split("\\s+", 5);
            try
            {
                entries.add(new Entry(parts[0], parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]),
                    parts[4]));
            }
            catch (final RuntimeException ex)
            {
                throw new IOException(path + " line " + lineNumber + ": not 'created database checkpoint " +
                    "journalFrom file': " + line);
            }
        }
        return entries;
    }

    /**
     * @return for each backup, where a restore from it starts reading the journal.
     */
    List<Long> journalStarts() throws IOException
    {
        final List<Long> starts = new ArrayList<>();
        for (final Entry entry : list())
        {
            starts.add(entry.journalFrom());
        }
        return starts;
    }
}
