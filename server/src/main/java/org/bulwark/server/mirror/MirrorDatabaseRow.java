package org.bulwark.server.mirror;

import org.bulwark.replication.MirrorStatus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One database's line of the mirror monitor (SPEC M-15 statuses, M-17).
 *
 * @param name                  the database's name.
 * @param status                Normal (on the primary), Dejournaling or Caught up (elsewhere), or Database
 *                              Dismounted.
 * @param nextRecordToDejournal the journal position of the next record to apply to it, or
 *                              {@link #NOT_APPLICABLE} when it is dismounted.
 */
public record MirrorDatabaseRow(String name, String status, long nextRecordToDejournal)
{
    public static final long NOT_APPLICABLE = -1;
    public static final String NORMAL = "Normal";
    public static final String DEJOURNALING = "Dejournaling";
    public static final String CAUGHT_UP = "Caught up";
    public static final String DISMOUNTED = "Database Dismounted";

    /**
     * Every database is dejournaled by the one dejournaler of the member, so all mounted ones share its
     * next record: the status only tells whether it has reached the journal's end.
     *
     * @param mounted    names of the mounted databases, in the store's order.
     * @param dismounted names of configured databases that are dismounted.
     */
    public static List<MirrorDatabaseRow> rows(final MirrorStatus status, final List<String> mounted,
        final Collection<String> dismounted)
    {
        final boolean primary = MirrorRole.isPrimary(status);
        final String mountedStatus = primary ? NORMAL :
            status.appliedPosition() >= status.journalEnd() ? CAUGHT_UP : DEJOURNALING;
        final List<MirrorDatabaseRow> rows = new ArrayList<>(mounted.size() + dismounted.size());
        for (final String name : mounted)
        {
            rows.add(new MirrorDatabaseRow(name, mountedStatus, status.appliedPosition()));
        }
        for (final String name : dismounted)
        {
            rows.add(new MirrorDatabaseRow(name, DISMOUNTED, NOT_APPLICABLE));
        }
        return rows;
    }
}
