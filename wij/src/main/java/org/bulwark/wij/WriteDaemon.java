package org.bulwark.wij;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.bulwark.store.LatchTimeoutException;
import org.bulwark.store.MountedDatabase;
import org.bulwark.store.SealedCycle;
import org.bulwark.store.Store;
import org.bulwark.store.block.BlockFile;
import org.bulwark.common.log.MessageLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The write daemon (SPEC W-1, W-2): in cycles, by interval or when enough of the buffer pool is
 * dirty, it takes the store's changed blocks and writes them with the two-phase protocol:
 *
 * <ol>
 *   <li>phase 1: the cycle descriptor and every image to the WIJ, synced; then the header with the
 *   active flag (state ACTIVE), synced;</li>
 *   <li>phase 2: every image to its block file, each file synced; then the header with the flag
 *   cleared (state COMPLETE), synced.</li>
 * </ol>
 *
 * A block therefore reaches its block file only after the same image is durable in the WIJ, and
 * a crash at any point leaves either the old blocks (flag not durable) or a WIJ from which
 * recovery restores the new ones. An I/O error stops the daemon and makes the store refuse
 * updates (the blocks stay in the pool; nothing acknowledged is reported durable).
 */
public final class WriteDaemon implements Agent
{
    private static final int MAX_GATHER = 1024;
    private static final String SUBSYSTEM = "WIJ";

    private final Store store;
    private final WijFile wij;
    private final WijConfig config;
    private final MessageLog log;
    private final WriteDaemonProbe probe;
    private final NanoClock clock;
    private final CycleDescriptor descriptor = new CycleDescriptor();
    private final ExpandableDirectByteBuffer descriptorBuffer = new ExpandableDirectByteBuffer(64 * 1024);
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private final boolean[] syncNeeded = new boolean[WijHeader.MAX_DATASETS];
    private final WijHeader header = new WijHeader();
    private static final long CYCLE_TIME_MAX_US = TimeUnit.MINUTES.toMicros(10);
    private final Histogram cycleTimeUs = new Histogram(CYCLE_TIME_MAX_US, 3);
    // The same times for one reader on another thread (metrics): wait-free, allocation-free recording.
    private final Recorder cycleTimeRecorderUs = new Recorder(CYCLE_TIME_MAX_US, 3);
    private final int dirtyThresholdBlocks;
    private final long intervalNs;

    private static final int IDLE = 0;
    private static final int CYCLING = 1;
    private static final int STOPPED = 2;

    /** The agent's duty cycle runs a cycle only from IDLE; stopping waits for IDLE, then holds STOPPED. */
    private final AtomicInteger agentState = new AtomicInteger();
    private volatile boolean flushRequested;
    private volatile String failure;
    private long nextCycleNs;
    private long cycleNumber;
    private volatile long checkpoint = -1;
    private volatile long checkpointOldestOpen = -1;
    // One cycle at a time writes these; volatile so that metrics may read them from any thread.
    private volatile long cycles;
    private volatile long blocksWritten;
    private long bytesWritten;
    private long lastCycleNs;
    private long lastPhase1Ns;
    private long lastPhase2Ns;
    private long nextSummaryNs;
    private long summaryCycles;
    private long summaryBlocks;
    private long summaryMaxNs;

    /**
     * @param wij   the open WIJ after recovery, or null when the WIJ is disabled (tests only).
     * @param probe crash-test hooks, {@link WriteDaemonProbe#NONE} in production.
     */
    public WriteDaemon(
        final Store store,
        final WijFile wij,
        final WijConfig config,
        final MessageLog log,
        final WriteDaemonProbe probe,
        final NanoClock clock)
    {
        this.store = store;
        this.wij = wij;
        this.config = config;
        this.log = log;
        this.probe = probe;
        this.clock = clock;
        this.dirtyThresholdBlocks = Math.max(1,
            (int)((long)store.poolFrameCount() * config.dirtyThresholdPercent() / 100));
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(config.cycleIntervalMs());
        if (null != wij)
        {
            header.copyFrom(wij.header());
            cycleNumber = header.cycleNumber;
        }
        final long nowNs = clock.nanoTime();
        nextCycleNs = nowNs + intervalNs;
        nextSummaryNs = nowNs + TimeUnit.MILLISECONDS.toNanos(config.summaryIntervalMs());
        store.flushRequester(this::requestFlush);
    }

    @Override
    public String roleName()
    {
        return "bulwark-write-daemon";
    }

    /**
     * Ask for a cycle as soon as possible (called by updates waiting for buffer frames).
     */
    public void requestFlush()
    {
        flushRequested = true;
    }

    @Override
    public int doWork()
    {
        if (null != failure)
        {
            return 0;
        }
        final long nowNs = clock.nanoTime();
        final int dirty = store.dirtyBlockCount();
        if (flushRequested || dirty >= dirtyThresholdBlocks || (nowNs - nextCycleNs >= 0 && dirty > 0))
        {
            if (!agentState.compareAndSet(IDLE, CYCLING))
            {
                return 0; // stopped: the caller of stopCycling() writes what is left
            }
            try
            {
                flushRequested = false;
                runCycleOrFail(nowNs);
            }
            finally
            {
                agentState.set(IDLE);
            }
            return 1;
        }
        if (nowNs - nextCycleNs >= 0)
        {
            nextCycleNs = nowNs + intervalNs;
        }
        if (nowNs - nextSummaryNs >= 0)
        {
            logSummary(nowNs);
        }
        return 0;
    }

    /**
     * Stop starting cycles on the agent's thread, waiting for a cycle in progress to end, so that a
     * shutdown never interrupts one (a thread interrupted in file I/O closes the file).
     *
     * @return false if a cycle was still running after the timeout.
     */
    public boolean stopCycling(final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!agentState.compareAndSet(IDLE, STOPPED))
        {
            if (agentState.get() == STOPPED)
            {
                return true;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    /**
     * Let the agent's thread start cycles again after {@link #stopCycling(long)}.
     */
    public void resumeCycling()
    {
        agentState.compareAndSet(STOPPED, IDLE);
    }

    /**
     * Run one cycle now, on the caller's thread (tests, shutdown). Must not run concurrently with
     * the agent's own duty cycle: stop it first ({@link #stopCycling(long)}) if it runs.
     *
     * @return blocks written.
     */
    public int runCycle() throws IOException
    {
        return cycle(clock.nanoTime());
    }

    /**
     * Write cycles until no block is dirty: every change made before the call is then in the
     * block files.
     */
    public void flushAll() throws IOException
    {
        for (int i = 0; i < 1_000 && store.dirtyBlockCount() > 0; i++)
        {
            runCycle();
        }
        if (store.dirtyBlockCount() > 0)
        {
            throw new IOException("blocks still dirty after 1000 write daemon cycles");
        }
    }

    /**
     * Flush everything and mark the WIJ as cleanly shut down, so that the next start knows no
     * comparison is needed (SPEC W-7).
     */
    public void shutdown() throws IOException
    {
        if (null != failure)
        {
            log.severe(SUBSYSTEM, "shutdown after a write daemon failure: the WIJ is left as it is for recovery");
            return;
        }
        flushAll();
        logSummary(clock.nanoTime());
        if (null != wij)
        {
            header.cleanShutdown = true;
            wij.writeHeader(header);
            log.info(SUBSYSTEM, "clean shutdown: " + cycles + " cycles, " + blocksWritten + " blocks, " +
                (bytesWritten >> 10) + " KiB written; WIJ state " + WijHeader.stateName(header.state));
        }
    }

    /**
     * @return why the daemon stopped, or null while it works.
     */
    public String failure()
    {
        return failure;
    }

    /**
     * @return the journal position up to which the block files are complete, as of the last cycle
     * this daemon completed; -1 before its first cycle (recovery's checkpoint holds until then).
     */
    public long checkpoint()
    {
        return checkpoint;
    }

    /**
     * @return where the oldest transaction open at {@link #checkpoint()} began, or -1 if none was.
     * Recovery reads the journal from there, so it must be kept as well.
     */
    public long checkpointOldestOpen()
    {
        return checkpointOldestOpen;
    }

    public long cycles()
    {
        return cycles;
    }

    public long blocksWritten()
    {
        return blocksWritten;
    }

    public long bytesWritten()
    {
        return bytesWritten;
    }

    public long lastCycleNs()
    {
        return lastCycleNs;
    }

    /**
     * @return phase 1 of the last cycle: descriptor and images written to the WIJ and synced, flag set.
     */
    public long lastPhase1Ns()
    {
        return lastPhase1Ns;
    }

    /**
     * @return phase 2 of the last cycle: block files written and synced, flag cleared.
     */
    public long lastPhase2Ns()
    {
        return lastPhase2Ns;
    }

    /**
     * @return cycle times in microseconds (read on the daemon's thread or when it is stopped).
     */
    public Histogram cycleTimeUs()
    {
        return cycleTimeUs;
    }

    /**
     * @return the time of each whole two-phase cycle in microseconds, for one reader on any thread
     * (it takes interval histograms while cycles go on).
     */
    public Recorder cycleTimeRecorderUs()
    {
        return cycleTimeRecorderUs;
    }

    private void runCycleOrFail(final long nowNs)
    {
        try
        {
            cycle(nowNs);
        }
        catch (final IOException | RuntimeException ex)
        {
            // Refuse updates first: whoever sees the failure must find the store refusing.
            store.fail("the write daemon failed: " + ex.getMessage());
            log.fatal(SUBSYSTEM, "write daemon failed in cycle " + cycleNumber + ": " + ex +
                "; updates are refused, changed blocks stay in memory, restart to recover from the WIJ");
            failure = ex.toString();
        }
    }

    private int cycle(final long nowNs) throws IOException
    {
        nextCycleNs = nowNs + intervalNs;
        final SealedCycle sealed;
        try
        {
            sealed = store.seal(TimeUnit.MILLISECONDS.toNanos(config.sealTimeoutMs()));
        }
        catch (final LatchTimeoutException ex)
        {
            // Nothing was sealed, so nothing is lost: try again at the next duty cycle.
            log.warning(SUBSYSTEM, "cycle postponed: " + ex.getMessage());
            return 0;
        }
        final int count = sealed.blockCount();
        if (0 == count)
        {
            store.complete(sealed);
            return 0;
        }
        final long startNs = clock.nanoTime();
        cycleNumber++;
        probe.at(WriteDaemonProbe.Point.SEALED, cycleNumber, sealed.sealedUpdateSequence());
        store.awaitJournal(sealed); // write-ahead: the journal first, then the blocks
        final List<MountedDatabase> databases = store.databases();
        long bytes = 0;
        for (int i = 0; i < count; i++)
        {
            bytes += sealed.imageSizeBytes(i);
        }

        long phase1Ns = 0;
        if (null != wij)
        {
            phase1(sealed, databases, bytes);
            phase1Ns = clock.nanoTime() - startNs;
        }
        final long phase2StartNs = clock.nanoTime();
        phase2(sealed, databases);
        if (null != wij)
        {
            header.state = WijHeader.STATE_COMPLETE;
            header.clearPending();
            wij.writeHeader(header);
        }
        probe.at(WriteDaemonProbe.Point.COMPLETE, cycleNumber, sealed.sealedUpdateSequence());
        checkpointOldestOpen = sealed.oldestOpenTransaction();
        checkpoint = sealed.sealedUpdateSequence();
        store.complete(sealed);

        final long endNs = clock.nanoTime();
        final long elapsedNs = endNs - startNs;
        lastCycleNs = elapsedNs;
        lastPhase1Ns = phase1Ns;
        lastPhase2Ns = endNs - phase2StartNs;
        final long elapsedUs = Math.min(CYCLE_TIME_MAX_US, elapsedNs / 1_000);
        cycleTimeUs.recordValue(elapsedUs);
        cycleTimeRecorderUs.recordValue(elapsedUs);
        cycles = cycles + 1;
        blocksWritten = blocksWritten + count;
        bytesWritten += bytes;
        summaryCycles++;
        summaryBlocks += count;
        summaryMaxNs = Math.max(summaryMaxNs, elapsedNs);
        if (elapsedNs >= TimeUnit.MILLISECONDS.toNanos(config.slowCycleMs()))
        {
            log.warning(SUBSYSTEM, String.format("slow cycle %d: %d blocks, %.1f MiB, phase 1 %.1f ms, phase 2 %.1f ms",
                cycleNumber, count, bytes / 1048576.0, phase1Ns / 1e6, (endNs - phase2StartNs) / 1e6));
        }
        return count;
    }

    /**
     * Descriptor and images to the WIJ, durable; then the active flag, durable.
     */
    private void phase1(final SealedCycle sealed, final List<MountedDatabase> databases, final long imageBytes)
        throws IOException
    {
        final int count = sealed.blockCount();
        descriptor.reset(cycleNumber);
        for (int i = 0; i < count; i++)
        {
            final MountedDatabase db = databases.get(sealed.databaseIndex(i));
            descriptor.addDataset(db.index(), db.blockSizeBytes(), db.uid(),
                db.directory().toAbsolutePath().toString());
        }
        // The record table's size is known before the images' offsets are: compute it first.
        int descriptorLength = CycleDescriptor.HEADER_LENGTH + count * CycleDescriptor.RECORD_LENGTH;
        for (int d = 0; d < descriptor.datasetCount(); d++)
        {
            descriptorLength += 18 + descriptor.datasetPath(d).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        final long imagesStart = WijFile.imagesStart(descriptorLength);
        long offset = imagesStart;
        for (int i = 0; i < count; i++)
        {
            final int blockSize = sealed.imageSizeBytes(i);
            final int crc = Crc32c.INSTANCE.compute(sealed.imageAddress(i), 0, blockSize);
            descriptor.addRecord(sealed.databaseIndex(i), sealed.blockNumber(i), offset, crc);
            offset += blockSize;
        }
        final int encoded = descriptor.encode(descriptorBuffer);
        assert encoded == descriptorLength : encoded + " != " + descriptorLength;
        final long dataEnd = imagesStart + imageBytes;
        wij.ensureAllocated(Math.max(dataEnd, config.targetSizeBytes()));

        final ByteBuffer descriptorView = descriptorBuffer.byteBuffer().duplicate();
        descriptorView.clear().limit(encoded);
        wij.file().write(descriptorView, WijFile.DESCRIPTOR_OFFSET);
        final int half = count / 2;
        writeImages(sealed, 0, half, imagesStart);
        probe.at(WriteDaemonProbe.Point.INSIDE_PHASE_1, cycleNumber, sealed.sealedUpdateSequence());
        writeImages(sealed, half, count, descriptor.recordOffset(half));
        wij.file().sync(org.bulwark.common.io.SyncLevel.DATA);
        probe.at(WriteDaemonProbe.Point.AFTER_PHASE_1, cycleNumber, sealed.sealedUpdateSequence());

        header.state = WijHeader.STATE_ACTIVE;
        header.cleanShutdown = false;
        header.cycleNumber = cycleNumber;
        header.recordCount = count;
        header.descriptorOffset = WijFile.DESCRIPTOR_OFFSET;
        header.descriptorLength = encoded;
        header.descriptorCrc = Crc32c.INSTANCE.compute(descriptorBuffer.addressOffset(), 0, encoded);
        header.dataEnd = dataEnd;
        header.sealedUpdateSequence = sealed.sealedUpdateSequence();
        header.oldestOpenTransaction = sealed.oldestOpenTransaction();
        header.clearPending();
        for (int d = 0; d < descriptor.datasetCount(); d++)
        {
            header.pending(descriptor.datasetIndex(d), true);
        }
        wij.writeHeader(header);
        probe.at(WriteDaemonProbe.Point.ACTIVE_FLAG_SET, cycleNumber, sealed.sealedUpdateSequence());
    }

    /**
     * Images {@code [from, to)} are contiguous in the WIJ from {@code offset}: gathered writes.
     */
    private void writeImages(final SealedCycle sealed, final int from, final int to, final long offset)
        throws IOException
    {
        long position = offset;
        int i = from;
        while (i < to)
        {
            final int n = Math.min(MAX_GATHER, to - i);
            long batchBytes = 0;
            for (int k = 0; k < n; k++)
            {
                gather[k] = sealed.image(i + k);
                batchBytes += gather[k].remaining();
            }
            wij.file().write(gather, 0, n, position);
            position += batchBytes;
            i += n;
        }
    }

    /**
     * Every image to its block file, consecutive blocks in one gathered write; then each file synced.
     */
    private void phase2(final SealedCycle sealed, final List<MountedDatabase> databases) throws IOException
    {
        final int count = sealed.blockCount();
        final int half = count / 2;
        int i = 0;
        while (i < count)
        {
            final int dbIndex = sealed.databaseIndex(i);
            final BlockFile file = databases.get(dbIndex).file();
            syncNeeded[dbIndex] = true;
            final int first = sealed.blockNumber(i);
            int n = 0;
            while (i + n < count && n < MAX_GATHER && sealed.databaseIndex(i + n) == dbIndex &&
                sealed.blockNumber(i + n) == first + n && (i >= half || i + n < half))
            {
                gather[n] = sealed.image(i + n);
                n++;
            }
            file.writeBlocks(first, gather, 0, n);
            i += n;
            if (i == half)
            {
                probe.at(WriteDaemonProbe.Point.INSIDE_PHASE_2, cycleNumber, sealed.sealedUpdateSequence());
            }
        }
        for (final MountedDatabase db : databases)
        {
            if (syncNeeded[db.index()])
            {
                db.file().sync();
                syncNeeded[db.index()] = false;
            }
        }
        probe.at(WriteDaemonProbe.Point.AFTER_PHASE_2, cycleNumber, sealed.sealedUpdateSequence());
    }

    private void logSummary(final long nowNs)
    {
        nextSummaryNs = nowNs + TimeUnit.MILLISECONDS.toNanos(config.summaryIntervalMs());
        if (summaryCycles > 0)
        {
            log.info(SUBSYSTEM, String.format("%d cycles, %d blocks since the last summary; slowest cycle %.1f ms, " +
                "median %d us, p99 %d us over %d cycles", summaryCycles, summaryBlocks, summaryMaxNs / 1e6,
                cycleTimeUs.getValueAtPercentile(50), cycleTimeUs.getValueAtPercentile(99), cycles));
        }
        summaryCycles = 0;
        summaryBlocks = 0;
        summaryMaxNs = 0;
    }
}
