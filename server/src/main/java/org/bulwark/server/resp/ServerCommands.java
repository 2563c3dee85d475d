package org.bulwark.server.resp;

import org.bulwark.journal.Journal;
import org.bulwark.replication.MirrorStatus;
import org.bulwark.server.Instance;
import org.bulwark.server.mirror.MirrorDatabaseRow;
import org.bulwark.server.mirror.MirrorReplicationInfo;
import org.bulwark.server.mirror.MirrorRole;
import org.bulwark.server.mirror.MirrorStatusJson;
import org.bulwark.server.mirror.MirrorStatusText;
import org.bulwark.store.MountedDatabase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Connection and server commands: PING, ECHO, AUTH, HELLO, QUIT, SELECT, CLIENT, CONFIG, COMMAND,
 * INFO, ROLE, WAIT, JOURNAL INFO, MIRROR STATUS [JSON]. What Redis clients send while connecting (CLIENT
 * SETINFO, SELECT 0, CONFIG GET) gets a sensible answer. On a mirrored member, INFO's replication
 * section, ROLE and HELLO's role say what the mirror role is in Redis's words (a primary is a master,
 * every other member a slave of it): see {@link MirrorRole}.
 */
final class ServerCommands
{
    /** The Redis version clients are told, for features they check: RESP3, HELLO, CLIENT SETINFO. */
    static final String REDIS_VERSION = "7.2.0";

    private ServerCommands()
    {
    }

    static void ping(final RespConnection c, final RespCommand command)
    {
        if (command.argc() == 2)
        {
            c.writer().bulk(command.source(), command.offset(1), command.length(1));
        }
        else
        {
            c.writer().simple("PONG");
        }
    }

    static void echo(final RespConnection c, final RespCommand command)
    {
        c.writer().bulk(command.source(), command.offset(1), command.length(1));
    }

    /**
     * {@code AUTH password} (the configured user) or {@code AUTH user password}.
     */
    static void auth(final RespConnection c, final RespCommand command)
    {
        final RespConfig config = c.server().config();
        if (!config.authRequired())
        {
            throw new RespArgumentException("AUTH <password> called without any password configured for the " +
                "default user. Are you sure your configuration is correct?");
        }
        final String user = command.argc() == 3 ? command.string(1) : config.authUser();
        final String password = command.string(command.argc() - 1);
        if (!checkCredentials(config, user, password))
        {
            c.authenticated(false);
            c.writer().error("WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
        c.authenticated(true);
        c.writer().ok();
    }

    private static boolean checkCredentials(final RespConfig config, final String user, final String password)
    {
        // Constant time: a comparison that stops early tells an attacker how much was right.
        final boolean userOk = MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8),
            config.authUser().getBytes(StandardCharsets.UTF_8));
        final boolean passwordOk = MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
            config.authPassword().getBytes(StandardCharsets.UTF_8));
        return userOk & passwordOk;
    }

    /**
     * {@code HELLO [protover [AUTH user password] [SETNAME name]]}: switch to RESP2 or RESP3 and
     * describe the server.
     */
    static void hello(final RespConnection c, final RespCommand command)
    {
        int protocol = c.writer().protocol();
        int i = 1;
        if (command.argc() > 1)
        {
            final long requested;
            try
            {
                requested = command.longValue(1);
            }
            catch (final NumberFormatException ex)
            {
                throw new RespArgumentException("Protocol version is not an integer or out of range");
            }
            if (requested != 2 && requested != 3)
            {
                c.writer().error("NOPROTO unsupported protocol version");
                return;
            }
            protocol = (int)requested;
            i = 2;
        }
        String name = null;
        while (i < command.argc())
        {
            if (command.is(i, "AUTH") && i + 2 < command.argc())
            {
                final RespConfig config = c.server().config();
                if (config.authRequired() && !checkCredentials(config, command.string(i + 1), command.string(i + 2)))
                {
                    c.writer().error("WRONGPASS invalid username-password pair or user is disabled.");
                    return;
                }
                c.authenticated(true);
                i += 3;
            }
            else if (command.is(i, "SETNAME") && i + 1 < command.argc())
            {
                name = command.string(i + 1);
                i += 2;
            }
            else
            {
                throw new RespArgumentException("syntax error in HELLO option '" + command.string(i) + "' (argument " +
                    (i + 1) + ")");
            }
        }
        if (!c.authenticated())
        {
            c.writer().error("NOAUTH HELLO must be called with the client already authenticated, otherwise the " +
                "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the " +
                "RESP protocol version at the same time");
            return;
        }
        if (null != name)
        {
            c.clientName(name);
        }
        c.writer().protocol(protocol);
        final RespWriter w = c.writer();
        w.map(7);
        w.bulk("server");
        w.bulk("bulwark");
        w.bulk("version");
        w.bulk(REDIS_VERSION);
        w.bulk("proto");
        w.integer(protocol);
        w.bulk("id");
        w.integer(c.clientId());
        w.bulk("mode");
        w.bulk("standalone");
        w.bulk("role");
        final MirrorStatus mirror = c.server().instance().mirrorStatus();
        w.bulk(null == mirror || MirrorRole.isPrimary(mirror) ? "master" : "replica");
        w.bulk("modules");
        w.array(0);
    }

    static void quit(final RespConnection c, final RespCommand command)
    {
        c.writer().ok();
        c.quit();
    }

    static void select(final RespConnection c, final RespCommand command)
    {
        if (KeyCommands.integerArgument(command, 1) != 0)
        {
            throw new RespArgumentException("DB index is out of range (Bulwark has one keyspace: SELECT 0)");
        }
        c.writer().ok();
    }

    /**
     * CLIENT SETNAME | GETNAME | SETINFO | ID | INFO | LIST.
     */
    static void client(final RespConnection c, final RespCommand command)
    {
        if (command.is(1, "SETNAME") && command.argc() == 3)
        {
            c.clientName(command.string(2));
            c.writer().ok();
        }
        else if (command.is(1, "GETNAME"))
        {
            if (null == c.clientName())
            {
                c.writer().nullBulk();
            }
            else
            {
                c.writer().bulk(c.clientName());
            }
        }
        else if (command.is(1, "SETINFO") && command.argc() == 4)
        {
            c.writer().ok();
        }
        else if (command.is(1, "ID"))
        {
            c.writer().integer(c.clientId());
        }
        else if (command.is(1, "INFO") || command.is(1, "LIST"))
        {
            c.writer().verbatim("id=" + c.clientId() + " name=" + (null == c.clientName() ? "" : c.clientName()) +
                " resp=" + c.writer().protocol() + "\n");
        }
        else
        {
            throw new RespArgumentException("unknown subcommand or wrong number of arguments for 'client|" +
                command.string(1).toLowerCase(Locale.ROOT) + "'");
        }
    }

    /**
     * CONFIG GET with the few parameters clients and redis-benchmark look at; CONFIG SET is refused
     * (the configuration file is the one place settings live).
     */
    static void config(final RespConnection c, final RespCommand command)
    {
        if (!command.is(1, "GET"))
        {
            throw new RespArgumentException("CONFIG " + command.string(1) + " is not supported: settings live in " +
                "the member's configuration file");
        }
        final String[][] known = {
            {"save", ""},
            {"appendonly", "yes"},
            {"appendfsync", c.server().instance().journal() == null ? "no" : "always"},
            {"databases", "1"},
            {"port", Integer.toString(c.server().port())},
            {"bind", c.server().config().bind()},
            {"proto-max-bulk-len", Integer.toString(c.server().config().maxBulkBytes())},
        };
        final List<String[]> matches = new ArrayList<>();
        for (int i = 2; i < command.argc(); i++)
        {
            final String pattern = command.string(i).toLowerCase(Locale.ROOT);
            for (final String[] entry : known)
            {
                if (globMatches(pattern, entry[0]) && !matches.contains(entry))
                {
                    matches.add(entry);
                }
            }
        }
        c.writer().map(matches.size());
        for (final String[] entry : matches)
        {
            c.writer().bulk(entry[0]);
            c.writer().bulk(entry[1]);
        }
    }

    private static boolean globMatches(final String pattern, final String name)
    {
        if (pattern.equals("*"))
        {
            return true;
        }
        if (pattern.endsWith("*"))
        {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(name);
    }

    static void command(final RespConnection c, final RespCommand command)
    {
        if (command.argc() > 1 && command.is(1, "COUNT"))
        {
            c.writer().integer(0);
            return;
        }
        c.writer().array(0); // no command docs: clients then fall back to their defaults
    }

    static void info(final RespConnection c, final RespCommand command)
    {
        final RespServerContext server = c.server();
        final Journal journal = server.instance().journal();
        final String crlf = "\r\n";
        final StringBuilder text = new StringBuilder(512);
        text.append("# Server").append(crlf)
            .append("redis_version:").append(REDIS_VERSION).append(crlf)
            .append("bulwark_version:0.1.0").append(crlf)
            .append("redis_mode:standalone").append(crlf)
            .append("process_id:").append(ProcessHandle.current().pid()).append(crlf)
            .append("tcp_port:").append(server.port()).append(crlf)
            .append("uptime_in_seconds:").append(server.uptimeMs() / 1000).append(crlf)
            .append("transport:").append(server.transport()).append(crlf)
            .append(crlf).append("# Clients").append(crlf)
            .append("connected_clients:").append(server.connections()).append(crlf)
            .append("total_connections_received:").append(server.connectionsTotal()).append(crlf)
            .append(crlf).append("# Persistence").append(crlf)
            .append("aof_enabled:").append(null == journal ? 0 : 1).append(crlf);
        appendJournal(text, journal, crlf);
        text.append(crlf).append("# Replication").append(crlf);
        appendReplication(text, server.instance().mirrorStatus(), crlf);
        text.append(crlf).append("# Keyspace").append(crlf)
            .append("plain_keys_global:^").append(server.config().global()).append(crlf);
        c.writer().verbatim(text.toString());
    }

    private static void appendJournal(final StringBuilder text, final Journal journal, final String crlf)
    {
        if (null == journal)
        {
            text.append("journal_enabled:0").append(crlf);
            return;
        }
        final String frozen = journal.frozenReason();
        text.append("journal_enabled:1").append(crlf)
            .append("journal_directory:").append(journal.config().directory()).append(crlf)
            .append("journal_sync_method:").append(journal.config().syncMethod().name().toLowerCase(Locale.ROOT))
            .append(crlf)
            .append("journal_appended_position:").append(journal.appendedPosition()).append(crlf)
            .append("journal_durable_position:").append(journal.durablePosition()).append(crlf)
            .append("journal_syncs:").append(journal.syncs()).append(crlf)
            .append("journal_bytes_written:").append(journal.bytesWritten()).append(crlf)
            .append("journal_frozen:").append(null == frozen ? "no" : "yes: " + frozen).append(crlf);
    }

    /**
     * INFO's replication fields: a member that is not mirrored is a master without replicas.
     */
    static void appendReplication(final StringBuilder text, final MirrorStatus mirror, final String crlf)
    {
        if (null == mirror)
        {
            text.append("role:master").append(crlf)
                .append("connected_slaves:0").append(crlf)
                .append("mirror:not configured").append(crlf);
            return;
        }
        MirrorReplicationInfo.append(text, mirror, crlf);
    }

    /**
     * ROLE as Redis answers it: {@code master} with its position and replicas, or {@code slave} with its
     * primary's host and port, link state and position. A member that is not mirrored is a master
     * without replicas at its journal's durable position.
     */
    static void role(final RespConnection c, final RespCommand command)
    {
        final Instance instance = c.server().instance();
        final MirrorStatus mirror = instance.mirrorStatus();
        if (null == mirror)
        {
            final Journal journal = instance.journal();
            c.writer().array(3);
            c.writer().bulk("master");
            c.writer().integer(null == journal ? 0 : journal.durablePosition());
            c.writer().array(0);
            return;
        }
        writeRole(c.writer(), MirrorRole.of(mirror));
    }

    /**
     * {@code ["master", position, [[host, "port", "offset"], ...]]} or
     * {@code ["slave", host, port, "connected"|"connecting", position]}, as Redis writes them.
     */
    static void writeRole(final RespWriter w, final MirrorRole role)
    {
        if (role.primary())
        {
            w.array(3);
            w.bulk("master");
            w.integer(role.position());
            w.array(role.replicas().size());
            for (final MirrorRole.Replica replica : role.replicas())
            {
                w.array(3);
                w.bulk(replica.host());
                w.bulk(Integer.toString(replica.port()));
                w.bulk(Long.toString(replica.ackedPosition()));
            }
            return;
        }
        w.array(5);
        w.bulk("slave");
        w.bulk(role.primaryHost());
        w.integer(role.primaryPort());
        w.bulk(role.linkUp() ? "connected" : "connecting");
        w.integer(role.position());
    }

    /**
     * {@code WAIT numreplicas timeout}: there are no replicas, so 0 at once. Every earlier write of
     * this connection is already durable locally when this reply is sent (replies wait for it).
     */
    static void waitReplicas(final RespConnection c, final RespCommand command)
    {
        final long replicas = KeyCommands.integerArgument(command, 1);
        final long timeoutMs = KeyCommands.integerArgument(command, 2);
        if (replicas < 0 || timeoutMs < 0)
        {
            throw new RespArgumentException("WAIT needs a replica count and a timeout that are not negative");
        }
        c.writer().integer(0);
    }

    static void journal(final RespConnection c, final RespCommand command)
    {
        if (!command.is(1, "INFO"))
        {
            throw new RespArgumentException("unknown subcommand '" + command.string(1) + "' of 'journal': try INFO");
        }
        final StringBuilder text = new StringBuilder(256);
        appendJournal(text, c.server().instance().journal(), "\r\n");
        c.writer().verbatim(text.toString());
    }

    /**
     * {@code MIRROR STATUS [JSON]}: the mirror monitor (SPEC M-17) as its table or as JSON.
     */
    static void mirror(final RespConnection c, final RespCommand command)
    {
        final boolean json = command.argc() == 3 && command.is(2, "JSON");
        if (!command.is(1, "STATUS") || command.argc() == 3 && !json)
        {
            throw new RespArgumentException("unknown subcommand '" + command.string(command.argc() - 1) +
                "' of 'mirror': try STATUS or STATUS JSON");
        }
        final Instance instance = c.server().instance();
        final MirrorStatus mirror = instance.mirrorStatus();
        c.writer().verbatim(mirrorStatus(mirror, null == mirror ? List.of() : databases(instance, mirror), json));
    }

    /**
     * @return the MIRROR STATUS reply's text for {@code mirror} (null: not mirrored).
     */
    static String mirrorStatus(final MirrorStatus mirror, final List<MirrorDatabaseRow> databases,
        final boolean json)
    {
        if (null == mirror)
        {
            return json ? MirrorStatusJson.NOT_CONFIGURED :
                "mirror_configured:0\r\nmirror_status:mirroring is not configured on this member\r\n";
        }
        return json ? MirrorStatusJson.render(mirror, databases) : MirrorStatusText.render(mirror, databases);
    }

    private static List<MirrorDatabaseRow> databases(final Instance instance, final MirrorStatus mirror)
    {
        final List<String> mounted = new ArrayList<>();
        for (final MountedDatabase database : instance.store().databases())
        {
            mounted.add(database.name());
        }
        return MirrorDatabaseRow.rows(mirror, mounted,
            instance.store().dismountedDatabases().keySet());
    }
}
