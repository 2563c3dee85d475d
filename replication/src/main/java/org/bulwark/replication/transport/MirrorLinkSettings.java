package org.bulwark.replication.transport;

import org.bulwark.replication.protocol.HelloMessage;

import java.security.SecureRandom;

/**
 * What one member's side of a mirror link is: whose, where it listens, where its peer listens.
 *
 * @param mirrorName  the mirror's name: a HELLO naming another (compared ignoring case) is rejected.
 * @param memberName  this member's name, sent in HELLO.
 * @param incarnation tells this process's HELLOs from those of an earlier run ({@link #PROCESS_INCARNATION}).
 * @param self        the endpoint this member receives on.
 * @param peer        the endpoint the peer receives on.
 * @param streamId    the Aeron stream id both directions use.
 */
public record MirrorLinkSettings(
    String mirrorName, String memberName, long incarnation, MirrorEndpoint self, MirrorEndpoint peer, int streamId)
{
    /** Random per process start: a peer that sees it change knows this member restarted. */
    public static final long PROCESS_INCARNATION = new SecureRandom().nextLong();

    public MirrorLinkSettings
    {
        HelloMessage.nameBytes(null == mirrorName ? "" : mirrorName, "mirror name");
        HelloMessage.nameBytes(null == memberName ? "" : memberName, "member name");
        if (null == self || null == peer)
        {
            throw new IllegalArgumentException("a mirror link needs both its own endpoint and its peer's");
        }
    }

    /**
     * Settings with this process's incarnation.
     */
    public static MirrorLinkSettings of(final String mirrorName, final String memberName, final MirrorEndpoint self,
        final MirrorEndpoint peer, final int streamId)
    {
        return new MirrorLinkSettings(mirrorName, memberName, PROCESS_INCARNATION, self, peer, streamId);
    }
}
