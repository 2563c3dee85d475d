package org.bulwark.store;

/**
 * The error names of SPEC G-5. Every failure a client can see carries one of these; the
 * terminal prints it in angle brackets and the RESP protocol uses it as the first word.
 */
public enum ErrorCode
{
    /** Get of a node that has no value. */
    UNDEFINED("UNDEFINED"),
    /** Write on a read-only member or database. */
    PROTECT("PROTECT"),
    /** A malformed reference: bad name, bad or empty subscript, reference too long or too deep. */
    SUBSCRIPT("SUBSCRIPT"),
    /** A value longer than the configured maximum. */
    MAXSTRING("MAXSTRING"),
    /** Too many nested levels (transactions, call frames). */
    FRAMESTACK("FRAMESTACK"),
    /** A lock could not be acquired in time. */
    LOCK_TIMEOUT("LOCK TIMEOUT"),
    /** A transaction was rolled back. */
    ROLLBACK("ROLLBACK"),
    /** Journaled updates are frozen after a journal I/O error. */
    JOURNAL_FROZEN("JOURNAL FROZEN"),
    /** An integrity or availability problem of a database: damage, full, dismounted, failed writes. */
    DATABASE("DATABASE");

    private final String displayName;

    ErrorCode(final String displayName)
    {
        this.displayName = displayName;
    }

    /**
     * @return the name as the terminal shows it inside angle brackets, e.g. {@code LOCK TIMEOUT}.
     */
    public String displayName()
    {
        return displayName;
    }

    /**
     * @return the name in angle brackets, e.g. {@code <UNDEFINED>}.
     */
    public String bracketed()
    {
        return "<" + displayName + ">";
    }
}
