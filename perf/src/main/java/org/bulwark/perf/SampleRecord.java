package org.bulwark.perf;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalRecord;
import org.bulwark.store.GlobalKey;

import java.nio.ByteBuffer;

/**
 * The journal record the B-1 journal benchmarks encode, append, hand over and decode: a SET of
 * {@code ^j(1234567890)} to a value of {@code valueBytes} bytes, outside a transaction, as a
 * {@code SET} with auto-commit journals it. With the benchmarks' default 32-byte value the frame is
 * 102 bytes, 104 in the stream (8-byte aligned): the record size of {@code RollForwardBenchmark} and
 * {@code DejournalBenchmark}.
 *
 * <p>The parts live off-heap and are built once, so that encoding copies address to address and
 * allocates nothing.
 */
final class SampleRecord
{
    static final String GLOBAL = "j";
    static final long SUBSCRIPT = 1_234_567_890L;

    private final UnsafeBuffer name;
    private final UnsafeBuffer key;
    private final int keyLength;
    private final UnsafeBuffer value;
    private final int valueBytes;

    SampleRecord(final int valueBytes)
    {
        if (valueBytes < 0 || valueBytes > 1 << 20)
        {
            throw new IllegalArgumentException("valueBytes must be 0 to 1 MiB: " + valueBytes);
        }
        this.valueBytes = valueBytes;
        name = direct(GLOBAL.length());
        name.putStringWithoutLengthAscii(0, GLOBAL);
        final GlobalKey globalKey = new GlobalKey().global(GLOBAL).add(SUBSCRIPT);
        keyLength = globalKey.length();
        key = direct(keyLength);
        key.putBytes(0, globalKey.buffer(), 0, keyLength);
        value = direct(Math.max(1, valueBytes));
        for (int i = 0; i < valueBytes; i++)
        {
            value.putByte(i, (byte)('a' + i % 26));
        }
    }

    private static UnsafeBuffer direct(final int capacity)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
    }

    int frameLength()
    {
        return JournalRecord.frameLength(name.capacity(), keyLength, valueBytes, -1);
    }

    int alignedLength()
    {
        return JournalRecord.alignedLength(frameLength());
    }

    /**
     * Encode the record at {@code offset} of {@code target} and publish its frame length there (as
     * the log buffer does after encoding).
     *
     * @return the frame length.
     */
    int encode(final MutableDirectBuffer target, final int offset, final long sequence, final long timestampMs)
    {
        final int frameLength = JournalRecord.encode(target, offset, JournalRecord.TYPE_SET, 0, sequence, timestampMs,
            0, JournalRecord.NONE, name, 0, name.capacity(), key, 0, keyLength, value, 0, valueBytes, null, 0, -1);
        target.putInt(offset + JournalRecord.FRAME_LENGTH_OFFSET, frameLength);
        return frameLength;
    }

    /**
     * Append the record to a journal: claim, encode, publish; it becomes durable later.
     *
     * @return its journal position.
     */
    long appendTo(final Journal journal)
    {
        return journal.append(JournalRecord.TYPE_SET, 0, 0, JournalRecord.NONE, name, 0, name.capacity(),
            key, 0, keyLength, value, 0, valueBytes, null, 0, -1);
    }
}
