package org.bulwark.probes;

/**
 * A probe cannot run where it was asked to: the message names the path and what is wrong with it.
 */
public final class ProbeException extends Exception
{
    private static final long serialVersionUID = 1L;

    public ProbeException(final String message)
    {
        super(message);
    }

    public ProbeException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
