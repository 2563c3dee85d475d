package org.bulwark.journal;

import org.agrona.MutableDirectBuffer;
import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.SyncLevel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The journal as a run of raw bytes addressed by journal position, across its files: what a mirror
 * agent serves when another member fetches the journal of a member that is down (SPEC M-3).
 *
 * <p>Each file of {@code journal.log} holds the positions from its start up to the next file's start
 * (the last file up to its preallocated end), at file offset {@code HEADER_LENGTH + position - start}.
 * Bytes past the journal's end are zeros, or a torn record: {@link #validEnd()} says where the records
 * that pass their checks end, and a caller serves no bytes beyond it.
 *
 * <p>Everything here only reads: files are opened read-only, so the journal of a stopped member is
 * left exactly as it was. Files are opened per call, so a source holds nothing open between calls.
 */
public final class JournalByteSource
{
    private final JournalFiles files;

    /**
     * @param directory the journal directory ({@code journal.directory}).
     * @param prefix    the file name prefix: empty for a member's own journal.
     */
    public JournalByteSource(final Path directory, final String prefix)
    {
        this(new JournalFiles(directory, prefix, ReadOnlyLayer.INSTANCE));
    }

    public JournalByteSource(final JournalFiles files)
    {
        this.files = files;
    }

    public Path directory()
    {
        return files.directory();
    }

    /**
     * @return the position of the oldest byte still in the files (0 without files).
     */
    public long startPosition() throws IOException
    {
        final List<JournalFiles.Entry> entries = files.list();
        return entries.isEmpty() ? 0 : entries.get(0).startPosition();
    }

    /**
     * @return the position after the last complete record that passes its check; a torn record at the
     *     tail is not part of it. The start of the journal when it holds no record, 0 without files.
     * @throws JournalDamagedException if the last file is damaged before its tail.
     */
    public long validEnd() throws IOException
    {
        final List<JournalFiles.Entry> entries = files.list();
        if (entries.isEmpty())
        {
            return 0;
        }
        // Only the last file can hold the end: each earlier file ends where the next one starts.
        try (JournalReader reader = new JournalReader(files, ReadOnlyLayer.INSTANCE))
        {
            reader.seek(reader.entries().get(reader.entries().size() - 1).startPosition());
            while (reader.next())
            {
                // to the end
            }
            return reader.position();
        }
    }

    /**
     * Copy journal bytes from {@code position} into {@code dst} (from its position on; its position
     * advances by the count), crossing from file to file.
     *
     * @param maxBytes at most this many (and at most {@code dst.remaining()}).
     * @return the bytes copied: fewer than asked only at the end of the last file, 0 from there on.
     * @throws IOException if {@code position} is before the first file (purged), or a listed file is missing.
     */
    public int read(final long position, final ByteBuffer dst, final int maxBytes) throws IOException
    {
        final List<JournalFiles.Entry> entries = files.list();
        if (entries.isEmpty())
        {
            throw new IOException("journal " + files.listFile() + " lists no files: nothing at position " + position);
        }
        if (position < entries.get(0).startPosition())
        {
            throw new IOException("journal position " + position + " is before the first journal file (" +
                entries.get(0).name() + " starts at " + entries.get(0).startPosition() + "): it was purged");
        }
        final int wanted = Math.min(maxBytes, dst.remaining());
        int copied = 0;
        int index = fileIndexOf(entries, position);
        while (copied < wanted && index < entries.size())
        {
            final JournalFiles.Entry entry = entries.get(index);
            final long at = position + copied;
            final long limit = index + 1 < entries.size() ? entries.get(index + 1).startPosition() : Long.MAX_VALUE;
            final int n = readFromFile(entry, at, dst, (int)Math.min(wanted - copied, limit - at));
            copied += n;
            if (position + copied < limit)
            {
                break; // the end of the last file (or a short earlier file, which the reader reports as damage)
            }
            index++;
        }
        return copied;
    }

    /**
     * Copy journal bytes from {@code position} into {@code dst} at {@code offset}.
     *
     * @return the bytes copied (see {@link #read(long, ByteBuffer, int)}).
     */
    public int read(final long position, final MutableDirectBuffer dst, final int offset, final int maxBytes)
        throws IOException
    {
        final int length = Math.min(maxBytes, dst.capacity() - offset);
        final ByteBuffer view;
        if (null != dst.byteArray())
        {
            view = ByteBuffer.wrap(dst.byteArray(), dst.wrapAdjustment() + offset, length);
        }
        else if (null != dst.byteBuffer())
        {
            final int start = dst.wrapAdjustment() + offset;
            view = dst.byteBuffer().duplicate().limit(start + length).position(start);
        }
        else
        {
            final byte[] bytes = new byte[length];
            final int n = read(position, ByteBuffer.wrap(bytes), length);
            dst.putBytes(offset, bytes, 0, n);
            return n;
        }
        return read(position, view, length);
    }

    private static int fileIndexOf(final List<JournalFiles.Entry> entries, final long position)
    {
        int index = 0;
        for (int i = 0; i < entries.size(); i++)
        {
            if (entries.get(i).startPosition() <= position)
            {
                index = i;
            }
        }
        return index;
    }

    private int readFromFile(final JournalFiles.Entry entry, final long position, final ByteBuffer dst,
        final int length) throws IOException
    {
        final Path path = files.path(entry);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            final long fileOffset = JournalFiles.HEADER_LENGTH + position - entry.startPosition();
            final ByteBuffer target = dst.duplicate();
            target.limit(target.position() + length);
            long at = fileOffset;
            while (target.hasRemaining())
            {
                final int n = channel.read(target, at);
                if (n < 0)
                {
                    break;
                }
                at += n;
            }
            final int copied = (int)(at - fileOffset);
            dst.position(dst.position() + copied);
            return copied;
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException("journal file " + path + " (position " + entry.startPosition() + " on) is listed " +
                "in " + files.listFile() + " but missing", ex);
        }
    }

    /**
     * Opens files read-only, so that the reader that finds the valid end cannot change them.
     */
    private static final class ReadOnlyLayer implements FileLayer
    {
        static final ReadOnlyLayer INSTANCE = new ReadOnlyLayer();

        @Override
        public DurableFile open(final Path path, final boolean create) throws IOException
        {
            if (create)
            {
                throw new IOException("read-only journal access cannot create " + path);
            }
            return new ReadOnlyFile(path, FileChannel.open(path, StandardOpenOption.READ));
        }

        @Override
        public void syncDirectory(final Path directory) throws IOException
        {
            throw new IOException("read-only journal access cannot change " + directory);
        }
    }

    private record ReadOnlyFile(Path path, FileChannel channel) implements DurableFile
    {
        @Override
        public long size() throws IOException
        {
            return channel.size();
        }

        @Override
        public void setLength(final long sizeBytes) throws IOException
        {
            throw readOnly();
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            int total = 0;
            while (dst.hasRemaining())
            {
                final int n = channel.read(dst, position + total);
                if (n < 0)
                {
                    break;
                }
                total += n;
            }
            return total;
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            throw readOnly();
        }

        @Override
        public void write(final ByteBuffer[] srcs, final int offset, final int length, final long position)
            throws IOException
        {
            throw readOnly();
        }

        @Override
        public void sync(final SyncLevel level) throws IOException
        {
            throw readOnly();
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }

        private IOException readOnly()
        {
            return new IOException("read-only journal access cannot change " + path);
        }
    }
}
