package org.bulwark.replication.agent;

import org.bulwark.replication.MemberStateFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Finds the live process of a member, never a stranger that got its pid after it died.
 *
 * <p>First the pid in {@code mirror-member.state}, accepted only if that process started when the
 * state file says the member's did. Failing that, the pid in {@code bulwark.lock} (the data directory
 * lock a member holds while it runs, before it publishes state: in recovery), accepted only if that
 * process started before the lock was taken. A pid reused by another process fails both checks.
 */
final class MemberProcess
{
    /** Start times come from the same clock on both sides; this only absorbs rounding. */
    static final long START_TOLERANCE_MS = 1_000;
    /** {@code DataDirectoryLock.FILE_NAME} of the server module, which this module cannot see. */
    static final String LOCK_FILE_NAME = "bulwark.lock";

    private MemberProcess()
    {
    }

    /**
     * @param state the member's state file, or null.
     * @return the member's live process, or empty.
     */
    static Optional<ProcessHandle> find(final Path dataDirectory, final MemberStateFile.Snapshot state)
        throws IOException
    {
        if (null != state && state.pid() > 0)
        {
            final Optional<ProcessHandle> process = ProcessHandle.of(state.pid()).filter(MemberProcess::isRunning);
            if (process.isPresent() && startedAt(process.get(), state.processStartMs()))
            {
                return process;
            }
        }
        return lockHolder(dataDirectory);
    }

    /**
     * @return true if the process exists and is not a zombie: a killed process whose parent has not
     *     reaped it yet (init may take seconds) runs nothing and holds no lock, and counts as gone.
     */
    static boolean isRunning(final ProcessHandle process)
    {
        if (!process.isAlive())
        {
            return false;
        }
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"),
                StandardCharsets.US_ASCII);
            final int end = stat.lastIndexOf(')'); // the command name may hold spaces and parentheses
            final char state = end > 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state != 'Z' && state != 'X';
        }
        catch (final NoSuchFileException ex)
        {
            return false; // gone since isAlive
        }
        catch (final IOException ex)
        {
            return process.isAlive(); // no /proc: what the JDK says
        }
    }

    private static boolean startedAt(final ProcessHandle process, final long expectedStartMs)
    {
        final long startMs = MemberStateFile.processStartMs(process);
        return 0 == startMs || 0 == expectedStartMs || Math.abs(startMs - expectedStartMs) <= START_TOLERANCE_MS;
    }

    private static Optional<ProcessHandle> lockHolder(final Path dataDirectory) throws IOException
    {
        final String text;
        try
        {
            text = Files.readString(dataDirectory.resolve(LOCK_FILE_NAME), StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return Optional.empty();
        }
        long pid = -1;
        Instant since = null;
        for (final String line : text.split("\n"))
        {
            try
            {
                if (line.startsWith("pid="))
                {
                    pid = Long.parseLong(line.substring(4).strip());
                }
                else if (line.startsWith("since="))
                {
                    since = Instant.parse(line.substring(6).strip());
                }
            }
            catch (final NumberFormatException | DateTimeParseException ex)
            {
                return Optional.empty(); // being rewritten, or not a member's lock file
            }
        }
        if (pid <= 0 || null == since)
        {
            return Optional.empty();
        }
        final long sinceMs = since.toEpochMilli();
        return ProcessHandle.of(pid).filter(MemberProcess::isRunning).filter(p ->
        {
            final long startMs = MemberStateFile.processStartMs(p);
            return startMs > 0 && startMs <= sinceMs + START_TOLERANCE_MS;
        });
    }
}
