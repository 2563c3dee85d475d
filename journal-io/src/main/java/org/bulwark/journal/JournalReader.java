package org.bulwark.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads journal records in position order across files, checking each one (SPEC J-5, J-9, E-2).
 *
 * <p>The end of the journal is the first place with nothing written (a zero frame length) that
 * no next file continues, or a torn record at the tail of the last file: one that fails its check
 * with no valid record after it in that file beyond the reach of one write (a crash cut the last
 * write short, keeping any of its sectors; nothing in it was acknowledged). A record that fails its check anywhere else is damage: the reader throws
 * {@link JournalDamagedException} naming the file and offset, and recovery stops there.
 */
public final class JournalReader implements AutoCloseable
{
    private static final int CHUNK_BYTES = 1 << 20;

    private final JournalFiles files;
    private final FileLayer layer;
    private List<JournalFiles.Entry> entries;
    private final JournalRecord record = new JournalRecord();
    private ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
    private final UnsafeBuffer chunkView = new UnsafeBuffer(0, 0);
    private long chunkStart = -1;
    private int chunkLength;

    private int fileIndex = -1;
    private DurableFile file;
    private long fileStart;
    private long fileDataBytes;
    private long position;
    private long recordPosition = -1;
    private long lastSequence = -1;
    private boolean tornTail;
    private long knownDurable = -1;
    private boolean following;

    public JournalReader(final JournalFiles files, final FileLayer layer) throws IOException
    {
        this.files = files;
        this.layer = layer;
        this.entries = files.list();
    }

    public List<JournalFiles.Entry> entries()
    {
        return entries;
    }

    /**
     * @return the position of the first record, or 0 without files.
     */
    public long startPosition()
    {
        return entries.isEmpty() ? 0 : entries.get(0).startPosition();
    }

    /**
     * Read from {@code from} on (it must be a record boundary, e.g. a checkpoint or a record's position).
     */
    public void seek(final long from) throws IOException
    {
        if (entries.isEmpty())
        {
            position = from;
            return;
        }
        if (from < entries.get(0).startPosition())
        {
            throw new IOException("journal position " + from + " is before the first journal file (" +
                entries.get(0).name() + " starts at " + entries.get(0).startPosition() + "): it was purged");
        }
        int index = 0;
        for (int i = 0; i < entries.size(); i++)
        {
            if (entries.get(i).startPosition() <= from)
            {
                index = i;
            }
        }
        if (index != fileIndex || null == file)
        {
            openFile(index);
        }
        position = from;
        lastSequence = -1; // a jump: the sequence check restarts here
    }

    /**
     * Advance to the next record.
     *
     * @return false at the end of the journal.
     * @throws JournalDamagedException if a record is damaged where it cannot be a torn tail.
     */
    public boolean next() throws IOException
    {
        if (null == file)
        {
            return false;
        }
        while (true)
        {
            if (position - fileStart + JournalRecord.HEADER_LENGTH > fileDataBytes)
            {
                if (!nextFile())
                {
                    return false;
                }
                continue;
            }
            ensure(position, JournalRecord.HEADER_LENGTH);
            final int at = (int)(position - chunkStart);
            final int frameLength = chunkView.getInt(at);
            if (0 == frameLength)
            {
                if (!nextFile())
                {
                    return false;
                }
                continue;
            }
            if (frameLength < 0)
            {
                position += -frameLength; // padding
                continue;
            }
            final long available = fileDataBytes - (position - fileStart);
            if (frameLength > available || frameLength < JournalRecord.HEADER_LENGTH)
            {
                return endOrDamage("frame length " + frameLength + " does not fit the file");
            }
            ensure(position, frameLength);
            record.wrap(chunkView, (int)(position - chunkStart));
            final String problem = record.validate(frameLength);
            if (null != problem)
            {
                return endOrDamage(problem);
            }
            if (lastSequence >= 0 && record.sequence() != lastSequence + 1)
            {
                throw new JournalDamagedException(where(position) + ": record sequence " + record.sequence() +
                    " follows " + lastSequence);
            }
            lastSequence = record.sequence();
            recordPosition = position;
            position += JournalRecord.alignedLength(frameLength);
            return true;
        }
    }

    /**
     * Follow a journal that is still being written (a mirror backup's dejournaler): before each
     * round of {@link #next()} calls up to a position known to be written, drop what was read
     * ahead (it may predate the write), and look for new files when the current one ends.
     */
    public void refresh()
    {
        following = true;
        chunkStart = -1;
        chunkLength = 0;
    }

    /**
     * @return the current record (valid until the next call).
     */
    public JournalRecord record()
    {
        return record;
    }

    /**
     * @return the position of the current record.
     */
    public long recordPosition()
    {
        return recordPosition;
    }

    /**
     * @return the position after the current record (the end of the journal once {@link #next()} is false).
     */
    public long position()
    {
        return position;
    }

    /**
     * @return true if the journal ended in a torn record (a crash cut the last write short).
     */
    public boolean endedTorn()
    {
        return tornTail;
    }

    /**
     * @return the file and offset of a position, for messages.
     */
    public String where(final long at)
    {
        final String name = fileIndex >= 0 ? entries.get(fileIndex).name() : "(no file)";
        return files.directory().resolve(name) + " offset " + (JournalFiles.HEADER_LENGTH + at - fileStart);
    }

    public String currentFileName()
    {
        return fileIndex >= 0 ? entries.get(fileIndex).name() : null;
    }

    private boolean endOrDamage(final String problem) throws IOException
    {
        if (fileIndex < entries.size() - 1)
        {
            throw new JournalDamagedException(where(position) + ": " + problem + " (not the last journal file)");
        }
        if (position < knownDurable)
        {
            throw new JournalDamagedException(where(position) + ": " + problem + ", before position " + knownDurable +
                " that was known to be durable");
        }
        // Only the last write can be unsynced at a crash, and a disk may keep any of its sectors:
        // valid records within one write's reach after the bad one may be part of that write. A
        // valid record beyond that reach was written after a sync that covered the bad one.
        final long later = laterValidRecord(position + Journal.MAX_BATCH_BYTES);
        if (later >= 0)
        {
            throw new JournalDamagedException(where(position) + ": " + problem + ", yet a valid record follows at " +
                where(later));
        }
        tornTail = true;
        return false;
    }

    /**
     * Positions before this are known to be durable (a checkpoint the write daemon waited for):
     * a bad record there is damage, never a torn tail.
     */
    public void knownDurable(final long position)
    {
        this.knownDurable = position;
    }

    /**
     * @return the position of a valid record after {@code from} in the current file, or -1.
     */
    private long laterValidRecord(final long from) throws IOException
    {
        final JournalRecord candidate = new JournalRecord();
        for (long at = from; at - fileStart +
            JournalRecord.HEADER_LENGTH <= fileDataBytes; at += JournalRecord.ALIGNMENT)
        {
            ensure(at, JournalRecord.HEADER_LENGTH);
            final int length = chunkView.getInt((int)(at - chunkStart));
            if (length < JournalRecord.HEADER_LENGTH || length > fileDataBytes - (at - fileStart))
            {
                continue;
            }
            ensure(at, length);
            candidate.wrap(chunkView, (int)(at - chunkStart));
            if (null == candidate.validate(length) && candidate.sequence() > lastSequence)
            {
                return at;
            }
        }
        return -1;
    }

    private boolean nextFile() throws IOException
    {
        if (fileIndex + 1 >= entries.size() && following)
        {
            entries = files.list(); // the journal being followed may have switched files since
        }
        if (fileIndex + 1 >= entries.size())
        {
            return false;
        }
        if (entries.get(fileIndex + 1).startPosition() != position)
        {
            throw new JournalDamagedException(where(position) + ": the journal ends here, but the next file " +
                entries.get(fileIndex + 1).name() + " starts at " + entries.get(fileIndex + 1).startPosition());
        }
        openFile(fileIndex + 1);
        return true;
    }

    private void openFile(final int index) throws IOException
    {
        closeFile();
        final JournalFiles.Entry entry = entries.get(index);
        final Path path = files.path(entry);
        file = layer.open(path, false);
        final String problem = JournalFiles.validateHeader(file, path, entry.startPosition());
        if (null != problem)
        {
            closeFile();
            throw new JournalDamagedException(problem);
        }
        fileIndex = index;
        fileStart = entry.startPosition();
        fileDataBytes = file.size() - JournalFiles.HEADER_LENGTH;
        chunkStart = -1;
        chunkLength = 0;
    }

    /**
     * Have bytes {@code [at, at + length)} of the current file in the chunk.
     */
    private void ensure(final long at, final int length) throws IOException
    {
        if (at >= chunkStart && at + length <= chunkStart + chunkLength && chunkStart >= 0)
        {
            return;
        }
        if (length > chunk.capacity())
        {
            chunk = ByteBuffer.allocateDirect(Integer.highestOneBit(length) << 1);
        }
        chunk.clear();
        final long fileOffset = JournalFiles.HEADER_LENGTH + at - fileStart;
        final int n = file.read(chunk, fileOffset);
        if (n < length)
        {
            throw new JournalDamagedException(where(at) + ": short read of " + n + " of " + length + " bytes");
        }
        chunkStart = at;
        chunkLength = n;
        chunkView.wrap(chunk, 0, n);
    }

    private void closeFile() throws IOException
    {
        if (null != file)
        {
            file.close();
            file = null;
        }
    }

    @Override
    public void close() throws IOException
    {
        closeFile();
    }
}
