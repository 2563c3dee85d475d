package org.bulwark.server;

import org.bulwark.replication.MirrorStatus;
import org.bulwark.replication.auth.MirrorKey;
import org.bulwark.server.mirror.MirrorDatabaseRow;
import org.bulwark.server.mirror.MirrorStatusJson;
import org.bulwark.server.mirror.MirrorStatusText;
import org.bulwark.server.mirror.MirrorStatuses;
import org.bulwark.server.resp.RespServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bulwark mirror}: keygen's file (mode 600, never replaced without --force, a key that loads),
 * and status's answers when no member runs, when one runs without mirroring, when one is mirrored, and on
 * bad arguments.
 */
class MirrorCommandTest
{
    @TempDir
    Path dir;

    @Test
    void keygenWritesAKeyOnlyItsOwnerCanReadAndReplacesItOnlyWithForce() throws Exception
    {
        final Path key = dir.resolve("mirror.key");
        final CliRun first = CliRun.run("", "mirror", "keygen", key.toString());
        assertEquals(BulwarkCli.EXIT_OK, first.code(), first.errors());
        assertTrue(first.output().contains("wrote a new mirror key to " + key), first.output());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        MirrorKey.load(key);
        final String original = Files.readString(key);

        final CliRun again = CliRun.run("", "mirror", "keygen", key.toString());
        assertEquals(BulwarkCli.EXIT_FAILED, again.code());
        assertTrue(again.errors().contains(key + " already exists; --force replaces it"), again.errors());
        assertEquals(original, Files.readString(key), "the existing key is left alone");

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        final CliRun forced = CliRun.run("", "mirror", "keygen", "--force", key.toString());
        assertEquals(BulwarkCli.EXIT_OK, forced.code(), forced.errors());
        assertNotEquals(original, Files.readString(key), "a new key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        MirrorKey.load(key);
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(List.of(key), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void keygenArgumentErrorsAreNamed()
    {
        assertError(BulwarkCli.EXIT_USAGE, "the key file to write is missing", "mirror", "keygen");
        assertError(BulwarkCli.EXIT_USAGE, "unexpected argument 'b' (one key file at a time)", "mirror", "keygen",
            "a", "b");
        assertError(BulwarkCli.EXIT_USAGE, "unknown option '--overwrite'", "mirror", "keygen", "--overwrite", "a");
        final Path missing = dir.resolve("no-such-dir").resolve("mirror.key");
        assertError(BulwarkCli.EXIT_FAILED, "directory " + missing.getParent() + " does not exist", "mirror",
            "keygen", missing.toString());
    }

    @Test
    void subcommandsAndTheHookForUpAndDown()
    {
        final CliRun none = CliRun.run("", "mirror");
        assertEquals(BulwarkCli.EXIT_USAGE, none.code());
        assertTrue(none.errors().contains("usage: bulwark mirror"), none.errors());
        for (final String sub : List.of("status", "keygen", "up | down"))
        {
            assertTrue(none.errors().contains("  " + sub), "usage lists " + sub + ": " + none.errors());
        }
        final CliRun help = CliRun.run("", "mirror", "--help");
        assertEquals(BulwarkCli.EXIT_OK, help.code());
        assertTrue(help.output().contains("usage: bulwark mirror"), help.output());
        assertError(BulwarkCli.EXIT_USAGE, "use scripts/mirror-up.sh / scripts/mirror-down.sh", "mirror", "up");
        assertError(BulwarkCli.EXIT_USAGE, "use scripts/mirror-up.sh / scripts/mirror-down.sh", "mirror", "down");
        assertError(BulwarkCli.EXIT_USAGE, "unknown subcommand 'sideways'", "mirror", "sideways");
        assertTrue(CliRun.run("", "--help").output().contains("mirror status [--json] | keygen FILE [--force]"));
    }

    @Test
    void statusWithoutARunningMemberSaysSoWithExitThree() throws Exception
    {
        final Path config = CliRun.memberConfig(dir);
        final CliRun run = CliRun.run("", CliRun.withConfig(config, "mirror", "status"));
        assertEquals(MirrorCommand.EXIT_NOT_RUNNING, run.code(), run.errors());
        assertTrue(run.errors().contains("no member is running on data directory " + dir.resolve("data")),
            run.errors());
        assertEquals("", run.output());

        assertError(BulwarkCli.EXIT_USAGE, "unknown option '--yaml'", "mirror", "status", "--yaml");
        assertError(BulwarkCli.EXIT_USAGE, "unexpected argument 'now'", "mirror", "status", "now");
        assertError(BulwarkCli.EXIT_USAGE, "option --config needs a value", "mirror", "status", "--config");
    }

    @Test
    void statusOfARunningMemberThatIsNotMirroredSaysSoWithExitOne() throws Exception
    {
        final Path configFile = CliRun.memberConfig(dir, "resp.port = 0", "auth.password = s3cret-enough");
        final InstanceConfig config = InstanceConfig.load(configFile);
        try (Instance instance = Instance.open(config, new InstanceOptions());
            RespServer server = new RespServer(instance, config.respConfig()).start())
        {
            ready(config, server);
            for (final String[] args : List.of(new String[] {"mirror", "status"},
                new String[] {"mirror", "status", "--json"}))
            {
                final CliRun run = CliRun.run("", CliRun.withConfig(configFile, args));
                assertEquals(BulwarkCli.EXIT_FAILED, run.code(), run.errors());
                assertTrue(run.errors().contains("the member running on " + dir.resolve("data") + " is not mirrored"),
                    run.errors());
                assertEquals("", run.output());
            }

            // The same data directory named without the password: the member refuses, and that is said.
            final CliRun refused = CliRun.run("", "mirror", "status", "--data", dir.resolve("data").toString());
            assertEquals(BulwarkCli.EXIT_FAILED, refused.code(), refused.errors());
            assertTrue(refused.errors().contains("refused: NOAUTH"), refused.errors());
        }
    }

    @Test
    void statusPrintsWhatAMirroredMemberAnswers() throws Exception
    {
        final MirrorStatus status = MirrorStatuses.primary(false);
        final List<MirrorDatabaseRow> rows = MirrorDatabaseRow.rows(status, List.of("USER"), List.of());
        final String table = MirrorStatusText.render(status, rows);
        final String json = MirrorStatusJson.render(status, rows);
        final Path configFile = CliRun.memberConfig(dir);
        final Path data = dir.resolve("data");
        // A stand-in member: the data directory's lock, a pid file naming a RESP port, canned answers.
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(data, "member");
            ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress()))
        {
            assertEquals(ProcessHandle.current().pid(), DataDirectoryLock.holder(data), "held: " + lock);
            final Thread member = new Thread(() -> answer(listener, table, json), "fake-member");
            member.setDaemon(true);
            member.start();
            new PidFile(ProcessHandle.current().pid(), System.currentTimeMillis(), data.toString(), "", "", "",
                List.of("RESP on 127.0.0.1:" + listener.getLocalPort())).write(PidFile.path(data));

            final CliRun text = CliRun.run("", CliRun.withConfig(configFile, "mirror", "status"));
            assertEquals(BulwarkCli.EXIT_OK, text.code(), text.errors());
            assertEquals(table, text.output());
            final CliRun asJson = CliRun.run("", CliRun.withConfig(configFile, "mirror", "status", "--json"));
            assertEquals(BulwarkCli.EXIT_OK, asJson.code(), asJson.errors());
            assertEquals(json + System.lineSeparator(), asJson.output());
        }
    }

    /**
     * Answer each connection's one request: MIRROR STATUS with {@code table}, MIRROR STATUS JSON with {@code json}.
     */
    private static void answer(final ServerSocket listener, final String table, final String json)
    {
        while (!listener.isClosed())
        {
            try (Socket socket = listener.accept())
            {
                final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
                final int count = Integer.parseInt(in.readLine().substring(1));
                final List<String> request = new ArrayList<>();
                for (int i = 0; i < count; i++)
                {
                    in.readLine(); // $length
                    request.add(in.readLine());
                }
                final String reply = request.size() == 3 ? json : table;
                final byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
                final OutputStream out = socket.getOutputStream();
                out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                in.readLine(); // until the client closes
            }
            catch (final IOException | RuntimeException ex)
            {
                // closed at the end of the test, or a client gone: the next accept decides
            }
        }
    }

    /**
     * What {@code bulwark run} does once its services listen: the pid file that says where.
     */
    private static void ready(final InstanceConfig config, final RespServer server) throws Exception
    {
        final Path data = config.dataDirectory().toAbsolutePath();
        new PidFile(ProcessHandle.current().pid(), System.currentTimeMillis(), data.toString(), "",
            data.resolve("messages.log").toString(), data.resolve("console.log").toString(),
            List.of(server.toString())).write(PidFile.path(data));
    }

    private static void assertError(final int code, final String expected, final String... args)
    {
        final CliRun run = CliRun.run("", args);
        assertEquals(code, run.code(), run.errors());
        assertTrue(run.errors().contains(expected), "expected '" + expected + "' in: " + run.errors());
    }
}
