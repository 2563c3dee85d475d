package org.bulwark.replication;

import org.bulwark.journal.JournalRecord;

import org.agrona.DirectBuffer;

/**
 * Cuts a run of journal bytes at record boundaries, so that what is sent to another member is
 * always whole records (and padding frames) it can append as they are.
 */
final class JournalFrames
{
    private JournalFrames()
    {
    }

    /**
     * @return how many of the {@code length} bytes from {@code offset} are whole frames, at most
     * {@code maxBytes} (at least one frame if the first alone is longer, which the caller must refuse).
     */
    static int wholeFrames(final DirectBuffer buffer, final int offset, final int length, final int maxBytes)
    {
        int at = 0;
        while (at + 4 <= length)
        {
            final int frameLength = buffer.getInt(offset + at);
            if (0 == frameLength)
            {
                break;
            }
            final int aligned = frameLength < 0 ? -frameLength : JournalRecord.alignedLength(frameLength);
            if (at + aligned > length || (at > 0 && at + aligned > maxBytes))
            {
                break;
            }
            at += aligned;
        }
        return at;
    }
}
