package org.bulwark.journal;

/**
 * The journal is frozen after an I/O error (SPEC J-6): no update is journaled or committed until
 * the member restarts. The server reports it as {@code <JOURNAL FROZEN>}.
 */
public final class JournalFrozenException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public JournalFrozenException(final String message)
    {
        super(message);
    }
}
