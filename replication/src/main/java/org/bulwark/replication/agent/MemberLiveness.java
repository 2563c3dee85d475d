package org.bulwark.replication.agent;

/**
 * Whether a member's process is there and working, as its agent sees it (stable codes: they go on the wire).
 */
public enum MemberLiveness
{
    /** The process is alive and its heartbeat is fresh (or it publishes none yet: see {@link MemberProbe}). */
    RUNNING(1),
    /** The process is alive but its heartbeat is older than the agent's {@code hungAfterMs}. */
    HUNG(2),
    /** No process. */
    DOWN(3),
    /** No process, and a {@code forced-down} marker keeps it down until an operator starts it. */
    FORCED_DOWN(4);

    private final int code;

    MemberLiveness(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    /**
     * @return true if no process of the member runs.
     */
    public boolean isDown()
    {
        return this == DOWN || this == FORCED_DOWN;
    }

    /**
     * @return the liveness of a code, or null.
     */
    public static MemberLiveness of(final int code)
    {
        for (final MemberLiveness liveness : values())
        {
            if (liveness.code == code)
            {
                return liveness;
            }
        }
        return null;
    }
}
