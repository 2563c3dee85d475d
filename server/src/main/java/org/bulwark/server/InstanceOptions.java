package org.bulwark.server;

import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.Severity;
import org.bulwark.wij.RecoveryOptions;
import org.bulwark.wij.WriteDaemonProbe;

import java.io.PrintStream;
import java.util.Objects;
import java.util.Set;

/**
 * How to open an instance: recovery choices of the operator, and the seams tests use (file layer,
 * write daemon probe, whether the daemon runs on its own thread).
 */
public final class InstanceOptions
{
    private RecoveryOptions recovery = RecoveryOptions.NORMAL;
    private FileLayer fileLayer = NioFileLayer.INSTANCE;
    private WriteDaemonProbe probe = WriteDaemonProbe.NONE;
    private boolean daemonThread = true;
    private boolean wijEnabled = true;
    private PrintStream echo;
    private Severity echoThreshold = Severity.WARNING;
    private boolean holdsDirectoryLock;

    public RecoveryOptions recovery()
    {
        return recovery;
    }

    /**
     * SPEC W-7: start without WIJ (and, later, journal) recovery, for restoring a backup.
     */
    public InstanceOptions skipRecovery(final boolean skip)
    {
        recovery = new RecoveryOptions(skip, recovery.skipDatasets());
        return this;
    }

    /**
     * SPEC W-4 override: abandon the WIJ restore of these datasets (names or directories).
     */
    public InstanceOptions skipDatasets(final Set<String> datasets)
    {
        recovery = new RecoveryOptions(recovery.skipRecovery(), Set.copyOf(datasets));
        return this;
    }

    public FileLayer fileLayer()
    {
        return fileLayer;
    }

    public InstanceOptions fileLayer(final FileLayer fileLayer)
    {
        this.fileLayer = Objects.requireNonNull(fileLayer);
        return this;
    }

    public WriteDaemonProbe probe()
    {
        return probe;
    }

    public InstanceOptions probe(final WriteDaemonProbe probe)
    {
        this.probe = Objects.requireNonNull(probe);
        return this;
    }

    public boolean daemonThread()
    {
        return daemonThread;
    }

    /**
     * @param daemonThread false to drive the write daemon from the caller ({@code instance.daemon().runCycle()}).
     */
    public InstanceOptions daemonThread(final boolean daemonThread)
    {
        this.daemonThread = daemonThread;
        return this;
    }

    public boolean wijEnabled()
    {
        return wijEnabled;
    }

    /**
     * Tests and benchmarks only: without the WIJ a crash can tear block files.
     */
    public InstanceOptions wijEnabled(final boolean wijEnabled)
    {
        this.wijEnabled = wijEnabled;
        return this;
    }

    public boolean holdsDirectoryLock()
    {
        return holdsDirectoryLock;
    }

    /**
     * @param holds true if the caller holds the data directory's {@link DataDirectoryLock} across
     *              several opens (a restore between two opens): the instance neither takes nor releases it.
     */
    public InstanceOptions holdsDirectoryLock(final boolean holds)
    {
        this.holdsDirectoryLock = holds;
        return this;
    }

    public PrintStream echo()
    {
        return echo;
    }

    public Severity echoThreshold()
    {
        return echoThreshold;
    }

    /**
     * Copy messages.log lines of at least {@code threshold} to {@code echo} (the console).
     */
    public InstanceOptions echo(final PrintStream echo, final Severity threshold)
    {
        this.echo = echo;
        this.echoThreshold = threshold;
        return this;
    }
}
