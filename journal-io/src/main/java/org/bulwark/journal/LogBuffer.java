package org.bulwark.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory tail of the journal: many appenders, one writer. An appender claims space at the
 * tail with a CAS (which also fixes the record's journal position), encodes its record, and
 * publishes it by writing the frame length last (an ordered write). The writer reads published
 * records in position order from the head, writes them to the file, and releases the space.
 *
 * <p>A record never wraps around the end of the buffer: the claim that would wrap first fills the
 * rest with a padding frame (a negative frame length), which goes to the file like any record and
 * is skipped by readers. Positions are absolute: the buffer holds bytes {@code [head, tail)} of the
 * journal stream.
 */
final class LogBuffer
{
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int mask;
    private final AtomicLong tail;
    private volatile long head;

    LogBuffer(final int capacity, final long startPosition)
    {
        if (Integer.bitCount(capacity) != 1 || capacity < 4096)
        {
            throw new IllegalArgumentException("log buffer capacity must be a power of two >= 4096: " + capacity);
        }
        if ((startPosition & (JournalRecord.ALIGNMENT - 1)) != 0)
        {
            throw new IllegalArgumentException("journal position " + startPosition + " is not aligned");
        }
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.tail = new AtomicLong(startPosition);
        this.head = startPosition;
    }

    int capacity()
    {
        return capacity;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int index(final long position)
    {
        return (int)(position & mask);
    }

    long tail()
    {
        return tail.get();
    }

    long head()
    {
        return head;
    }

    /**
     * Claim {@code alignedLength} bytes.
     *
     * @return the journal position of the claimed record, or -1 if the buffer has no room now.
     */
    long tryClaim(final int alignedLength)
    {
        if (alignedLength > capacity / 2)
        {
            throw new IllegalArgumentException("journal record of " + alignedLength +
                " bytes is larger than half the " +
                "log buffer (" + capacity + " bytes)");
        }
        while (true)
        {
            final long position = tail.get();
            final int index = index(position);
            final int toEnd = capacity - index;
            final int needed = alignedLength <= toEnd ? alignedLength : toEnd + alignedLength;
            if (position + needed - head > capacity)
            {
                return -1;
            }
            if (tail.compareAndSet(position, position + needed))
            {
                if (needed == alignedLength)
                {
                    return position;
                }
                buffer.putIntOrdered(index, -toEnd); // padding to the end of the buffer
                return position + toEnd;
            }
        }
    }

    /**
     * Claim {@code length} bytes at the tail as they come, wrapping around the buffer's end without
     * padding: for frames that already have their positions (a mirror member's copy of another
     * member's journal). Single claimer only: never mixed with {@link #tryClaim(int)}.
     *
     * @return the position claimed (the tail before), or -1 if the buffer has no room now.
     */
    long tryClaimRaw(final int length)
    {
        if (length > capacity / 2)
        {
            throw new IllegalArgumentException("journal chunk of " + length + " bytes is larger than half the log " +
                "buffer (" + capacity + " bytes)");
        }
        final long position = tail.get();
        if (position + length - head > capacity)
        {
            return -1;
        }
        tail.set(position + length);
        return position;
    }

    /**
     * Copy claimed raw bytes in, wrapping at the buffer's end; the first frame's length word last
     * (an ordered write), which publishes them all to the writer.
     */
    void copyRaw(final long position, final DirectBuffer source, final int offset, final int length)
    {
        final int index = index(position);
        final int firstLength = Math.min(length, capacity - index);
        buffer.putBytes(index + 4, source, offset + 4, firstLength - 4);
        if (firstLength < length)
        {
            buffer.putBytes(0, source, offset + firstLength, length - firstLength);
        }
        buffer.putIntOrdered(index, source.getInt(offset));
    }

    /**
     * Make a claimed and encoded record visible to the writer.
     */
    void publish(final long position, final int frameLength)
    {
        buffer.putIntOrdered(index(position), frameLength);
    }

    /**
     * @return the frame length at a position: 0 if not yet published, negative for padding.
     */
    int frameLengthVolatile(final long position)
    {
        return buffer.getIntVolatile(index(position));
    }

    /**
     * The writer is done with {@code [head, upTo)}: zero it for the next lap and move the head.
     */
    void release(final long upTo)
    {
        long position = head;
        while (position < upTo)
        {
            final int index = index(position);
            final int length = (int)Math.min(upTo - position, capacity - index);
            buffer.setMemory(index, length, (byte)0);
            position += length;
        }
        head = upTo;
    }
}
