package org.bulwark.server.mirror;

import org.bulwark.replication.MirrorStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * The mirror monitor's table for operators (SPEC M-17), as {@code bulwark mirror status} and
 * {@code MIRROR STATUS} print it:
 *
 * <pre>
 * Mirror:         ORDERS
 * This member:    alpha (Primary, term 7)
 * Failover mode:  Agent Controlled
 * Arbiter:        none (n/a)
 *
 * Member  Type      Status   Journal transfer  Dejournaling
 * ------  --------  -------  ----------------  ------------
 * alpha   Failover  Primary  n/a               n/a
 * beta    Failover  Backup   Active            Caught up
 *
 * Journal end:                     1048576
 * Committed:                       1048576
 * Next record to dejournal:        1048576
 * Outgoing journal transfer rate:  1.50 MiB/s (1572864 bytes/s)
 *
 * Database  Mirror status  Next record to dejournal
 * --------  -------------  ------------------------
 * USER      Normal         1048576
 * </pre>
 *
 * A primary in the trouble state (M-7) has a {@code Trouble state:} line under the arbiter's.
 */
public final class MirrorStatusText
{
    static final String TROUBLE_TEXT = "YES: no commit goes through until it ends (the active backup stopped " +
        "acknowledging)";

    private MirrorStatusText()
    {
    }

    /**
     * @param databases the member's databases, from {@link MirrorDatabaseRow#rows}.
     * @return the table, lines ending with {@code \n}.
     */
    public static String render(final MirrorStatus status, final List<MirrorDatabaseRow> databases)
    {
        final StringBuilder out = new StringBuilder(1024);
        final Labels header = new Labels()
            .line("Mirror", status.mirrorName())
            .line("This member", MirrorText.cell(status.memberName()) + " (" + MirrorText.titleCase(status.role()) +
                ", term " + status.term() + ")")
            .line("Failover mode", status.failoverMode())
            .line("Arbiter", MirrorText.cell(status.arbiter()) + " (" + MirrorText.cell(status.arbiterConnection()) +
                ")");
        if (status.trouble())
        {
            header.line("Trouble state", TROUBLE_TEXT);
        }
        header.appendTo(out);
        out.append('\n');

        final TextTable members = new TextTable("Member", "Type", "Status", "Journal transfer", "Dejournaling");
        for (final MirrorStatus.MemberRow row : status.members())
        {
            members.row(row.name(), row.type(), row.status(), row.journalTransfer(), row.dejournaling());
        }
        members.appendTo(out);
        out.append('\n');

        new Labels()
            .line("Journal end", Long.toString(status.journalEnd()))
            .line("Committed", Long.toString(status.committedPosition()))
            .line("Next record to dejournal", Long.toString(status.appliedPosition()))
            .line((MirrorRole.isPrimary(status) ? "Outgoing" : "Incoming") + " journal transfer rate",
                MirrorText.rate(status.transferRateBytesPerSec()))
            .appendTo(out);
        out.append('\n');

        final TextTable table = new TextTable("Database", "Mirror status", "Next record to dejournal");
        for (final MirrorDatabaseRow row : databases)
        {
            table.row(row.name(), row.status(), row.nextRecordToDejournal() == MirrorDatabaseRow.NOT_APPLICABLE ?
                "n/a" : Long.toString(row.nextRecordToDejournal()));
        }
        table.appendTo(out);
        return out.toString();
    }

    /**
     * {@code Label:  value} lines with the values aligned.
     */
    private static final class Labels
    {
        private final List<String[]> pairs = new ArrayList<>();
        private int width;

        Labels line(final String label, final String value)
        {
            pairs.add(new String[] {label + ":", MirrorText.cell(value)});
            width = Math.max(width, label.length() + 1);
            return this;
        }

        void appendTo(final StringBuilder out)
        {
            for (final String[] pair : pairs)
            {
                out.append(pair[0]).append(" ".repeat(width - pair[0].length() + 2)).append(pair[1]).append('\n');
            }
        }
    }
}
