package org.bulwark.replication;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalTap;
import org.bulwark.replication.transport.MirrorLink;

import java.nio.ByteBuffer;

/**
 * A backup's side of journal shipping (SPEC M-6): appends what the primary sends to its own journal
 * at the same positions (the mirror journal), and acknowledges it — received on arrival (mirror
 * agent's thread), written and durable from the journal writer's thread as its writes and syncs
 * complete (the tap), so a written acknowledgement leaves before the backup's own sync.
 *
 * <p>Bytes that do not continue the journal are dropped: an overlap is cut, a gap asks the primary
 * to send again from the journal's end (CATCHUP).
 */
final class BackupReceiver implements JournalTap
{
    private final Journal journal;
    private final MirrorLink link;
    private final AckLevel ackLevel;
    private volatile long term;
    private volatile long receivedPosition;
    private volatile long writtenPosition;
    private volatile long durablePosition;
    private volatile boolean acknowledging;
    private volatile long bytesReceived;
    private final UnsafeBuffer offHeap;
    private long gapSinceNs;
    private long lastCatchupNs;

    BackupReceiver(final Journal journal, final MirrorLink link, final AckLevel ackLevel)
    {
        this.journal = journal;
        this.link = link;
        this.ackLevel = ackLevel;
        this.offHeap = new UnsafeBuffer(ByteBuffer.allocateDirect(link.maxJournalBytes()));
        final long end = journal.appendedPosition();
        this.receivedPosition = end;
        this.writtenPosition = journal.writtenPosition();
        this.durablePosition = journal.durablePosition();
    }

    /**
     * Follow the primary of {@code currentTerm}: acknowledge to it from now on.
     */
    void follow(final long currentTerm)
    {
        term = currentTerm;
        acknowledging = true;
    }

    void stop()
    {
        acknowledging = false;
    }

    long receivedPosition()
    {
        return receivedPosition;
    }

    long bytesReceived()
    {
        return bytesReceived;
    }

    /**
     * Journal bytes from the primary, on the mirror agent's thread.
     *
     * @return true if they were appended.
     */
    boolean onJournal(final long position, final DirectBuffer buffer, final int offset, final int length,
        final long nowNs)
    {
        final long end = journal.appendedPosition();
        if (position + length <= end)
        {
            return false; // already here
        }
        if (position > end)
        {
            requestCatchup(end, nowNs);
            return false;
        }
        final int skip = (int)(end - position);
        if (null != buffer.byteArray())
        {
            // Reassembled from fragments on the heap: the journal checks records through their address.
            offHeap.putBytes(0, buffer, offset + skip, length - skip);
            journal.appendFrames(end, offHeap, 0, length - skip);
        }
        else
        {
            journal.appendFrames(end, buffer, offset + skip, length - skip);
        }
        receivedPosition = position + length;
        bytesReceived += length - skip;
        gapSinceNs = 0;
        if (ackLevel == AckLevel.RECEIVED)
        {
            acknowledge();
        }
        journal.requestFlush();
        return true;
    }

    /**
     * The primary's journal goes on past what is here and nothing arrives: ask again (a lost message).
     */
    void checkBehind(final long primaryEnd, final long nowNs, final long patienceNs)
    {
        final long end = journal.appendedPosition();
        if (primaryEnd <= end)
        {
            gapSinceNs = 0;
            return;
        }
        if (0 == gapSinceNs)
        {
            gapSinceNs = nowNs;
        }
        else if (nowNs - gapSinceNs > patienceNs)
        {
            requestCatchup(end, nowNs);
            gapSinceNs = nowNs;
        }
    }

    private void requestCatchup(final long from, final long nowNs)
    {
        if (nowNs - lastCatchupNs > 50_000_000L)
        {
            lastCatchupNs = nowNs;
            link.sendCatchup(term, from);
        }
    }

    @Override
    public void written(final DirectBuffer buffer, final int index, final int length, final long position)
    {
        writtenPosition = position + length;
        if (ackLevel == AckLevel.WRITTEN)
        {
            acknowledge();
        }
    }

    @Override
    public void synced(final long position)
    {
        durablePosition = position;
        acknowledge();
    }

    void acknowledge()
    {
        if (acknowledging)
        {
            link.sendAck(term, receivedPosition, writtenPosition, durablePosition);
        }
    }
}
