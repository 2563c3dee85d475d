package org.bulwark.server.terminal;

/**
 * An error of the terminal itself rather than of the member: a line that does not parse
 * ({@code <SYNTAX>}, with the column), a bad function argument ({@code <FUNCTION>}), a command the
 * terminal cannot run ({@code <COMMAND>}). The message starts with the bracketed name, as the
 * member's {@link org.bulwark.store.BulwarkException}s do.
 */
public final class TerminalException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The 1-based column of a syntax error, 0 if the error has none. */
    private final int column;

    private TerminalException(final String message, final int column)
    {
        super(message);
        this.column = column;
    }

    static TerminalException syntax(final int column, final String problem)
    {
        return new TerminalException("<SYNTAX> column " + column + ": " + problem, column);
    }

    static TerminalException function(final String problem)
    {
        return new TerminalException("<FUNCTION> " + problem, 0);
    }

    static TerminalException command(final String problem)
    {
        return new TerminalException("<COMMAND> " + problem, 0);
    }

    /**
     * @return the 1-based column a syntax error was found at, 0 for other errors.
     */
    public int column()
    {
        return column;
    }
}
