package org.bulwark.server;

import org.bulwark.common.log.MessageLog;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bulwark.replication.agent.ForcedDownMarker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bulwark start [--wait S]} (SPEC V-1): start the member as a daemon — a detached child JVM
 * running {@code bulwark run} with the same JVM flags and class path, its output appended to
 * {@code console.log} next to messages.log — and wait until it is ready ({@code bulwark.pid}
 * written after recovery) or has failed, then say which. Refused if the data directory is
 * already open (naming the pid).
 */
final class StartCommand
{
    static final String CONSOLE_LOG = "console.log";
    static final long WAIT_DEFAULT_SECONDS = 120;
    private static final long POLL_MS = 50;
    private static final int FAILURE_LINES = 12;

    private final PrintStream out;
    private final PrintStream err;

    StartCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    static Path consoleLog(final InstanceConfig config)
    {
        return config.logDirectory().resolve(CONSOLE_LOG);
    }

    int run(final BulwarkCli.Options options, final InstanceConfig config) throws Exception
    {
        final long waitSeconds = DaemonArguments.seconds(options.arguments, "--wait", WAIT_DEFAULT_SECONDS);
        final Path dataDirectory = config.dataDirectory().toAbsolutePath();
        final long holder = DataDirectoryLock.holder(dataDirectory);
        if (holder >= 0)
        {
            err.println("bulwark start: refused: data directory " + dataDirectory + " is in use by pid " + holder +
                " (bulwark status tells more)");
            return BulwarkCli.EXIT_FAILED;
        }
        if (ForcedDownMarker.exists(dataDirectory))
        {
            // An operator starting the member is what a forced-down member waits for (SPEC M-9).
            final ForcedDownMarker marker = ForcedDownMarker.read(dataDirectory);
            ForcedDownMarker.clear(dataDirectory);
            out.println("bulwark start: this member was forced down" + (null == marker ? "" : " at " + marker.time() +
                " (" + marker.reason() + ", asked by " + marker.requestedBy() + ")") + "; starting it as asked");
        }
        Files.deleteIfExists(dataDirectory.resolve(StopCommand.NO_FAILOVER_FILE)); // a stop that did not complete
        final Path pidFile = PidFile.path(dataDirectory);
        Files.deleteIfExists(pidFile); // left by a member that did not shut down cleanly
        final Path messages = config.logDirectory().resolve(MessageLog.FILE_NAME).toAbsolutePath();
        final long messagesFrom = Files.exists(messages) ? Files.size(messages) : 0;
        final Path console = consoleLog(config).toAbsolutePath();
        Files.createDirectories(console.getParent());
        final Process child = new ProcessBuilder(command(options, config))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final PidFile ready = Files.exists(pidFile) ? PidFile.read(pidFile) : null;
            if (null != ready && ready.pid() == child.pid())
            {
                out.println("bulwark started: pid " + child.pid() + ", data " + dataDirectory);
                out.println("logs: " + messages + " and " + console);
                return BulwarkCli.EXIT_OK;
            }
            if (child.waitFor(POLL_MS, TimeUnit.MILLISECONDS))
            {
                err.println("bulwark start: the member did not start (exit code " + child.exitValue() + ").");
                printTail(messages, messagesFrom, "messages.log");
                printTail(console, 0, "console.log");
                return BulwarkCli.EXIT_FAILED;
            }
        }
        err.println("bulwark start: pid " + child.pid() + " is not ready after " + waitSeconds + " s (recovery may " +
            "take long): it goes on starting; see " + messages + " and bulwark status");
        return BulwarkCli.EXIT_FAILED;
    }

    /**
     * The child: this JVM's java, flags and class path, detached from the terminal by setsid where
     * there is one (so a closing terminal's SIGHUP does not reach the member).
     */
    private static List<String> command(final BulwarkCli.Options options, final InstanceConfig config)
    {
        final List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid")))
        {
            command.add("/usr/bin/setsid");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!flag.startsWith("-agentlib:jdwp") && !flag.startsWith("-Xrunjdwp"))
            {
                command.add(flag);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BulwarkCli.class.getName());
        command.add("run");
        final Path configFile = effectiveConfigFile(options);
        if (null != configFile)
        {
            command.add("--config");
            command.add(configFile.toAbsolutePath().toString());
        }
        if (null != options.dataDirectory || null == configFile)
        {
            // Absolute: the child's working directory is this one, but the pid file names the directory.
            command.add("--data");
            command.add(config.dataDirectory().toAbsolutePath().toString());
        }
        if (options.skipRecovery)
        {
            command.add("--skip-recovery");
        }
        return command;
    }

    /**
     * @return the configuration file {@link BulwarkCli.Options#config()} reads, or null for defaults.
     */
    static Path effectiveConfigFile(final BulwarkCli.Options options)
    {
        if (null != options.configFile)
        {
            return options.configFile;
        }
        final Path defaultFile = Path.of("bulwark.conf");
        return null == options.dataDirectory && Files.exists(defaultFile) ? defaultFile : null;
    }

    private void printTail(final Path file, final long from, final String name) throws IOException
    {
        if (!Files.exists(file))
        {
            return;
        }
        final String text = Files.readString(file, StandardCharsets.UTF_8);
        final String[] lines = text.substring((int)Math.min(from, text.length())).split("\n");
        final int first = Math.max(0, lines.length - FAILURE_LINES);
        err.println("--- " + name + " (" + file + "), last lines:");
        for (int i = first; i < lines.length; i++)
        {
            if (!lines[i].isBlank())
            {
                err.println(lines[i]);
            }
        }
    }
}
