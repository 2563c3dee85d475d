package org.bulwark.journal;

/**
 * A dejournal lane failed to apply a record: nothing more is applied; the message names the lane
 * and the record's journal position.
 */
public final class DejournalException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public DejournalException(final String message)
    {
        super(message);
    }

    public DejournalException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
