package org.bulwark.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.bulwark.replication.MirrorStatus;
import org.bulwark.server.mirror.MirrorDatabaseRow;
import org.bulwark.server.mirror.MirrorRole;
import org.bulwark.server.mirror.MirrorStatusJson;
import org.bulwark.server.mirror.MirrorStatusText;
import org.bulwark.server.mirror.MirrorStatuses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC M-17 over RESP: MIRROR STATUS [JSON], INFO's replication section and ROLE, on a member that is
 * not mirrored (answers as before) and, through the reply writers, for mirror statuses of a primary
 * and a backup.
 */
class MirrorRespTest
{
    private static final String NOT_CONFIGURED =
        "mirror_configured:0\r\nmirror_status:mirroring is not configured on this member\r\n";

    @TempDir
    Path dir;

    @Test
    void aMemberThatIsNotMirroredAnswersAsBefore() throws Exception
    {
        try (RespFixture member = RespFixture.start(dir); RawClient raw = member.raw())
        {
            assertNull(member.instance.mirrorStatus());

            raw.send(RawClient.request("MIRROR", "STATUS"));
            assertEquals("$" + NOT_CONFIGURED.length() + "|" + NOT_CONFIGURED, raw.reply());
            raw.send(RawClient.request("mirror", "status", "json"));
            assertEquals("$" + MirrorStatusJson.NOT_CONFIGURED.length() + "|" + MirrorStatusJson.NOT_CONFIGURED,
                raw.reply());
            raw.send(RawClient.request("MIRROR", "STATUS", "XML"));
            assertEquals("-ERR unknown subcommand 'XML' of 'mirror': try STATUS or STATUS JSON", raw.reply());
            raw.send(RawClient.request("MIRROR", "START"));
            assertEquals("-ERR unknown subcommand 'START' of 'mirror': try STATUS or STATUS JSON", raw.reply());
            raw.send(RawClient.request("MIRROR", "STATUS", "JSON", "PLEASE"));
            assertTrue(raw.reply().startsWith("-ERR wrong number of arguments"), "arity checked");

            raw.send(RawClient.request("INFO", "replication"));
            final String info = raw.reply();
            assertTrue(info.contains("\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmirror:not configured" +
                "\r\n\r\n# Keyspace"), info);

            raw.send(RawClient.request("ROLE"));
            final long durable = member.instance.journal().durablePosition();
            assertEquals("*3|$6|master|:" + durable + "|*0", raw.reply());

            raw.send(RawClient.request("HELLO", "3"));
            assertTrue(raw.reply().contains("|role|$6|master|"), "HELLO's role");
        }
    }

    @Test
    void rolesOfAPrimaryAndABackupAreWrittenAsRedisWritesThem()
    {
        assertEquals("*3\r\n$6\r\nmaster\r\n:1040000\r\n*1\r\n*3\r\n$8\r\n10.0.0.2\r\n$4\r\n7100\r\n$7\r\n1040000\r\n",
            role(MirrorStatuses.primary(false)));
        assertEquals("*5\r\n$5\r\nslave\r\n$8\r\n10.0.0.1\r\n:7100\r\n$9\r\nconnected\r\n:1999000\r\n",
            role(MirrorStatuses.backup("Active", 1000)));
        assertEquals("*5\r\n$5\r\nslave\r\n$8\r\n10.0.0.1\r\n:7100\r\n$10\r\nconnecting\r\n:2000000\r\n",
            role(MirrorStatuses.backup("Disconnected since 2026-11-23T10:15:00Z", 0)));
    }

    @Test
    void mirrorStatusAndInfoOfAMirroredMemberComeFromTheMonitor()
    {
        final MirrorStatus status = MirrorStatuses.primary(true);
        final List<MirrorDatabaseRow> rows = MirrorDatabaseRow.rows(status, List.of("USER"), List.of());
        assertEquals(MirrorStatusText.render(status, rows), ServerCommands.mirrorStatus(status, rows, false));
        assertEquals(MirrorStatusJson.render(status, rows), ServerCommands.mirrorStatus(status, rows, true));
        assertEquals(NOT_CONFIGURED, ServerCommands.mirrorStatus(null, List.of(), false));

        final StringBuilder info = new StringBuilder();
        ServerCommands.appendReplication(info, status, "\r\n");
        assertTrue(info.toString().startsWith("role:master\r\nconnected_slaves:1\r\n"), info.toString());
        assertTrue(info.toString().contains("\r\nmirror_trouble:1\r\n"), info.toString());
    }

    private static String role(final MirrorStatus status)
    {
        final ByteBuf out = Unpooled.buffer();
        try
        {
            final RespWriter writer = new RespWriter();
            writer.target(out);
            ServerCommands.writeRole(writer, MirrorRole.of(status));
            return out.toString(StandardCharsets.UTF_8);
        }
        finally
        {
            out.release();
        }
    }
}
