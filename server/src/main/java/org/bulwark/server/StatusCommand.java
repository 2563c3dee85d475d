package org.bulwark.server;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code bulwark status} (SPEC V-1): whether a member runs on the data directory, with LSB exit
 * codes: 0 running (pid, uptime, data directory, services), 3 not running, 4 unknown (the
 * directory is held by a tool, or a member is still recovering).
 */
final class StatusCommand
{
    static final int EXIT_RUNNING = 0;
    static final int EXIT_STOPPED = 3;
    static final int EXIT_UNKNOWN = 4;

    private final PrintStream out;

    StatusCommand(final PrintStream out)
    {
        this.out = out;
    }

    int run(final InstanceConfig config) throws Exception
    {
        final Path dataDirectory = config.dataDirectory().toAbsolutePath();
        final long pid = DataDirectoryLock.holder(dataDirectory);
        final PidFile ready = PidFile.read(PidFile.path(dataDirectory));
        if (pid < 0)
        {
            out.println("bulwark is stopped (data " + dataDirectory + ")" + (null == ready ? "" :
                "; the last run, pid " + ready.pid() + ", did not shut down cleanly: the next start recovers"));
            return EXIT_STOPPED;
        }
        if (null == ready || ready.pid() != pid)
        {
            out.println("bulwark: data " + dataDirectory + " is held by pid " + pid + ", which is not a ready member " +
                "(still recovering, or a tool such as integrity or backup restore)");
            return EXIT_UNKNOWN;
        }
        final Instant started = ProcessHandle.of(pid).flatMap(p -> p.info().startInstant())
            .orElse(Instant.ofEpochMilli(ready.startedMs()));
        out.println("bulwark is running: pid " + pid + ", up " + uptime(Duration.between(started, Instant.now())) +
            ", data " + dataDirectory);
        if (!ready.config().isEmpty())
        {
            out.println("config: " + ready.config());
        }
        out.println("logs: " + ready.messagesLog() + " and " + ready.consoleLog());
        for (final String service : ready.services())
        {
            out.println("service: " + service);
        }
        return EXIT_RUNNING;
    }

    static String uptime(final Duration duration)
    {
        final long seconds = Math.max(0, duration.getSeconds());
        final long days = seconds / 86_400;
        return (days > 0 ? days + "d " : "") + String.format("%02dh %02dm %02ds", seconds / 3600 % 24,
            seconds / 60 % 60, seconds % 60);
    }
}
