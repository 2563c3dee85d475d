package org.bulwark.server;

import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.journal.JournalConfig;
import org.bulwark.replication.agent.AgentConfig;
import org.bulwark.replication.agent.AgentServer;
import org.bulwark.replication.agent.ServedMember;
import org.bulwark.replication.auth.MirrorKey;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code bulwark agent}: the mirroring agent of this host (SPEC M-3) in the foreground until SIGTERM.
 * Settings come from {@code --config agent.conf} and/or options (options win); each served member is
 * named with its {@code bulwark.conf}, from which its data and journal directories are taken. Logs go
 * to standard output and to {@code agent.log} in the log directory (default: the first member's
 * {@code log.directory}).
 *
 * <pre>
 * agent.conf                     option
 * agent.bind = 0.0.0.0           --bind HOST
 * agent.port = 2188              --port PORT
 * agent.keyFile = mirror.key     --key FILE
 * agent.hungAfterMs = 3000       --hung-after-ms MS
 * agent.forceDownWaitMs = 10000  --force-down-wait-ms MS
 * agent.logDirectory = DIR       --log-dir DIR
 * member.NAME = bulwark.conf     --member NAME=CONFIG_FILE   (one per served member)
 * </pre>
 *
 * Relative paths in agent.conf are relative to its directory.
 */
final class AgentCommand
{
    static final String LOG_FILE_NAME = "agent.log";
    private static final String SUBSYSTEM = "AGENT";

    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile int port = -1;

    AgentCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * @param args the arguments after {@code agent}.
     */
    int run(final String[] args)
    {
        if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0])))
        {
            usage(out);
            return BulwarkCli.EXIT_OK;
        }
        final Setup setup;
        final MirrorKey key;
        try
        {
            setup = setup(settings(args));
            key = MirrorKey.load(setup.config().keyFile());
        }
        catch (final IllegalArgumentException | IOException | InstanceConfig.ConfigException ex)
        {
            err.println("bulwark agent: " + ex.getMessage());
            usage(err);
            return BulwarkCli.EXIT_USAGE;
        }
        try
        {
            return serve(setup.config(), key, setup.logDirectory());
        }
        catch (final IOException ex)
        {
            err.println("bulwark agent: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
    }

    private int serve(final AgentConfig config, final MirrorKey key, final Path logDirectory) throws IOException
    {
        Files.createDirectories(logDirectory);
        final Path logFile = logDirectory.resolve(LOG_FILE_NAME);
        try (OutputStream file = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            PrintStream both = new PrintStream(new Tee(out, file), true, StandardCharsets.UTF_8);
            MessageLog log = MessageLog.console(both, Severity.INFO))
        {
            final Thread hook = new Thread(this::shutdownHook, "bulwark-agent-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try (AgentServer server = AgentServer.start(config, key, log))
            {
                port = server.port();
                log.info(SUBSYSTEM, "agent ready: pid " + ProcessHandle.current().pid() + ", log " +
                    logFile.toAbsolutePath() + "; SIGTERM stops it");
                stopRequested.await();
                log.info(SUBSYSTEM, "stop requested: closing connections");
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                stopped.countDown();
                removeHook(hook);
            }
            return BulwarkCli.EXIT_OK;
        }
    }

    /**
     * @return the port the agent listens on once it does, else -1 (tests).
     */
    int port()
    {
        return port;
    }

    /**
     * What SIGTERM does (tests call it).
     */
    void requestStop()
    {
        stopRequested.countDown();
    }

    private void shutdownHook()
    {
        requestStop();
        try
        {
            stopped.await(10, TimeUnit.SECONDS); // the JVM exits when the hooks end: let the agent close first
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is shutting down: the hook is running
        }
    }

    /**
     * @return the settings from agent.conf (if given) overridden by options, with agent.conf's relative
     *     paths made absolute and member configuration files under {@code member.NAME}.
     */
    static Map<String, String> settings(final String[] args) throws IOException
    {
        final Map<String, String> fromOptions = new LinkedHashMap<>();
        final Map<String, String> members = new LinkedHashMap<>();
        Path configFile = null;
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            switch (option)
            {
                case "--config":
                    configFile = Path.of(value(args, ++i, option));
                    break;
                case "--bind":
                    fromOptions.put("agent.bind", value(args, ++i, option));
                    break;
                case "--port":
                    fromOptions.put("agent.port", value(args, ++i, option));
                    break;
                case "--key":
                    fromOptions.put("agent.keyFile", value(args, ++i, option));
                    break;
                case "--hung-after-ms":
                    fromOptions.put("agent.hungAfterMs", value(args, ++i, option));
                    break;
                case "--force-down-wait-ms":
                    fromOptions.put("agent.forceDownWaitMs", value(args, ++i, option));
                    break;
                case "--log-dir":
                    fromOptions.put("agent.logDirectory", value(args, ++i, option));
                    break;
                case "--member":
                {
                    final String member = value(args, ++i, option);
                    final int eq = member.indexOf('=');
                    if (eq <= 0 || eq == member.length() - 1)
                    {
                        throw new IllegalArgumentException("--member '" + member + "': expected NAME=CONFIG_FILE");
                    }
                    if (null != members.put("member." + member.substring(0, eq), member.substring(eq + 1)))
                    {
                        throw new IllegalArgumentException("--member " + member.substring(0, eq) + " given twice");
                    }
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown " + (option.startsWith("-") ? "option" : "argument") +
                        " '" + option + "'");
            }
        }
        final Map<String, String> settings = null == configFile ? new LinkedHashMap<>() : load(configFile);
        settings.putAll(fromOptions);
        settings.putAll(members);
        return settings;
    }

    private static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return args[i];
    }

    /**
     * Read agent.conf: {@code key = value} lines, # comments.
     */
    static Map<String, String> load(final Path file) throws IOException
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException("agent configuration " + file + " does not exist");
        }
        final Path base = file.toAbsolutePath().getParent();
        final Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int eq = line.indexOf('=');
            final String where = file + " line " + (i + 1);
            if (eq <= 0)
            {
                throw new IllegalArgumentException(where + ": expected 'key = value', found '" + line + "'");
            }
            final String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            final boolean isPath = key.equals("agent.keyFile") || key.equals("agent.logDirectory") ||
                key.startsWith("member.");
            if (!isPath && !List.of("agent.bind", "agent.port", "agent.hungAfterMs", "agent.forceDownWaitMs")
                .contains(key))
            {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "' (agent.bind, agent.port, " +
                    "agent.keyFile, agent.hungAfterMs, agent.forceDownWaitMs, agent.logDirectory, member.NAME)");
            }
            if (value.isEmpty())
            {
                throw new IllegalArgumentException(where + ": key '" + key + "' has no value");
            }
            if (isPath)
            {
                value = base.resolve(value).toString();
            }
            if (null != settings.put(key, value))
            {
                throw new IllegalArgumentException(where + ": key '" + key + "' is set twice");
            }
        }
        return settings;
    }

    /**
     * What the agent runs with.
     *
     * @param logDirectory where agent.log goes.
     */
    record Setup(AgentConfig config, Path logDirectory)
    {
    }

    static Setup setup(final Map<String, String> settings) throws IOException, InstanceConfig.ConfigException
    {
        final AgentConfig config = new AgentConfig();
        if (settings.containsKey("agent.bind"))
        {
            config.bindHost(settings.get("agent.bind"));
        }
        config.port((int)number(settings, "agent.port", AgentConfig.DEFAULT_PORT, 0, 65_535)); // 0: any free port
        config.hungAfterMs(number(settings, "agent.hungAfterMs", AgentConfig.DEFAULT_HUNG_AFTER_MS, 1, 3_600_000));
        config.forceDownWaitMs(number(settings, "agent.forceDownWaitMs", AgentConfig.DEFAULT_FORCE_DOWN_WAIT_MS, 1,
            3_600_000));
        if (settings.containsKey("agent.keyFile"))
        {
            config.keyFile(Path.of(settings.get("agent.keyFile")));
        }
        final List<Path> logDirectories = new ArrayList<>();
        for (final Map.Entry<String, String> entry : settings.entrySet())
        {
            if (!entry.getKey().startsWith("member."))
            {
                continue;
            }
            final String name = entry.getKey().substring("member.".length());
            final Path memberConfig = Path.of(entry.getValue());
            if (!Files.isRegularFile(memberConfig))
            {
                throw new IllegalArgumentException("member " + name + ": configuration file " + memberConfig +
                    " does not exist");
            }
            final InstanceConfig instance = InstanceConfig.load(memberConfig);
            final JournalConfig journal = instance.journalConfig();
            config.member(new ServedMember(name, instance.dataDirectory().toAbsolutePath(),
                null == journal ? null : journal.directory(), null == journal ? "" : journal.filePrefix()));
            logDirectories.add(instance.logDirectory().toAbsolutePath());
        }
        config.validate();
        return new Setup(config, settings.containsKey("agent.logDirectory") ?
            Path.of(settings.get("agent.logDirectory")) : logDirectories.get(0));
    }

    private static long number(final Map<String, String> settings, final String key, final long fallback,
        final long min, final long max)
    {
        final String text = settings.get(key);
        if (null == text)
        {
            return fallback;
        }
        try
        {
            final long value = Long.parseLong(text.strip());
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(key + " " + value + " is outside " + min + ".." + max);
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + " '" + text + "' is not a whole number");
        }
    }

    static void usage(final PrintStream out)
    {
        out.println("usage: bulwark agent --key FILE --member NAME=CONFIG_FILE [--member ...] [--port PORT]");
        out.println("           [--bind HOST] [--hung-after-ms MS] [--force-down-wait-ms MS] [--log-dir DIR]");
        out.println("       bulwark agent --config agent.conf [options that override it]");
        out.println("  the mirroring agent of this host, in the foreground until SIGTERM (docs/agent.md);");
        out.println("  defaults: port " + AgentConfig.DEFAULT_PORT + ", bind " + AgentConfig.DEFAULT_BIND +
            ", hung after " + AgentConfig.DEFAULT_HUNG_AFTER_MS + " ms, log directory: the first member's");
    }

    /**
     * Copies everything to the console and the log file.
     */
    private static final class Tee extends OutputStream
    {
        private final OutputStream first;
        private final OutputStream second;

        Tee(final OutputStream first, final OutputStream second)
        {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(final int b) throws IOException
        {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int length) throws IOException
        {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException
        {
            first.flush();
            second.flush();
        }
    }
}
