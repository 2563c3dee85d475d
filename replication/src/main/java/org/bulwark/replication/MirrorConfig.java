package org.bulwark.replication;

import java.nio.file.Path;
import java.util.List;

/**
 * One failover member's view of its mirror (SPEC M-1, M-5..M-7): the mirror's name, this member's
 * name, both failover members with their mirror and agent addresses, and the settings that govern
 * acknowledgement and timeouts.
 *
 * @param mirrorName     the mirror's name (letters, digits, '-', '_').
 * @param memberName     this member's name; one of {@code members}.
 * @param members        the failover members (one or two).
 * @param keyFile        the mirror's shared key (see {@link org.bulwark.replication.auth.MirrorKey}).
 * @param qosTimeoutMs   the QoS timeout (M-7); the trouble timeout is twice it.
 * @param ackLevel       what the backup's acknowledgement means (M-6).
 * @param idleStrategy   backoff, yield or sleep: for the mirror agent and its media driver.
 * @param hooksClass     a {@link MirrorHooks} implementation to load, or empty.
 * @param dataDirectory  where the member keeps its term file and state file.
 */
public record MirrorConfig(
    String mirrorName,
    String memberName,
    List<Member> members,
    Path keyFile,
    long qosTimeoutMs,
    AckLevel ackLevel,
    String idleStrategy,
    String hooksClass,
    Path dataDirectory)
{
    /**
     * A failover member's addresses.
     *
     * @param name       the member's name.
     * @param mirrorHost where its mirror endpoint (Aeron, UDP) listens.
     * @param mirrorPort its UDP port.
     * @param agentHost  where its host's agent listens.
     * @param agentPort  the agent's TCP port.
     */
    public record Member(String name, String mirrorHost, int mirrorPort, String agentHost, int agentPort)
    {
        public String mirrorAddress()
        {
            return mirrorHost + ":" + mirrorPort;
        }

        public String agentAddress()
        {
            return agentHost + ":" + agentPort;
        }
    }

    public MirrorConfig
    {
        members = List.copyOf(members);
        if (members.isEmpty() || members.size() > 2)
        {
            throw new IllegalArgumentException("a mirror has one or two failover members, not " + members.size());
        }
        if (members.stream().noneMatch(m -> m.name().equals(memberName)))
        {
            throw new IllegalArgumentException("this member '" + memberName + "' is not one of the mirror's members " +
                members.stream().map(Member::name).toList());
        }
    }

    /**
     * @return this member.
     */
    public Member self()
    {
        return members.stream().filter(m -> m.name().equals(memberName)).findFirst().orElseThrow();
    }

    /**
     * @return the other failover member, or null in a mirror with one failover member.
     */
    public Member peer()
    {
        return members.stream().filter(m -> !m.name().equals(memberName)).findFirst().orElse(null);
    }

    /**
     * @return the trouble timeout (M-7, agent-controlled mode): twice the QoS timeout.
     */
    public long troubleTimeoutMs()
    {
        return 2 * qosTimeoutMs;
    }
}
