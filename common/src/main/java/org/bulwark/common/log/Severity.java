package org.bulwark.common.log;

/**
 * Severity of a {@code messages.log} entry (SPEC W-8): 0 information … 3 fatal.
 */
public enum Severity
{
    INFO(0),
    WARNING(1),
    SEVERE(2),
    FATAL(3);

    private final int code;

    Severity(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }
}
