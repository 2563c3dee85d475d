package org.bulwark.replication.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small text files that must be whole or absent after a crash: written to a temporary file, synced,
 * renamed over the old one, and the directory synced.
 */
final class SmallFiles
{
    private SmallFiles()
    {
    }

    static void writeDurably(final Path file, final String text) throws IOException
    {
        final Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
        try
        {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(directory);
    }

    static boolean deleteDurably(final Path file) throws IOException
    {
        final boolean deleted = Files.deleteIfExists(file);
        if (deleted)
        {
            syncDirectory(file.toAbsolutePath().getParent());
        }
        return deleted;
    }

    private static void syncDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * @return {@code text} on one line (line breaks would end a {@code key=value} line early).
     */
    static String oneLine(final String text)
    {
        return text.replace('\r', ' ').replace('\n', ' ');
    }
}
