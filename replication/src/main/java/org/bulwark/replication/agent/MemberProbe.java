package org.bulwark.replication.agent;

import org.bulwark.replication.MemberStateFile;

import java.io.IOException;
import java.util.Optional;

/**
 * The state of one served member, from its files and the process table.
 *
 * <pre>
 * member's process (see MemberProcess)          heartbeat age         → liveness
 * the state file's pid, alive, same start time  ≤ hungAfterMs          RUNNING
 * the state file's pid, alive, same start time  > hungAfterMs          HUNG
 * only the data directory lock's holder         (none published)       RUNNING  (starting, or not mirrored)
 * none, forced-down marker present                                     FORCED_DOWN
 * none, no marker                                                      DOWN
 * </pre>
 *
 * A live process wins over a marker: "down" is never said of a member whose process runs. The
 * journal end of a member that is down is the valid end of its journal files; of a live one, no
 * further than the position it published (what it has written may not be durable yet).
 */
final class MemberProbe
{
    private final ServedMember member;
    private final long hungAfterMs;
    private final MemberJournal journal;

    MemberProbe(final ServedMember member, final long hungAfterMs)
    {
        this.member = member;
        this.hungAfterMs = hungAfterMs;
        this.journal = null == member.journalDirectory() ? null :
            new MemberJournal(member.journalDirectory(), member.journalFilePrefix());
    }

    ServedMember member()
    {
        return member;
    }

    /**
     * @return the member's journal, or null if it keeps none.
     */
    MemberJournal journal()
    {
        return journal;
    }

    /**
     * @return the member's live process, or empty. A damaged state file does not hide a lock holder.
     */
    Optional<ProcessHandle> process() throws IOException
    {
        MemberStateFile.Snapshot state;
        try
        {
            state = MemberStateFile.read(member.dataDirectory());
        }
        catch (final IOException ex)
        {
            state = null;
        }
        return MemberProcess.find(member.dataDirectory(), state);
    }

    MemberStatus status(final long nowMs) throws IOException
    {
        final MemberStateFile.Snapshot state = MemberStateFile.read(member.dataDirectory());
        final Optional<ProcessHandle> process = MemberProcess.find(member.dataDirectory(), state);
        final boolean published = process.isPresent() && null != state && process.get().pid() == state.pid();
        final ForcedDownMarker marker = ForcedDownMarker.read(member.dataDirectory());
        final boolean validated = ValidatedMemberFile.read(member.dataDirectory())
            .orElse(null != state && state.validatedMember());
        final long term = null == state ? -1 : state.term();
        final String markerReason = null == marker ? "" : marker.toString();
        if (published)
        {
            final long ageMs = Math.max(0, nowMs - state.heartbeatMs());
            final long journalEnd = null == journal ? state.journalEndPosition() :
                Math.min(journal.validEnd(), state.journalEndPosition());
            return new MemberStatus(member.name(), ageMs > hungAfterMs ? MemberLiveness.HUNG : MemberLiveness.RUNNING,
                state.role(), term, journalEnd, state.pid(), ageMs, validated, markerReason);
        }
        final long validEnd = null == journal ? 0 : journal.validEnd();
        if (process.isPresent())
        {
            return new MemberStatus(member.name(), MemberLiveness.RUNNING, MemberStateFile.Role.NONE, term, validEnd,
                process.get().pid(), -1, validated, markerReason);
        }
        return new MemberStatus(member.name(), null == marker ? MemberLiveness.DOWN : MemberLiveness.FORCED_DOWN,
            null == state ? MemberStateFile.Role.NONE : state.role(), term, validEnd, -1, -1, validated, markerReason);
    }
}
