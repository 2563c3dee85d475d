package org.bulwark.server.mirror;

import org.bulwark.replication.MirrorStatus;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mirror member's role in Redis's terms (ROLE, INFO replication), and the INFO fields parsed the way
 * Redis client libraries parse them.
 */
class MirrorRoleTest
{
    @Test
    void thePrimaryIsAMasterWithItsActiveBackupAsReplica()
    {
        final MirrorRole role = MirrorRole.of(MirrorStatuses.primary(false));
        assertTrue(role.primary());
        assertEquals(1_040_000, role.position());
        assertEquals(List.of(new MirrorRole.Replica("beta-long-name", "10.0.0.2", 7100, 1_040_000)), role.replicas());
    }

    @Test
    void aBackupThatIsNotActiveIsListedWithAnUnknownPositionAndADisconnectedOneNotAtAll()
    {
        final MirrorStatus.MemberRow catchingUp = new MirrorStatus.MemberRow("beta", "Failover", "Backup",
            "12 s behind", "n/a", "[fd00::2]:7100", "x");
        final MirrorStatus.MemberRow gone = new MirrorStatus.MemberRow("gamma", "Failover", "Down",
            "Disconnected since 2026-11-23T10:15:00Z", "n/a", "10.0.0.3:7100", "x");
        final MirrorStatus status = new MirrorStatus("M", "alpha", "PRIMARY", 2, "Agent Controlled", "none", "n/a",
            false, List.of(MirrorStatuses.ALPHA_PRIMARY, catchingUp, gone), 100, 90, 100, 0);
        assertEquals(List.of(new MirrorRole.Replica("beta", "fd00::2", 7100, 0)), MirrorRole.of(status).replicas());
    }

    @Test
    void aBackupIsASlaveOfThePrimaryConnectedUnlessItsTransferIsDisconnected()
    {
        final MirrorRole connected = MirrorRole.of(MirrorStatuses.backup("Active", 100));
        assertFalse(connected.primary());
        assertEquals("10.0.0.1", connected.primaryHost());
        assertEquals(7100, connected.primaryPort());
        assertTrue(connected.linkUp());
        assertEquals(1_999_900, connected.position());

        assertFalse(MirrorRole.of(MirrorStatuses.backup("Disconnected since 2026-11-23T10:15:00Z", 0)).linkUp());

        // No member known as primary: it follows the other failover member, not connected.
        final MirrorStatus.MemberRow otherDown = new MirrorStatus.MemberRow("alpha", "Failover", "Down", "n/a",
            "n/a", "10.0.0.1:7100", "x");
        final MirrorStatus alone = new MirrorStatus("M", "beta", "STARTING", 1, "Agent Controlled", "none", "n/a",
            false, List.of(new MirrorStatus.MemberRow("beta", "Failover", "Starting", "n/a", "n/a", "b:1", "b:2"),
            otherDown), 0, 0, 0, 0);
        final MirrorRole starting = MirrorRole.of(alone);
        assertFalse(starting.primary());
        assertFalse(starting.linkUp());
        assertEquals("10.0.0.1", starting.primaryHost());
    }

    @Test
    void addressesSplitIntoHostAndPort()
    {
        assertEquals("10.0.0.1", MirrorRole.host("10.0.0.1:7100"));
        assertEquals(7100, MirrorRole.port("10.0.0.1:7100"));
        assertEquals("fd00::2", MirrorRole.host("[fd00::2]:7100"));
        assertEquals(7100, MirrorRole.port("[fd00::2]:7100"));
        assertEquals("fd00::2", MirrorRole.host("fd00::2"));
        assertEquals(0, MirrorRole.port("fd00::2"));
        assertEquals("fd00::2", MirrorRole.host("[fd00::2]"));
        assertEquals(0, MirrorRole.port("[fd00::2]"));
        assertEquals("host", MirrorRole.host("host"));
        assertEquals(0, MirrorRole.port("host:http"));
        assertEquals("", MirrorRole.host(null));
        assertEquals(0, MirrorRole.port(null));
    }

    @Test
    void infoOnThePrimaryParsesAsRedisClientsParseIt()
    {
        final StringBuilder text = new StringBuilder();
        MirrorReplicationInfo.append(text, MirrorStatuses.primary(true), "\r\n");
        final Map<String, Object> info = parseInfo(text.toString());
        assertEquals("master", info.get("role"));
        assertEquals("1", info.get("connected_slaves"));
        assertEquals(Map.of("ip", "10.0.0.2", "port", "7100", "state", "online", "offset", "1040000", "name",
            "beta-long-name"), info.get("slave0"));
        assertEquals("1048576", info.get("master_repl_offset"));
        assertEquals("configured", info.get("mirror"));
        assertEquals("ORDERS", info.get("mirror_name"));
        assertEquals("alpha", info.get("mirror_member"));
        assertEquals("PRIMARY", info.get("mirror_role"));
        assertEquals("7", info.get("mirror_term"));
        assertEquals("1", info.get("mirror_trouble"));
        assertEquals("Agent Controlled", info.get("mirror_failover_mode"));
        assertEquals("2", info.get("mirror_members"));
        assertEquals(Map.of("type", "Failover", "status", "Primary", "transfer", "n/a", "dejournaling", "n/a",
            "address", "10.0.0.1:7100"), info.get("mirror_member_alpha"));
        assertEquals(Map.of("type", "Failover", "status", "Backup", "transfer", "Active", "dejournaling", "Caught up",
            "address", "10.0.0.2:7100"), info.get("mirror_member_beta-long-name"));
    }

    @Test
    void infoOnABackupNamesThePrimaryAndItsLink()
    {
        final StringBuilder text = new StringBuilder();
        MirrorReplicationInfo.append(text, MirrorStatuses.backup("Active", 0), "\r\n");
        final Map<String, Object> info = parseInfo(text.toString());
        assertEquals("slave", info.get("role"));
        assertEquals("10.0.0.1", info.get("master_host"));
        assertEquals("7100", info.get("master_port"));
        assertEquals("up", info.get("master_link_status"));
        assertEquals("2000000", info.get("slave_repl_offset"));
        assertEquals("0", info.get("mirror_trouble"));

        final StringBuilder down = new StringBuilder();
        MirrorReplicationInfo.append(down, MirrorStatuses.backup("Disconnected since 2026-11-23T10:15:00Z", 0), "\n");
        assertEquals("down", parseInfo(down.toString()).get("master_link_status"));
    }

    @Test
    void awkwardNamesAndValuesCannotBreakTheLines()
    {
        assertEquals("a_b_c", MirrorReplicationInfo.key("a:b c"));
        assertEquals("-", MirrorReplicationInfo.key(null));
        assertEquals("x y z w", MirrorReplicationInfo.value("x,y=z\nw"));
    }

    /**
     * INFO as redis-py's parse_info reads it: {@code key:value} per line, a value holding both
     * {@code ,} and {@code =} as a map of {@code k=v} items.
     */
    static Map<String, Object> parseInfo(final String text)
    {
        final Map<String, Object> info = new LinkedHashMap<>();
        for (final String line : text.split("\r?\n"))
        {
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int colon = line.indexOf(':');
            assertTrue(colon > 0, "a line without key:value: '" + line + "'");
            final String key = line.substring(0, colon);
            final String value = line.substring(colon + 1);
            assertFalse(info.containsKey(key), "key " + key + " twice");
            if (value.contains(",") && value.contains("="))
            {
                final Map<String, String> items = new LinkedHashMap<>();
                for (final String item : value.split(","))
                {
                    final int equals = item.lastIndexOf('=');
                    assertTrue(equals > 0, "an item without k=v in '" + line + "'");
                    items.put(item.substring(0, equals), item.substring(equals + 1));
                }
                info.put(key, items);
            }
            else
            {
                info.put(key, value);
            }
        }
        return info;
    }
}
