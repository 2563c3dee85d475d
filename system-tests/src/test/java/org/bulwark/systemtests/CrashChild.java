package org.bulwark.systemtests;

import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.bulwark.store.StoreSession;
import org.bulwark.wij.WriteDaemonProbe;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of the crash tests (SPEC F-1): opens a member and applies a seeded
 * {@link Workload} as fast as it can until it is killed. On standard output it reports
 * {@code READY}, then for every write daemon cycle {@code SEALED cycle sequence} before phase 1
 * starts and {@code COMPLETE cycle sequence} once the cycle is durable. With a stop point it
 * prints {@code AT point cycle sequence} there, from the given cycle on, and waits to be killed.
 *
 * <p>Arguments: configuration file, seed, stop point ({@code none} or a
 * {@link WriteDaemonProbe.Point}, or {@code NO_CYCLE} to stop after that many operations before any
 * cycle), first cycle to stop in (or the operations for {@code NO_CYCLE}), whether the WIJ is
 * enabled (false only to show that the checks catch what the WIJ prevents).
 */
public final class CrashChild
{
    private CrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path config = Path.of(args[0]);
        final long seed = Long.parseLong(args[1]);
        final String stopAt = args[2];
        final long stopFromCycle = Long.parseLong(args[3]);
        final boolean wijEnabled = Boolean.parseBoolean(args[4]);
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
            "UTF-8");

        final WriteDaemonProbe probe = (point, cycle, sequence) ->
        {
            if (point == WriteDaemonProbe.Point.SEALED || point == WriteDaemonProbe.Point.COMPLETE)
            {
                out.println(point + " " + cycle + " " + sequence);
            }
            if (point.name().equals(stopAt) && cycle >= stopFromCycle)
            {
                out.println("AT " + point + " " + cycle + " " + sequence);
                while (true)
                {
                    LockSupport.parkNanos(1_000_000_000L); // wait for SIGKILL
                }
            }
        };
        final Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions().probe(probe)
            .wijEnabled(wijEnabled));
        final StoreSession session = instance.store().session();
        final Workload workload = new Workload(seed);
        out.println("READY");
        if ("NO_CYCLE".equals(stopAt))
        {
            // Change many blocks, then wait to be killed before any write daemon cycle.
            for (int i = 0; i < stopFromCycle; i++)
            {
                Workload.apply(session, workload.next());
            }
            out.println("AT NO_CYCLE " + instance.store().dirtyBlockCount() + " dirty blocks");
            while (true)
            {
                LockSupport.parkNanos(1_000_000_000L);
            }
        }
        while (true)
        {
            Workload.apply(session, workload.next());
        }
    }
}
