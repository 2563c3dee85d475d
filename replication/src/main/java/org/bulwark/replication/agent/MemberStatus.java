package org.bulwark.replication.agent;

import org.bulwark.replication.MemberStateFile;

/**
 * A member's state as its agent reports it (the reply to STATUS and FORCEDOWN).
 *
 * @param role               the last role the member published ({@link MemberStateFile.Role#NONE} if none).
 * @param term               the last term the member published, -1 if it never published one.
 * @param journalEndPosition where the member's journal ends: for a member that is down, the end of its
 *                           last valid record on disk; for a live one, no further than the position it published.
 * @param pid                the member's process, -1 if there is none.
 * @param heartbeatAgeMs     how old its last heartbeat is, -1 if there is no process or it publishes none.
 * @param validatedMember    the {@code ValidatedMember} setting the member starts with.
 * @param forcedDownReason   the reason in its {@code forced-down} marker, empty without one.
 */
public record MemberStatus(String memberName, MemberLiveness liveness, MemberStateFile.Role role, long term,
    long journalEndPosition, long pid, long heartbeatAgeMs, boolean validatedMember, String forcedDownReason)
{
    @Override
    public String toString()
    {
        return memberName + " " + liveness + " role " + role + " term " + term + " journal end " +
            journalEndPosition + (pid > 0 ? " pid " + pid : "") +
            (heartbeatAgeMs >= 0 ? " heartbeat " + heartbeatAgeMs + " ms ago" : "") +
            (validatedMember ? " validated" : "") +
            (forcedDownReason.isEmpty() ? "" : " forced down: " + forcedDownReason);
    }
}
