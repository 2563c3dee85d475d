package org.bulwark.replication.transport;

import org.agrona.DirectBuffer;
import org.bulwark.replication.protocol.MirrorRole;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps every message a link heard, as records (allocates: for tests that check contents, not for the
 * allocation test).
 */
class RecordingHandler implements MirrorMessageHandler
{
    record Hello(long term, String memberName, long incarnation, MirrorRole role, long journalEnd, long termStart,
        int flags)
    {
    }

    record Status(long term, MirrorRole role, long journalEnd, long durablePosition, int flags, long sendTimeMs)
    {
    }

    record Journal(long term, long position, byte[] bytes)
    {
    }

    record Ack(long term, long receivedPosition, long writtenPosition, long durablePosition)
    {
    }

    record Position(long term, long position)
    {
    }

    record Refuse(long term, int reasonCode, String text)
    {
    }

    final List<Hello> hellos = new ArrayList<>();
    final List<Status> statuses = new ArrayList<>();
    final List<Journal> journals = new ArrayList<>();
    final List<Ack> acks = new ArrayList<>();
    final List<Position> catchups = new ArrayList<>();
    final List<Position> takeovers = new ArrayList<>();
    final List<Long> notActives = new ArrayList<>();
    final List<Refuse> refuses = new ArrayList<>();

    /** While false, STATUS, JOURNAL and ACK are only counted (nothing allocated): for the allocation test. */
    boolean recording = true;
    long statusCount;
    long journalCount;
    long ackCount;
    long lastJournalEnd;
    long lastAckPosition;

    @Override
    public void onHello(final long term, final String memberName, final long incarnation, final MirrorRole role,
        final long journalEnd, final long termStart, final int flags)
    {
        hellos.add(new Hello(term, memberName, incarnation, role, journalEnd, termStart, flags));
    }

    @Override
    public void onStatus(final long term, final MirrorRole role, final long journalEnd, final long durablePosition,
        final int flags, final long sendTimeMs)
    {
        statusCount++;
        if (!recording)
        {
            return;
        }
        statuses.add(new Status(term, role, journalEnd, durablePosition, flags, sendTimeMs));
    }

    @Override
    public void onJournal(final long term, final long position, final DirectBuffer buffer, final int offset,
        final int length)
    {
        journalCount++;
        lastJournalEnd = position + length;
        if (!recording)
        {
            return;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        journals.add(new Journal(term, position, bytes));
    }

    @Override
    public void onAck(final long term, final long receivedPosition, final long writtenPosition,
        final long durablePosition)
    {
        ackCount++;
        lastAckPosition = writtenPosition;
        if (!recording)
        {
            return;
        }
        acks.add(new Ack(term, receivedPosition, writtenPosition, durablePosition));
    }

    @Override
    public void onCatchup(final long term, final long fromPosition)
    {
        catchups.add(new Position(term, fromPosition));
    }

    @Override
    public void onTakeover(final long term, final long finalPosition)
    {
        takeovers.add(new Position(term, finalPosition));
    }

    @Override
    public void onNotActive(final long term)
    {
        notActives.add(term);
    }

    @Override
    public void onRefuse(final long term, final int reasonCode, final String text)
    {
        refuses.add(new Refuse(term, reasonCode, text));
    }

    int total()
    {
        return hellos.size() + statuses.size() + journals.size() + acks.size() + catchups.size() + takeovers.size() +
            notActives.size() + refuses.size();
    }
}
