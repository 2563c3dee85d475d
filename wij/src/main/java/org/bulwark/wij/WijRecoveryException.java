package org.bulwark.wij;

/**
 * Startup must not continue: the WIJ could not be restored, blocks did not match, or the WIJ is
 * damaged. The message says what was found, where, and what the operator can do.
 */
public final class WijRecoveryException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final RecoveryCase recoveryCase;

    public WijRecoveryException(final RecoveryCase recoveryCase, final String message)
    {
        super(message);
        this.recoveryCase = recoveryCase;
    }

    public RecoveryCase recoveryCase()
    {
        return recoveryCase;
    }
}
