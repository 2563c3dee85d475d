package org.bulwark.replication;

/**
 * One failover member's mirroring: placeholder while the state machine is written.
 */
public final class MirrorMember
{
    public MirrorStatus status()
    {
        return null;
    }
}
