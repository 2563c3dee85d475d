package org.bulwark.systemtests.mirror;

import org.bulwark.replication.agent.ForcedDownMarker;
import org.bulwark.server.BulwarkCli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One failover member of a {@link MirrorPair} and the agent of its host: its directory, configuration
 * and ports, and the processes that run them. A member runs as {@code bulwark run} in a child JVM (so
 * the test can SIGKILL and SIGSTOP it), or, after {@link #operatorStart()}, as the daemon that
 * {@code bulwark start} detached. Every process is handed to the pair, which ends them all at close.
 */
final class MirrorNode
{
    /** A member JVM on two loaded cores may take long to start: the timeout is for a hung start. */
    static final long START_TIMEOUT_MS = 120_000;
    static final long STOP_TIMEOUT_MS = 60_000;
    private static final Pattern STARTED_PID = Pattern.compile("bulwark started: pid (\\d+)");
    private static final String DRIVER_DIRECTORY_PREFIX = "bulwark-mirror-";

    private final String name;
    private final Path directory;
    private final Path dataDirectory;
    private final Path config;
    private final Path keyFile;
    private final String host;
    private final int mirrorPort;
    private final int agentPort;
    private final int respPort;
    private final String namespace;
    private final Consumer<MirrorProcess> owner;
    private final String redisCli;
    private MirrorProcess member;
    private MirrorProcess agent;
    private long agentHungAfterMs = MirrorPair.AGENT_HUNG_AFTER_MS;
    private int launches;

    /**
     * @param namespace the network namespace the member and its agent run in, or null.
     * @param redisCli  the redis-cli to reach a member in a namespace with, or null.
     * @param owner     takes every process started, to end it at the latest when the pair closes.
     */
    MirrorNode(final String name, final Path directory, final Path keyFile, final String host, final int mirrorPort,
        final int agentPort, final int respPort, final String namespace, final String redisCli,
        final Consumer<MirrorProcess> owner)
    {
        this.name = name;
        this.directory = directory;
        this.dataDirectory = directory.resolve("data");
        this.config = directory.resolve("bulwark.conf");
        this.keyFile = keyFile;
        this.host = host;
        this.mirrorPort = mirrorPort;
        this.agentPort = agentPort;
        this.respPort = respPort;
        this.namespace = namespace;
        this.redisCli = redisCli;
        this.owner = owner;
    }

    String name()
    {
        return name;
    }

    String host()
    {
        return host;
    }

    int mirrorPort()
    {
        return mirrorPort;
    }

    int agentPort()
    {
        return agentPort;
    }

    Path dataDirectory()
    {
        return dataDirectory;
    }

    Path config()
    {
        return config;
    }

    /**
     * @return the member's process (the last one started), or null.
     */
    MirrorProcess member()
    {
        return member;
    }

    MirrorProcess agent()
    {
        return agent;
    }

    /**
     * Write the member's configuration: the pair's settings, then this member's own.
     */
    void writeConfig(final List<String> mirrorSettings) throws IOException
    {
        Files.createDirectories(dataDirectory);
        final List<String> lines = new ArrayList<>(List.of(
            "data.directory = " + dataDirectory,
            "pool.size = 8m",
            "journal.fileSize = 8m",
            "journal.bufferSize = 8m",
            "writeDaemon.intervalMs = 200",
            "resp.port = " + respPort,
            "resp.ioThreads = 1",
            "mirror.member = " + name));
        lines.addAll(mirrorSettings);
        lines.add("");
        Files.writeString(config, String.join("\n", lines));
    }

    // ------------------------------------------------------------------ the member

    /**
     * Start the member ({@code bulwark run}) and wait until it serves RESP.
     */
    void start() throws Exception
    {
        launch();
        awaitReady();
    }

    /**
     * Start the member ({@code bulwark run}) without waiting for it.
     */
    void launch() throws Exception
    {
        if (null != member && member.isAlive())
        {
            throw new IllegalStateException(name + " runs already: " + member);
        }
        member = MirrorProcess.startJvm("member " + name, directory.resolve("run-" + (++launches)), launcher(), "256m",
            BulwarkCli.class, "run", "--config", config.toString());
        owner.accept(member);
    }

    /**
     * Wait until the member launched serves RESP.
     */
    void awaitReady() throws Exception
    {
        final String ready;
        try
        {
            ready = member.awaitOutput("member ready", START_TIMEOUT_MS);
        }
        catch (final IllegalStateException ex)
        {
            final ForcedDownMarker marker = ForcedDownMarker.read(dataDirectory);
            throw new IllegalStateException((null == marker ? "" : name + " was forced down while starting (" +
                marker + "). ") + ex.getMessage() + "\nmessages.log:\n" + MirrorProcess.tail(messages(0)), ex);
        }
        if (null == ready)
        {
            throw new IllegalStateException("member " + name + " not ready within " + START_TIMEOUT_MS + " ms; " +
                "messages.log:\n" + MirrorProcess.tail(messages(0)));
        }
    }

    /**
     * Start the member as an operator does, with {@code bulwark start} (which clears a forced-down
     * marker), and adopt the daemon it detaches.
     *
     * @return what {@code bulwark start} printed.
     */
    String operatorStart() throws Exception
    {
        final MirrorProcess start = runCommand("start", "start", "--config", config.toString(), "--wait",
            Long.toString(TimeUnit.MILLISECONDS.toSeconds(START_TIMEOUT_MS)));
        final String output = start.output() + start.errors();
        final Matcher pid = STARTED_PID.matcher(output);
        if (start.exitCode() != 0 || !pid.find())
        {
            throw new IllegalStateException("bulwark start of " + name + " failed (exit " + start.exitCode() + "): " +
                output);
        }
        member = MirrorProcess.adopt("member " + name + " (bulwark start)", Long.parseLong(pid.group(1)),
            dataDirectory.resolve("console.log"));
        owner.accept(member);
        return output;
    }

    /**
     * {@code bulwark stop --nofailover}: a graceful stop that asks no backup to take over.
     *
     * @return what it printed.
     */
    String stopNoFailover() throws Exception
    {
        final MirrorProcess stop = runCommand("stop", "stop", "--nofailover", "--config", config.toString());
        if (stop.exitCode() != 0)
        {
            throw new IllegalStateException("bulwark stop --nofailover of " + name + " failed (exit " +
                stop.exitCode() + "): " + stop.output() + stop.errors());
        }
        awaitMemberExit(STOP_TIMEOUT_MS);
        return stop.output();
    }

    /**
     * A graceful stop, as {@code bulwark stop} makes it (SIGTERM, wait for the clean exit).
     *
     * @return the exit code.
     */
    int stop() throws Exception
    {
        final int code = member.terminate(STOP_TIMEOUT_MS);
        deleteDriverDirectory(member);
        return code;
    }

    /**
     * kill -9 of the member.
     *
     * @return the exit code (137), or -1 for a daemon.
     */
    int kill() throws Exception
    {
        final int code = member.kill();
        deleteDriverDirectory(member);
        return code;
    }

    /**
     * Wait for the member to exit by itself (demoted, refused, forced down).
     *
     * @return the exit code, or {@code Integer.MIN_VALUE} if it still runs.
     */
    int awaitMemberExit(final long timeoutMs) throws Exception
    {
        final int code = member.awaitExit(timeoutMs);
        if (Integer.MIN_VALUE != code)
        {
            deleteDriverDirectory(member);
        }
        return code;
    }

    boolean forcedDown()
    {
        return ForcedDownMarker.exists(dataDirectory);
    }

    // ------------------------------------------------------------------ the agent

    /**
     * @param hungAfterMs the agent's {@code --hung-after-ms} from its next start on.
     */
    void agentHungAfterMs(final long hungAfterMs)
    {
        this.agentHungAfterMs = hungAfterMs;
    }

    void startAgent() throws Exception
    {
        launchAgent();
        awaitAgentReady();
    }

    /**
     * Start the agent without waiting for it.
     */
    void launchAgent() throws Exception
    {
        agent = MirrorProcess.startJvm("agent of " + name, directory.resolve("agent-" + (++launches)), launcher(),
            "96m", BulwarkCli.class, "agent", "--bind", host, "--port", Integer.toString(agentPort), "--key",
            keyFile.toString(), "--member", name + "=" + config, "--log-dir", directory.resolve("agent").toString(),
            "--hung-after-ms", Long.toString(agentHungAfterMs));
        owner.accept(agent);
    }

    /**
     * Wait until the agent launched listens.
     */
    void awaitAgentReady() throws Exception
    {
        if (null == agent.awaitOutput("agent ready", START_TIMEOUT_MS))
        {
            throw new IllegalStateException("the agent of " + name + " is not ready within " + START_TIMEOUT_MS +
                " ms:\n" + MirrorProcess.tail(agent.output()));
        }
    }

    void killAgent() throws Exception
    {
        agent.kill();
    }

    // ------------------------------------------------------------------ messages.log

    /**
     * @return the current end of messages.log: what a wait from here on sees is new.
     */
    long logMark() throws IOException
    {
        final Path file = dataDirectory.resolve("messages.log");
        return Files.exists(file) ? Files.size(file) : 0;
    }

    /**
     * @return messages.log from the byte offset {@code from}.
     */
    String messages(final long from) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(dataDirectory.resolve("messages.log").toFile(), "r"))
        {
            final long length = file.length();
            if (from >= length)
            {
                return "";
            }
            final byte[] bytes = new byte[(int)(length - from)];
            file.seek(from);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        catch (final java.io.FileNotFoundException ex)
        {
            return "";
        }
    }

    /**
     * @return the first line of messages.log after {@code from} that contains {@code text}, or null if
     *     none came within the timeout.
     */
    String awaitLog(final long from, final String text, final long timeoutMs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final String line = findLog(from, text);
            if (null != line)
            {
                return line;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return null;
            }
            Thread.sleep(25);
        }
    }

    /**
     * @return the first line of messages.log after {@code from} that contains {@code text}, or null.
     */
    String findLog(final long from, final String text) throws IOException
    {
        return messages(from).lines().filter(l -> l.contains(text)).findFirst().orElse(null);
    }

    /**
     * @return how many lines of messages.log after {@code from} contain {@code text}.
     */
    long countLog(final long from, final String text) throws IOException
    {
        return messages(from).lines().filter(l -> l.contains(text)).count();
    }

    /**
     * Wait until {@code count} lines of messages.log after {@code from} contain {@code text}.
     *
     * @return true if they did within the timeout.
     */
    boolean awaitLogCount(final long from, final String text, final long count, final long timeoutMs)
        throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (countLog(from, text) < count)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            Thread.sleep(25);
        }
        return true;
    }

    /**
     * @return the [MIRROR] lines after {@code from}, for failure messages.
     */
    String mirrorLog(final long from) throws IOException
    {
        return String.join("\n", messages(from).lines().filter(l -> l.contains("[MIRROR]") ||
            l.contains("[INSTANCE]") || l.contains("[DAEMON]")).toList());
    }

    // ------------------------------------------------------------------ clients

    /**
     * @param replyTimeoutMs how long a call waits for its reply.
     */
    RespClient client(final int replyTimeoutMs)
    {
        if (null == namespace)
        {
            return new JedisRespClient(host, respPort, replyTimeoutMs);
        }
        return new RedisCliRespClient(redisCli, namespace, "127.0.0.1", respPort, replyTimeoutMs);
    }

    // ------------------------------------------------------------------ helpers

    private List<String> launcher()
    {
        return null == namespace ? List.of() : List.of("ip", "netns", "exec", namespace);
    }

    /**
     * Run a {@code bulwark} command to its end.
     */
    private MirrorProcess runCommand(final String what, final String... args) throws Exception
    {
        final MirrorProcess command = MirrorProcess.startJvm(what + " " + name, directory.resolve(what + "-" +
            (++launches)), launcher(), "128m", BulwarkCli.class, args);
        owner.accept(command);
        if (Integer.MIN_VALUE == command.awaitExit(START_TIMEOUT_MS + STOP_TIMEOUT_MS))
        {
            command.kill();
            throw new IllegalStateException("bulwark " + String.join(" ", args) + " did not end: " + command.output());
        }
        return command;
    }

    /**
     * A killed member's Aeron driver leaves its directory behind (hundreds of MB in /dev/shm): remove it.
     */
    static void deleteDriverDirectory(final MirrorProcess process)
    {
        if (process.isAlive())
        {
            return;
        }
        final Path shm = Path.of("/dev/shm");
        final String suffix = "-" + process.pid();
        try (Stream<Path> entries = Files.list(shm))
        {
            for (final Path entry : entries.filter(p -> p.getFileName().toString().startsWith(
                DRIVER_DIRECTORY_PREFIX) && p.getFileName().toString().endsWith(suffix)).toList())
            {
                deleteTree(entry);
            }
        }
        catch (final IOException ex)
        {
            // no /dev/shm: the driver lived under the temporary directory, which the next start sweeps
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                try
                {
                    Files.deleteIfExists(path);
                }
                catch (final NoSuchFileException ex)
                {
                    // gone meanwhile
                }
            }
        }
        catch (final NoSuchFileException ex)
        {
            // nothing to delete
        }
    }

    @Override
    public String toString()
    {
        return "member " + name;
    }
}
