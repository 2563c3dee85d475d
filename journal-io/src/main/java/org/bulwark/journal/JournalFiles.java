package org.bulwark.journal;

import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.SyncLevel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal's files (SPEC J-2): {@code YYYYMMDD.NNN} (with a prefix for mirror journals), each
 * with a header, listed in order in {@code journal.log} ({@code mirrorjrn-<mirror>.log} for a mirror).
 *
 * <pre>
 * file header (4096 bytes; records follow):
 *   0  magic "BLWKJRNL"      8  version            12  header length
 *  16  start position       24  file number        32  created, ms since the epoch
 *  40  preallocated size, bytes (a shorter file was truncated)
 *  48  CRC32C of bytes [0, 48)
 * journal.log: one line per file, oldest first: "name startPosition createdIso"
 * </pre>
 *
 * A record at journal position {@code p} lies in the last file whose start position is at most
 * {@code p}, at file offset {@code 4096 + p - start}. Files are preallocated with zeros: a zero
 * frame length is the end of the written part.
 */
public final class JournalFiles
{
    public static final long MAGIC = 0x4C4E524A4B574C42L; // "BLWKJRNL" little-endian
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 4096;
    public static final String LIST_FILE = "journal.log";

    private static final int SIZE_OFFSET = 40;
    private static final int HEADER_CRC_OFFSET = 48;
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    /**
     * A file of the journal as {@code journal.log} lists it.
     */
    public record Entry(String name, long startPosition, String created)
    {
    }

    private final Path directory;
    private final String prefix;
    private final FileLayer layer;

    public JournalFiles(final Path directory, final String prefix, final FileLayer layer)
    {
        this.directory = directory;
        this.prefix = prefix;
        this.layer = layer;
    }

    public Path directory()
    {
        return directory;
    }

    public Path listFile()
    {
        return directory.resolve(prefix.isEmpty() ? LIST_FILE :
            "mirrorjrn-" + prefix.substring("MIRROR-".length(), prefix.length() - 1) + ".log");
    }

    public Path path(final Entry entry)
    {
        return directory.resolve(entry.name());
    }

    /**
     * @return the files in order; empty if there is no journal yet.
     */
    public List<Entry> list() throws IOException
    {
        final List<Entry> entries = new ArrayList<>();
        final Path list = listFile();
        if (!Files.exists(list))
        {
            return entries;
        }
        int lineNumber = 0;
        for (final String line : Files.readAllLines(list, StandardCharsets.UTF_8))
        {
            lineNumber++;
            if (line.isBlank())
            {
                continue;
            }
            final String[] parts = line.trim().split("\\s+");
            try
            {
                final Entry entry = new Entry(parts[0], Long.parseLong(parts[1]), parts.length > 2 ? parts[2] : "");
                if (!entries.isEmpty() && entry.startPosition() < entries.get(entries.size() - 1).startPosition())
                {
                    throw new IOException(list + " line " + lineNumber + ": start position goes backwards");
                }
                entries.add(entry);
            }
            catch (final RuntimeException ex)
            {
                throw new IOException(list + " line " + lineNumber + ": not 'name startPosition created': " + line);
            }
        }
        return entries;
    }

    /**
     * Create, preallocate and list a new file starting at {@code startPosition}.
     */
    public synchronized Entry create(final long startPosition, final long fileNumber, final long sizeBytes)
        throws IOException
    {
        Files.createDirectories(directory);
        final String name = nextName();
        final Path path = directory.resolve(name);
        final long createdMs = System.currentTimeMillis();
        try
        {
            preallocate(path, startPosition, fileNumber, sizeBytes, createdMs);
        }
        catch (final IOException ex)
        {
            // Not listed yet, so not part of the journal: remove it and give back the space it took.
            try
            {
                Files.deleteIfExists(path);
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw new IOException("cannot create journal file " + path + " of " + sizeBytes + " bytes: " +
                ex.getMessage(), ex);
        }
        layer.syncDirectory(directory);
        final Entry entry = new Entry(name, startPosition, Instant.ofEpochMilli(createdMs).toString());
        Files.writeString(listFile(), name + " " + startPosition + " " + entry.created() + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        layer.syncDirectory(directory);
        return entry;
    }

    private void preallocate(
        final Path path, final long startPosition, final long fileNumber, final long sizeBytes, final long createdMs)
        throws IOException
    {
        try (DurableFile file = layer.open(path, true))
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < sizeBytes; at += zeros.capacity())
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), sizeBytes - at));
                file.write(zeros, at);
            }
            final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(HEADER_LENGTH));
            header.putLong(0, MAGIC);
            header.putInt(8, VERSION);
            header.putInt(12, HEADER_LENGTH);
            header.putLong(16, startPosition);
            header.putLong(24, fileNumber);
            header.putLong(32, createdMs);
            header.putLong(SIZE_OFFSET, sizeBytes);
            header.putInt(HEADER_CRC_OFFSET, Crc32c.INSTANCE.compute(header.addressOffset(), 0, HEADER_CRC_OFFSET));
            file.write(header.byteBuffer().duplicate().clear(), 0);
            file.sync(SyncLevel.DATA_AND_METADATA);
        }
    }

    /**
     * Remove the oldest files from the journal: first {@code journal.log} is rewritten without them
     * (a new file synced, then renamed over the old one), then the files are deleted; a crash in
     * between leaves files that no list names, which nothing reads.
     *
     * @param count how many of the oldest files to remove; never the newest (the one being written).
     */
    public synchronized List<Entry> removeOldest(final int count) throws IOException
    {
        final List<Entry> entries = list();
        if (count <= 0)
        {
            return List.of();
        }
        if (count >= entries.size())
        {
            throw new IllegalArgumentException("cannot remove " + count + " of " + entries.size() +
                " journal files: the newest is the one being written");
        }
        final List<Entry> removed = new ArrayList<>(entries.subList(0, count));
        final StringBuilder text = new StringBuilder();
        for (final Entry entry : entries.subList(count, entries.size()))
        {
            text.append(entry.name()).append(' ').append(entry.startPosition()).append(' ').append(entry.created())
                .append('\n');
        }
        final Path list = listFile();
        final Path next = list.resolveSibling(list.getFileName() + ".new");
        Files.writeString(next, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(next, list, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        layer.syncDirectory(directory);
        for (final Entry entry : removed)
        {
            Files.deleteIfExists(path(entry));
        }
        layer.syncDirectory(directory);
        return removed;
    }

    /**
     * Check a file's header.
     *
     * @return null if it is a journal file starting at {@code startPosition}, else what is wrong.
     */
    public static String validateHeader(final DurableFile file, final Path path, final long startPosition)
        throws IOException
    {
        final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(HEADER_LENGTH));
        final int n = file.read(header.byteBuffer().duplicate().clear(), 0);
        if (n < HEADER_LENGTH)
        {
            return path + " offset 0: file of " + n + " bytes has no journal header";
        }
        if (header.getLong(0) != MAGIC)
        {
            return path + " offset 0: not a journal file (bad magic)";
        }
        if (header.getInt(HEADER_CRC_OFFSET) != Crc32c.INSTANCE.compute(header.addressOffset(), 0, HEADER_CRC_OFFSET))
        {
            return path + " offset " + HEADER_CRC_OFFSET + ": journal header checksum mismatch";
        }
        if (header.getLong(16) != startPosition)
        {
            return path + " offset 16: header says the file starts at " + header.getLong(16) + ", the list says " +
                startPosition;
        }
        final long preallocated = header.getLong(SIZE_OFFSET);
        if (file.size() < preallocated)
        {
            return path + " offset " + file.size() + ": the file was truncated (" + file.size() + " bytes; it was " +
                "preallocated to " + preallocated + ")";
        }
        return null;
    }

    private String nextName() throws IOException
    {
        final String day = LocalDate.now(ZoneOffset.UTC).format(DAY);
        int last = 0;
        for (final Entry entry : list())
        {
            final String base = entry.name().substring(prefix.length());
            if (base.startsWith(day + "."))
            {
                last = Math.max(last, Integer.parseInt(base.substring(day.length() + 1)));
            }
        }
        return prefix + day + "." + String.format("%03d", last + 1);
    }
}
