package org.bulwark.replication;

/**
 * What the active backup's acknowledgement of journal data means (SPEC M-6), configured on the
 * mirror: the primary lets a commit through once the backup has acknowledged it at this level.
 */
public enum AckLevel
{
    /** Arrived in the backup's memory. */
    RECEIVED,
    /** Written to the backup's mirror journal file (in the page cache; the default). */
    WRITTEN,
    /** Durable in the backup's mirror journal file. */
    DURABLE;

    /**
     * @throws IllegalArgumentException naming the value and the allowed ones.
     */
    public static AckLevel parse(final String text)
    {
        for (final AckLevel level : values())
        {
            if (level.name().equalsIgnoreCase(text.strip()))
            {
                return level;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not received, written or durable");
    }
}
