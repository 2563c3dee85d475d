package org.bulwark.server;

import org.bulwark.replication.agent.AgentClient;
import org.bulwark.replication.agent.MemberLiveness;
import org.bulwark.replication.auth.MirrorKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bulwark agent}: its arguments and agent.conf, and one run from start to a clean stop.
 */
class AgentCommandTest
{
    @TempDir
    Path dir;

    private Path keyFile() throws Exception
    {
        final Path key = dir.resolve("mirror.key");
        if (!Files.exists(key))
        {
            Files.writeString(key, MirrorKey.generateFileText());
        }
        return key;
    }

    private void assertUsageError(final String expected, final String... args)
    {
        final CliRun run = CliRun.run("", args);
        assertEquals(BulwarkCli.EXIT_USAGE, run.code(), run.errors());
        assertTrue(run.errors().contains(expected), "expected '" + expected + "' in: " + run.errors());
        assertTrue(run.errors().contains("usage: bulwark agent"), run.errors());
    }

    @Test
    void badArgumentsAreUsageErrorsThatNameThem() throws Exception
    {
        final String member = "node-a=" + CliRun.memberConfig(dir);
        final String key = keyFile().toString();
        assertUsageError("the agent needs the mirror key file", "agent", "--member", member);
        assertUsageError("the agent serves no member", "agent", "--key", key);
        assertUsageError("unknown option '--frobnicate'", "agent", "--frobnicate");
        assertUsageError("unknown argument 'now'", "agent", "now");
        assertUsageError("option --port needs a value", "agent", "--port");
        assertUsageError("agent.port 'abc' is not a whole number", "agent", "--key", key, "--member", member,
            "--port", "abc");
        assertUsageError("agent.port 70000 is outside 0..65535", "agent", "--key", key, "--member", member,
            "--port", "70000");
        assertUsageError("--member 'node-a': expected NAME=CONFIG_FILE", "agent", "--member", "node-a");
        assertUsageError("--member node-a given twice", "agent", "--member", member, "--member", member);
        assertUsageError("member node-b: configuration file " + dir.resolve("none.conf") + " does not exist",
            "agent", "--key", key, "--member", "node-b=" + dir.resolve("none.conf"));
        assertUsageError("member name 'node a' must be", "agent", "--key", key, "--member",
            "node a=" + CliRun.memberConfig(dir));
        assertUsageError("mirror key file " + dir.resolve("absent.key") + " does not exist", "agent", "--key",
            dir.resolve("absent.key").toString(), "--member", member);
    }

    @Test
    void agentConfErrorsNameFileLineAndKey() throws Exception
    {
        final Path conf = dir.resolve("agent.conf");
        Files.writeString(conf, "# agent\nagent.port = 2188\nagent.colour = blue\n");
        assertUsageError(conf + " line 3: unknown key 'agent.colour'", "agent", "--config", conf.toString());
        Files.writeString(conf, "agent.port = 2188\nagent.port = 2189\n");
        assertUsageError(conf + " line 2: key 'agent.port' is set twice", "agent", "--config", conf.toString());
        Files.writeString(conf, "agent.port\n");
        assertUsageError(conf + " line 1: expected 'key = value'", "agent", "--config", conf.toString());
        assertUsageError("agent configuration " + dir.resolve("nothing.conf") + " does not exist", "agent",
            "--config", dir.resolve("nothing.conf").toString());
    }

    @Test
    void agentConfPathsAreRelativeToItsDirectoryAndOptionsOverrideIt() throws Exception
    {
        keyFile();
        CliRun.memberConfig(dir, "journal.directory = " + dir.resolve("jrn"));
        final Path conf = dir.resolve("agent.conf");
        Files.writeString(conf, "agent.port = 2190\nagent.keyFile = mirror.key\nagent.hungAfterMs = 4000\n" +
            "member.node-a = bulwark.conf\n");
        final AgentCommand.Setup setup = AgentCommand.setup(AgentCommand.settings(
            new String[] {"--config", conf.toString(), "--port", "2191", "--log-dir", dir.resolve("logs").toString()}));
        assertEquals(2191, setup.config().port());
        assertEquals(4000, setup.config().hungAfterMs());
        assertEquals(dir.resolve("mirror.key").toAbsolutePath(), setup.config().keyFile());
        assertEquals(dir.resolve("data").toAbsolutePath(), setup.config().member("node-a").dataDirectory());
        assertEquals(dir.resolve("jrn").toAbsolutePath(), setup.config().member("node-a").journalDirectory());
        assertEquals(dir.resolve("logs"), setup.logDirectory());
    }

    @Test
    void theAgentServesUntilItIsToldToStopAndLogsToAgentLog() throws Exception
    {
        final Path memberConfig = CliRun.memberConfig(dir);
        final ByteArrayOutputStream console = new ByteArrayOutputStream();
        final AgentCommand command = new AgentCommand(new PrintStream(console, true, StandardCharsets.UTF_8),
            new PrintStream(console, true, StandardCharsets.UTF_8));
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread agent = new Thread(() -> exit.set(command.run(new String[] {"--bind", "127.0.0.1", "--port", "0",
            "--key", keyFileUnchecked().toString(), "--member", "node-a=" + memberConfig})));
        agent.start();
        try
        {
            Conditions.await(() -> command.port() > 0 || !agent.isAlive(), () -> "listening: " + console);
            try (AgentClient client = AgentClient.connect("127.0.0.1", command.port(), "node-b",
                MirrorKey.load(keyFile()), 10_000))
            {
                assertEquals(MemberLiveness.DOWN, client.status("node-a").liveness());
            }
        }
        finally
        {
            command.requestStop();
            agent.join(10_000);
        }
        assertEquals(BulwarkCli.EXIT_OK, exit.get(), console.toString(StandardCharsets.UTF_8));
        final String log = Files.readString(dir.resolve("data").resolve(AgentCommand.LOG_FILE_NAME));
        assertTrue(log.contains("[AGENT] agent listening on 127.0.0.1:") && log.contains("authenticated node-b") &&
            log.contains("agent stopped"), log);
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("agent ready"), console.toString());
    }

    private Path keyFileUnchecked()
    {
        try
        {
            return keyFile();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
