package org.bulwark.store;

/**
 * A wait for a block latch, the update gate or pool frames passed its deadline. Waits are bounded
 * so that a bug (a missed release, a deadlock) shows up as an error naming the block, not a hang.
 */
public final class LatchTimeoutException extends BulwarkException
{
    private static final long serialVersionUID = 1L;

    public LatchTimeoutException(final String detail)
    {
        super(ErrorCode.DATABASE, detail);
    }
}
