package org.bulwark.server.mirror;

import org.bulwark.replication.MirrorStatus;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC M-17: the monitor's table holds every member and database with its columns aligned, and the
 * header says role, term, failover mode, arbiter and trouble.
 */
class MirrorStatusTextTest
{
    private static final List<String> MOUNTED = List.of("USER", "ORDERS-ARCHIVE", "X");

    @Test
    void aPrimaryInTroubleShowsHeaderMembersPositionsAndDatabases()
    {
        final MirrorStatus status = MirrorStatuses.primary(true);
        final String text = MirrorStatusText.render(status, MirrorDatabaseRow.rows(status, MOUNTED, List.of("OLD")));
        final List<String> lines = text.lines().toList();

        assertEquals("Mirror:         ORDERS", lines.get(0), text);
        assertEquals("This member:    alpha (Primary, term 7)", lines.get(1), text);
        assertEquals("Failover mode:  Agent Controlled", lines.get(2), text);
        assertEquals("Arbiter:        none (n/a)", lines.get(3), text);
        assertEquals("Trouble state:  " + MirrorStatusText.TROUBLE_TEXT, lines.get(4), text);

        final int members = lines.indexOf(header(lines, "Member "));
        assertAligned(lines, members, 2,
            new String[] {"Member", "Type", "Status", "Journal transfer", "Dejournaling"},
            new String[] {"alpha", "Failover", "Primary", "n/a", "n/a"},
            new String[] {"beta-long-name", "Failover", "Backup", "Active", "Caught up"});

        assertTrue(lines.contains("Journal end:                     1048576"), text);
        assertTrue(lines.contains("Committed:                       1040000"), text);
        assertTrue(lines.contains("Next record to dejournal:        1048576"), text);
        assertTrue(lines.contains("Outgoing journal transfer rate:  1.50 MiB/s (1572864 bytes/s)"), text);

        final int databases = lines.indexOf(header(lines, "Database "));
        assertAligned(lines, databases, 4,
            new String[] {"Database", "Mirror status", "Next record to dejournal"},
            new String[] {"USER", "Normal", "1048576"},
            new String[] {"ORDERS-ARCHIVE", "Normal", "1048576"},
            new String[] {"X", "Normal", "1048576"},
            new String[] {"OLD", "Database Dismounted", "n/a"});
        assertEquals(databases + 2 + 4, lines.size(), "the database rows end the table: " + text);
        for (final String line : lines)
        {
            assertFalse(line.endsWith(" "), "no trailing blanks: '" + line + "'");
        }
    }

    @Test
    void aBackupDejournalingShowsIncomingRateAndNoTroubleLine()
    {
        final MirrorStatus status = MirrorStatuses.backup("Active", 4096);
        final String text = MirrorStatusText.render(status, MirrorDatabaseRow.rows(status, MOUNTED, List.of()));
        final List<String> lines = text.lines().toList();

        assertEquals("This member:    beta-long-name (Backup, term 7)", lines.get(1), text);
        assertFalse(text.contains("Trouble state"), text);
        assertTrue(lines.contains("Incoming journal transfer rate:  512 bytes/s"), text);
        assertTrue(lines.contains("Next record to dejournal:        1995904"), text);
        final int members = lines.indexOf(header(lines, "Member "));
        assertAligned(lines, members, 2,
            new String[] {"Member", "Type", "Status", "Journal transfer", "Dejournaling"},
            new String[] {"beta-long-name", "Failover", "Backup", "Active", "4096 bytes behind"},
            new String[] {"alpha", "Failover", "Primary", "n/a", "n/a"});
        final int databases = lines.indexOf(header(lines, "Database "));
        assertAligned(lines, databases, 3,
            new String[] {"Database", "Mirror status", "Next record to dejournal"},
            new String[] {"USER", "Dejournaling", "1995904"},
            new String[] {"ORDERS-ARCHIVE", "Dejournaling", "1995904"},
            new String[] {"X", "Dejournaling", "1995904"});
    }

    @Test
    void aCaughtUpBackupsDatabasesAreCaughtUpAndEmptyCellsAreDashes()
    {
        final MirrorStatus caughtUp = MirrorStatuses.backup("Active", 0);
        final List<MirrorDatabaseRow> rows = MirrorDatabaseRow.rows(caughtUp, List.of("USER"), List.of());
        assertEquals(List.of(new MirrorDatabaseRow("USER", "Caught up", 2_000_000)), rows);

        final MirrorStatus blank = new MirrorStatus("M", "a", "STARTING", 0, "Agent Controlled", "", null, false,
            List.of(new MirrorStatus.MemberRow("a", "Failover", "Starting", "", null, "h:1", "h:2")), 0, 0, 0, 0);
        final String text = MirrorStatusText.render(blank, List.of());
        assertTrue(text.contains("Arbiter:        - (-)"), text);
        assertTrue(text.contains("a       Failover  Starting  -                 -\n"), text);
    }

    private static String header(final List<String> lines, final String start)
    {
        return lines.stream().filter(l -> l.startsWith(start)).findFirst()
            .orElseThrow(() -> new AssertionError("no line starts with '" + start + "': " + lines));
    }

    /**
     * The header at {@code at}, a rule of dashes under every column, then {@code count} rows whose
     * cells start where their column's header starts.
     */
    private static void assertAligned(final List<String> lines, final int at, final int count,
        final String[] headers, final String[]... rows)
    {
        assertEquals(count, rows.length);
        final String header = lines.get(at);
        final int[] starts = new int[headers.length];
        for (int i = 0; i < headers.length; i++)
        {
            starts[i] = i == 0 ? 0 : header.indexOf("  " + headers[i], starts[i - 1]) + 2;
            assertTrue(starts[i] >= 0 && header.startsWith(headers[i], starts[i]), "column " + headers[i] + " in '" +
                header + "'");
        }
        final String rule = lines.get(at + 1);
        for (int i = 0; i < headers.length; i++)
        {
            assertEquals('-', rule.charAt(starts[i]), "rule under " + headers[i] + ": '" + rule + "'");
            assertTrue(starts[i] == 0 || rule.charAt(starts[i] - 1) == ' ', "rule gap before " + headers[i]);
        }
        for (int r = 0; r < rows.length; r++)
        {
            final String line = lines.get(at + 2 + r);
            for (int i = 0; i < headers.length; i++)
            {
                assertTrue(line.startsWith(rows[r][i], starts[i]), "'" + rows[r][i] + "' at column " + starts[i] +
                    " (" + headers[i] + ") of '" + line + "'");
                assertTrue(starts[i] == 0 || line.charAt(starts[i] - 1) == ' ', "a blank before " + headers[i] +
                    " in '" + line + "'");
            }
        }
    }
}
