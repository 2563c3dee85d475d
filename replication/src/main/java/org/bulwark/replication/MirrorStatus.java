package org.bulwark.replication;

import java.util.List;

/**
 * What the mirror monitor shows (SPEC M-17) for one member's view of a two-member mirror: a snapshot,
 * taken on request, immutable.
 *
 * @param mirrorName        the mirror's name.
 * @param memberName        the member that answers.
 * @param role              this member's role: STARTING, PRIMARY, BACKUP, STOPPING, DEMOTED.
 * @param term              the term this member is in (M-10).
 * @param failoverMode      "Agent Controlled" (an arbiter comes later).
 * @param arbiter           the arbiter's address, or "none".
 * @param arbiterConnection the arbiter connection status, or "n/a".
 * @param trouble           true while a primary is in the trouble state (M-7): no commit goes through.
 * @param members           one row per failover member, this one first.
 * @param journalEnd        this member's journal end (position after the last record written).
 * @param committedPosition up to where commits are acknowledged here (durable and let through).
 * @param appliedPosition   a backup's next record to dejournal (everything before it is in its databases);
 *                          on a primary, its journal end.
 * @param transferRateBytesPerSec  journal bytes received (backup) or sent (primary) per second lately.
 */
public record MirrorStatus(
    String mirrorName,
    String memberName,
    String role,
    long term,
    String failoverMode,
    String arbiter,
    String arbiterConnection,
    boolean trouble,
    List<MemberRow> members,
    long journalEnd,
    long committedPosition,
    long appliedPosition,
    long transferRateBytesPerSec)
{
    /**
     * One failover member as this member sees it.
     *
     * @param name            its name.
     * @param type            "Failover".
     * @param status          Primary, Backup, Starting, Down, Unknown.
     * @param journalTransfer Active, Caught up, "N s behind", "Disconnected since …", or "n/a" (a primary).
     * @param dejournaling    "Caught up", "N bytes behind", or "n/a".
     * @param mirrorAddress   its mirror endpoint.
     * @param agentAddress    its agent.
     */
    public record MemberRow(String name, String type, String status, String journalTransfer, String dejournaling,
        String mirrorAddress, String agentAddress)
    {
    }

    public MirrorStatus
    {
        members = List.copyOf(members);
    }
}
