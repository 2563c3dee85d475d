package org.bulwark.server.mirror;

import org.bulwark.probes.JsonReader;
import org.bulwark.replication.MirrorStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * SPEC M-17: the monitor's data as JSON that parses and holds every field of the table.
 */
class MirrorStatusJsonTest
{
    @Test
    void aPrimarysStatusParsesWithEveryField()
    {
        final MirrorStatus status = MirrorStatuses.primary(true);
        final String json = MirrorStatusJson.render(status,
            MirrorDatabaseRow.rows(status, List.of("USER", "ARCHIVE"), List.of("OLD")));
        final Map<?, ?> root = (Map<?, ?>)JsonReader.parse(json, "MirrorStatusJson");

        assertEquals(true, root.get("configured"));
        assertEquals("ORDERS", root.get("mirror"));
        assertEquals("alpha", root.get("member"));
        assertEquals("PRIMARY", root.get("role"));
        assertEquals(7.0, root.get("term"));
        assertEquals("Agent Controlled", root.get("failoverMode"));
        assertEquals("none", root.get("arbiter"));
        assertEquals("n/a", root.get("arbiterConnection"));
        assertEquals(true, root.get("trouble"));
        assertEquals(1_048_576.0, root.get("journalEnd"));
        assertEquals(1_040_000.0, root.get("committedPosition"));
        assertEquals(1_048_576.0, root.get("nextRecordToDejournal"));
        assertEquals(1_572_864.0, root.get("transferRateBytesPerSec"));

        final List<?> members = (List<?>)root.get("members");
        assertEquals(2, members.size());
        assertEquals(Map.of("name", "beta-long-name", "type", "Failover", "status", "Backup", "journalTransfer",
            "Active", "dejournaling", "Caught up", "mirrorAddress", "10.0.0.2:7100", "agentAddress", "10.0.0.2:2188"),
            members.get(1));
        assertEquals("alpha", ((Map<?, ?>)members.get(0)).get("name"));

        final List<?> databases = (List<?>)root.get("databases");
        assertEquals(3, databases.size());
        assertEquals(Map.of("name", "USER", "status", "Normal", "nextRecordToDejournal", 1_048_576.0),
            databases.get(0));
        assertEquals("ARCHIVE", ((Map<?, ?>)databases.get(1)).get("name"));
        final Map<?, ?> dismounted = (Map<?, ?>)databases.get(2);
        assertEquals("Database Dismounted", dismounted.get("status"));
        assertNull(dismounted.get("nextRecordToDejournal"));
    }

    @Test
    void stringsAreEscapedAndNullsStayNull()
    {
        final MirrorStatus status = new MirrorStatus("M", "a\"b\\c", "BACKUP", 1, "Agent Controlled", null,
            "line\nbreak", false, List.of(new MirrorStatus.MemberRow("a\"b\\c", "Failover", "Backup",
            "Disconnected since 2026-11-23T10:15:00Z", "n/a", "h:1", "\t")), 10, 5, 3, 0);
        final Map<?, ?> root = (Map<?, ?>)JsonReader.parse(MirrorStatusJson.render(status, List.of()), "escaped");
        assertEquals("a\"b\\c", root.get("member"));
        assertNull(root.get("arbiter"));
        assertEquals("line\nbreak", root.get("arbiterConnection"));
        final Map<?, ?> member = (Map<?, ?>)((List<?>)root.get("members")).get(0);
        assertEquals("\t", member.get("agentAddress"));
        assertEquals("Disconnected since 2026-11-23T10:15:00Z", member.get("journalTransfer"));
        assertEquals(List.of(), root.get("databases"));
    }

    @Test
    void notConfiguredParses()
    {
        final Map<?, ?> root = (Map<?, ?>)JsonReader.parse(MirrorStatusJson.NOT_CONFIGURED, "not configured");
        assertEquals(false, root.get("configured"));
    }
}
