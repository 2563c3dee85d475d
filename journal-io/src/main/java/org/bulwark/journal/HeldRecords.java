package org.bulwark.journal;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * A first-in first-out queue of byte messages in one growable off-heap buffer: a dejournal lane's
 * records held behind an open transaction. Entries are {@code [length:int, pad][bytes]}, 8-aligned;
 * space is reused once the queue empties, or by moving the live part down when it has drifted past
 * the middle.
 */
final class HeldRecords
{
    private static final int ENTRY_HEADER = 8;

    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(64 * 1024);
    private int head;
    private int tail;

    boolean isEmpty()
    {
        return head == tail;
    }

    void add(final DirectBuffer source, final int offset, final int length)
    {
        if (head == tail)
        {
            head = 0;
            tail = 0;
        }
        else if (head > buffer.capacity() / 2)
        {
            buffer.putBytes(0, buffer, head, tail - head);
            tail -= head;
            head = 0;
        }
        buffer.putInt(tail, length);
        buffer.putBytes(tail + ENTRY_HEADER, source, offset, length);
        tail += BitUtil.align(ENTRY_HEADER + length, 8);
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the oldest entry's bytes start in {@link #buffer()}.
     */
    int headOffset()
    {
        return head + ENTRY_HEADER;
    }

    void removeHead()
    {
        head += BitUtil.align(ENTRY_HEADER + buffer.getInt(head), 8);
    }
}
