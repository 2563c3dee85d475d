package org.bulwark.store;

/**
 * A failure that a client sees: an {@link ErrorCode} and a message that says what was wrong and
 * where. {@link #getMessage()} starts with the bracketed name, e.g.
 * {@code <UNDEFINED> ^x("a",1)}.
 */
public class BulwarkException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String detail;

    public BulwarkException(final ErrorCode code, final String detail)
    {
        super(code.bracketed() + (detail.isEmpty() ? "" : " " + detail));
        this.code = code;
        this.detail = detail;
    }

    public BulwarkException(final ErrorCode code, final String detail, final Throwable cause)
    {
        super(code.bracketed() + (detail.isEmpty() ? "" : " " + detail), cause);
        this.code = code;
        this.detail = detail;
    }

    public ErrorCode code()
    {
        return code;
    }

    /**
     * @return the message without the bracketed error name.
     */
    public String detail()
    {
        return detail;
    }
}
