package org.bulwark.replication.agent;

import org.bulwark.journal.JournalByteSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A served member's journal: its raw bytes and its valid end, which is found by reading the last file
 * and kept until the journal's files change (a member that is down does not change them, and a peer
 * fetches its journal in many chunks).
 */
final class MemberJournal
{
    private final JournalByteSource source;
    private final Path directory;
    private Object cachedKey;
    private long cachedValidEnd;

    MemberJournal(final Path directory, final String prefix)
    {
        this.directory = directory;
        this.source = new JournalByteSource(directory, prefix);
    }

    synchronized long validEnd() throws IOException
    {
        final Object key = changeKey();
        if (null == key || !key.equals(cachedKey))
        {
            cachedValidEnd = source.validEnd();
            cachedKey = key;
        }
        return cachedValidEnd;
    }

    int read(final long position, final ByteBuffer dst, final int maxBytes) throws IOException
    {
        return source.read(position, dst, maxBytes);
    }

    /**
     * @return what changes when a journal file changes: each file's size and modification time (null
     *     if a file vanished meanwhile, which forces a new scan).
     */
    private String changeKey() throws IOException
    {
        final StringBuilder key = new StringBuilder();
        try (var files = Files.list(directory))
        {
            for (final Path file : files.sorted().toList())
            {
                try
                {
                    final BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    key.append(file.getFileName()).append(' ').append(a.size()).append(' ')
                        .append(a.lastModifiedTime()).append('\n');
                }
                catch (final NoSuchFileException ex)
                {
                    return null;
                }
            }
        }
        catch (final NoSuchFileException ex)
        {
            return "";
        }
        return key.toString();
    }
}
