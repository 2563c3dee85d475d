package org.bulwark.perf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and context switches of this JVM from Linux's {@code /proc}: user and system time of
 * the process ({@code /proc/self/stat}, in clock ticks of 10 ms) and the voluntary (blocked:
 * park, futex, I/O) and involuntary (preempted) context switches summed over its live threads
 * ({@code /proc/self/task/}*{@code /status}). Read before and after a run, outside the timed
 * part; counts of threads that ended in between are lost, so take both snapshots while the
 * threads of interest are alive. Elsewhere than Linux every figure is -1.
 */
final class ProcessStats
{
    private static final long TICK_NS = 10_000_000L; // USER_HZ = 100 on Linux

    final long userNs;
    final long systemNs;
    final long voluntarySwitches;
    final long involuntarySwitches;

    private ProcessStats(final long userNs, final long systemNs, final long voluntary, final long involuntary)
    {
        this.userNs = userNs;
        this.systemNs = systemNs;
        this.voluntarySwitches = voluntary;
        this.involuntarySwitches = involuntary;
    }

    static ProcessStats read()
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            final long user = Long.parseLong(fields[11]) * TICK_NS; // field 14 of the whole line
            final long system = Long.parseLong(fields[12]) * TICK_NS; // field 15
            long voluntary = 0;
            long involuntary = 0;
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task")))
            {
                for (final Path task : tasks)
                {
                    try
                    {
                        for (final String line : Files.readAllLines(task.resolve("status")))
                        {
                            if (line.startsWith("voluntary_ctxt_switches:"))
                            {
                                voluntary += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                            }
                            else if (line.startsWith("nonvoluntary_ctxt_switches:"))
                            {
                                involuntary += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                            }
                        }
                    }
                    catch (final IOException ex)
                    {
                        // the thread ended meanwhile
                    }
                }
            }
            return new ProcessStats(user, system, voluntary, involuntary);
        }
        catch (final IOException | RuntimeException ex)
        {
            return new ProcessStats(-1, -1, -1, -1);
        }
    }

    /**
     * @return this snapshot minus an earlier one.
     */
    ProcessStats minus(final ProcessStats earlier)
    {
        if (userNs < 0 || earlier.userNs < 0)
        {
            return new ProcessStats(-1, -1, -1, -1);
        }
        return new ProcessStats(userNs - earlier.userNs, systemNs - earlier.systemNs,
            voluntarySwitches - earlier.voluntarySwitches, involuntarySwitches - earlier.involuntarySwitches);
    }
}
