package org.bulwark.replication.agent;

/**
 * Raw journal bytes fetched from an agent: positions {@code [fromPosition, fromPosition + bytes.length)}
 * of a member's journal, and where its valid records end (fetch on until {@link #endPosition()} reaches it).
 */
public record JournalChunk(long fromPosition, byte[] bytes, long validEnd)
{
    /**
     * @return the position after the last byte of the chunk.
     */
    public long endPosition()
    {
        return fromPosition + bytes.length;
    }

    /**
     * @return true if the chunk reaches the valid end.
     */
    public boolean atEnd()
    {
        return endPosition() >= validEnd;
    }
}
