package org.bulwark.perf.harness;

/**
 * A run that cannot go on (a target that refuses connections, a connection that fails, a reply
 * that is not RESP): the message names the target and what happened.
 */
final class HarnessException extends Exception
{
    private static final long serialVersionUID = 1L;

    HarnessException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    HarnessException(final String message)
    {
        super(message);
    }
}
