package org.bulwark.server;

import org.bulwark.common.log.MessageLog;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code bulwark stop [--timeout S] [--nofailover]} (SPEC V-1): graceful shutdown of the member
 * that holds the data directory — SIGTERM, whose shutdown hook closes the instance (journal synced,
 * last cycle written, WIJ clean) — then wait for the process to exit, at most {@code --timeout}
 * seconds, and report whether messages.log says it shut down cleanly. {@code --nofailover} keeps a
 * mirror's backup from taking over (SPEC M-12): it leaves a marker the stopping member reads.
 */
final class StopCommand
{
    static final long TIMEOUT_DEFAULT_SECONDS = 660;
    /** Left in the data directory by {@code stop --nofailover}: the stopping primary asks no backup to take over. */
    static final String NO_FAILOVER_FILE = "stop-nofailover";

    private final PrintStream out;
    private final PrintStream err;

    StopCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    int run(final BulwarkCli.Options options, final InstanceConfig config) throws Exception
    {
        final long timeoutSeconds = DaemonArguments.seconds(options.arguments, "--timeout", TIMEOUT_DEFAULT_SECONDS);
        final Path dataDirectory = config.dataDirectory().toAbsolutePath();
        final long pid = DataDirectoryLock.holder(dataDirectory);
        if (pid < 0)
        {
            out.println("bulwark stop: no member is running on " + dataDirectory);
            return BulwarkCli.EXIT_OK;
        }
        final PidFile ready = PidFile.read(PidFile.path(dataDirectory));
        if (null == ready || ready.pid() != pid)
        {
            err.println("bulwark stop: pid " + pid + " holds " + dataDirectory + " but is not a running member " +
                "(a tool such as integrity or restore, or a member still starting); not stopped");
            return BulwarkCli.EXIT_FAILED;
        }
        final Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty())
        {
            err.println("bulwark stop: pid " + pid + " holds " + dataDirectory + " but is not visible to this user");
            return BulwarkCli.EXIT_FAILED;
        }
        final Path messages = config.logDirectory().resolve(MessageLog.FILE_NAME).toAbsolutePath();
        final long messagesFrom = Files.size(messages);
        if (options.arguments.contains("--nofailover"))
        {
            Files.writeString(dataDirectory.resolve(NO_FAILOVER_FILE), "bulwark stop --nofailover at " +
                java.time.Instant.now() + "\n", StandardCharsets.UTF_8);
        }
        if (!process.get().destroy())
        {
            err.println("bulwark stop: could not signal pid " + pid);
            return BulwarkCli.EXIT_FAILED;
        }
        try
        {
            process.get().onExit().get(timeoutSeconds, TimeUnit.SECONDS);
        }
        catch (final TimeoutException ex)
        {
            err.println("bulwark stop: pid " + pid + " is still shutting down after " + timeoutSeconds + " s; see " +
                messages + " (stop again to wait longer)");
            return BulwarkCli.EXIT_FAILED;
        }
        final String since = Files.readString(messages, StandardCharsets.UTF_8);
        if (since.substring((int)Math.min(messagesFrom, since.length())).contains("shut down cleanly"))
        {
            out.println("bulwark stopped: pid " + pid + " shut down cleanly (data " + dataDirectory + ")");
            return BulwarkCli.EXIT_OK;
        }
        err.println("bulwark stop: pid " + pid + " exited without a clean shutdown in " + messages + "; the next " +
            "start recovers");
        return BulwarkCli.EXIT_FAILED;
    }
}
