package org.bulwark.replication;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalByteSource;
import org.bulwark.journal.JournalTap;
import org.bulwark.replication.transport.MirrorLink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A primary's journal shipping to its backup (SPEC M-6, M-8): live, the bytes the journal writer
 * has just written go out from the writer's own thread before it syncs (the tap: one copy into
 * Aeron, no second encoding, the backup's acknowledgement overlapping the local sync); when the
 * backup is behind (it just connected, or a send was refused), the mirror agent's thread sends it
 * what it lacks from the journal files, then hands back to the live path.
 *
 * <p>Every byte range goes out exactly once and in order: whoever sends holds {@code shipLock} and
 * moves {@code shippedPosition}; the writer never waits for it (a tap that cannot take the lock
 * falls back to the files).
 */
final class PrimaryShipper implements JournalTap
{
    private final Journal journal;
    private final MirrorLink link;
    private final JournalByteSource files;
    private final ReentrantLock shipLock = new ReentrantLock();
    private final UnsafeBuffer chunk;
    private volatile long term;
    private volatile boolean shipping;
    private volatile boolean live;
    private volatile long shippedPosition;
    private volatile long bytesShipped;

    PrimaryShipper(final Journal journal, final MirrorLink link)
    {
        this.journal = journal;
        this.link = link;
        this.files = new JournalByteSource(journal.files());
        this.chunk = new UnsafeBuffer(ByteBuffer.allocateDirect(link.maxJournalBytes()));
    }

    /**
     * Ship to the backup from {@code position} on (its journal's end), first from the files.
     */
    void startFrom(final long position, final long currentTerm)
    {
        shipLock.lock();
        try
        {
            term = currentTerm;
            shippedPosition = position;
            live = false;
            shipping = true;
        }
        finally
        {
            shipLock.unlock();
        }
    }

    /**
     * Stop shipping (the backup is gone or lost its active status).
     */
    void stop()
    {
        shipLock.lock();
        try
        {
            shipping = false;
            live = false;
        }
        finally
        {
            shipLock.unlock();
        }
    }

    boolean shipping()
    {
        return shipping;
    }

    boolean live()
    {
        return live;
    }

    long shippedPosition()
    {
        return shippedPosition;
    }

    long bytesShipped()
    {
        return bytesShipped;
    }

    /**
     * The mirror agent's duty: send the backup what it lacks from the files, or go live once it has
     * everything written.
     *
     * @return work done (bytes sent, or 1 for going live).
     */
    int catchUp() throws IOException
    {
        if (!shipping || live)
        {
            return 0;
        }
        final long from = shippedPosition;
        final long written = journal.writtenPosition();
        if (from >= written)
        {
            shipLock.lock();
            try
            {
                if (shipping && shippedPosition == journal.writtenPosition())
                {
                    live = true;
                    return 1;
                }
            }
            finally
            {
                shipLock.unlock();
            }
            return 0;
        }
        final int wanted = (int)Math.min(written - from, chunk.capacity());
        final int read = files.read(from, chunk, 0, wanted);
        final int length = JournalFrames.wholeFrames(chunk, 0, read, chunk.capacity());
        if (length <= 0)
        {
            return 0;
        }
        shipLock.lock();
        try
        {
            if (shipping && shippedPosition == from && link.sendJournal(term, from, chunk, 0, length))
            {
                shippedPosition = from + length;
                bytesShipped += length;
                return length;
            }
            return 0;
        }
        finally
        {
            shipLock.unlock();
        }
    }

    @Override
    public void written(final DirectBuffer buffer, final int index, final int length, final long position)
    {
        if (!live)
        {
            return;
        }
        if (!shipLock.tryLock())
        {
            live = false; // the agent is sending from the files: it will get to these bytes there
            return;
        }
        try
        {
            if (!live || position + length <= shippedPosition)
            {
                return;
            }
            if (position != shippedPosition)
            {
                live = false;
                return;
            }
            int at = 0;
            while (at < length)
            {
                final int piece = JournalFrames.wholeFrames(buffer, index + at, length - at, link.maxJournalBytes());
                if (piece <= 0 || piece > link.maxJournalBytes() ||
                    !link.sendJournal(term, position + at, buffer, index + at, piece))
                {
                    live = false; // back-pressured or not connected: the files have these bytes
                    return;
                }
                at += piece;
                shippedPosition = position + at;
                bytesShipped += piece;
            }
        }
        finally
        {
            shipLock.unlock();
        }
    }

    @Override
    public void synced(final long durablePosition)
    {
        // The primary's own durability is the journal's business; the mirror waits for acknowledgements.
    }
}
