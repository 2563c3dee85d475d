package org.bulwark.probes;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bulwark probe disk DIR} (SPEC P-1): the durable-write latencies of every way a journal can
 * make a write durable, and the sequential bandwidth, measured on temporary files in DIR that are
 * deleted afterwards (also when a measurement fails, and at JVM exit on an interrupt).
 */
public final class DiskProbe
{
    /** Write sizes of the latency variants: a page, and a small record as a lone committer writes. */
    public static final int[] WRITE_SIZES_BYTES = {4096, 256};
    public static final int DEFAULT_OPS = 500;
    public static final long DEFAULT_SIZE_BYTES = 64L << 20;
    /** Room left free on the file system beyond what the probe writes. */
    private static final long SPARE_BYTES = 16L << 20;
    private static final long MAPPED_BYTES = 16L << 20;
    private static final int INTERLEAVED_ROUNDS = 10;

    private final Path directory;
    private final long sizeBytes;
    private final int ops;
    private final DeviceFactsReader deviceFactsReader;

    /**
     * @param sizeBytes the preallocated file and the sequential write are this large.
     * @param ops       measured writes per variant (one in ten more as warm-up).
     */
    public DiskProbe(final Path directory, final long sizeBytes, final int ops, final DeviceFactsReader reader)
    {
        if (sizeBytes < (1 << 20) || ops < 1)
        {
            throw new IllegalArgumentException("size must be at least 1 MB and ops at least 1");
        }
        this.directory = directory;
        this.sizeBytes = sizeBytes;
        this.ops = ops;
        this.deviceFactsReader = reader;
    }

    /**
     * Check the directory, then measure every variant.
     *
     * @throws ProbeException naming the directory when it is missing, not a directory, not writable or
     *                        too full, or when a write fails.
     */
    public DiskProbeResult run() throws ProbeException
    {
        checkDirectory();
        final List<Path> files = new ArrayList<>();
        final Thread cleanUp = new Thread(() -> deleteAll(files), "probe-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try
        {
            final Path preallocated = createTempFile(files, "preallocated");
            final Path appended = createTempFile(files, "append");
            DurableWrites.preallocate(preallocated, sizeBytes);
            final int warmup = Math.max(1, ops / 10);
            final List<DiskProbeResult.Variant> variants = new ArrayList<>();
            for (final int writeBytes : WRITE_SIZES_BYTES)
            {
                for (final SyncMode mode : new SyncMode[]{SyncMode.FSYNC, SyncMode.FDATASYNC, SyncMode.DSYNC})
                {
                    variants.add(new DiskProbeResult.Variant(DiskProbeResult.Shape.APPEND, mode, writeBytes,
                        DurableWrites.append(appended, writeBytes, mode, warmup, ops)));
                }
                final WriteLatency[] overwrites = interleavedOverwrites(preallocated, writeBytes, warmup);
                variants.add(new DiskProbeResult.Variant(DiskProbeResult.Shape.OVERWRITE, SyncMode.FDATASYNC,
                    writeBytes, overwrites[0]));
                variants.add(new DiskProbeResult.Variant(DiskProbeResult.Shape.OVERWRITE, SyncMode.DSYNC,
                    writeBytes, overwrites[1]));
                variants.add(new DiskProbeResult.Variant(DiskProbeResult.Shape.MAPPED, SyncMode.NONE, writeBytes,
                    DurableWrites.mappedForce(preallocated, Math.min(sizeBytes, MAPPED_BYTES), writeBytes, warmup,
                    ops)));
            }
            Files.delete(appended); // give its space back before the sequential write
            final double mibPerSecond = DurableWrites.sequentialMibPerSecond(appended, sizeBytes);
            return new DiskProbeResult(directory, variants, sizeBytes, mibPerSecond,
                deviceFactsReader.read(directory), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        catch (final IOException ex)
        {
            throw new ProbeException("probe in " + directory + " failed: " + ex, ex);
        }
        finally
        {
            deleteAll(files);
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanUp);
            }
            catch (final IllegalStateException ex)
            {
                // already shutting down: the hook deletes the files (again, harmlessly)
            }
        }
    }

    /**
     * The two overwrite variants the recommendation compares, run in alternating rounds rather than
     * one after the other, so that other work on the machine (a build, another member) and drift of
     * the device weigh on both alike instead of deciding the comparison.
     *
     * @return {fdatasync, O_DSYNC}.
     */
    private WriteLatency[] interleavedOverwrites(final Path file, final int writeBytes, final int warmup)
        throws IOException
    {
        final int rounds = Math.min(INTERLEAVED_ROUNDS, ops);
        WriteLatency fdatasync = null;
        WriteLatency dsync = null;
        for (int round = 0; round < rounds; round++)
        {
            final int roundOps = ops / rounds + (round < ops % rounds ? 1 : 0);
            final int roundWarmup = round == 0 ? warmup : 0;
            fdatasync = WriteLatency.merge(fdatasync,
                DurableWrites.overwrite(file, sizeBytes, writeBytes, SyncMode.FDATASYNC, roundWarmup, roundOps));
            dsync = WriteLatency.merge(dsync,
                DurableWrites.overwrite(file, sizeBytes, writeBytes, SyncMode.DSYNC, roundWarmup, roundOps));
        }
        return new WriteLatency[]{fdatasync, dsync};
    }

    /**
     * Bytes the probe needs free: the preallocated file, the growing appends, then the sequential file.
     */
    long neededBytes()
    {
        long appendBytes = 0;
        for (final int writeBytes : WRITE_SIZES_BYTES)
        {
            appendBytes = Math.max(appendBytes, (long)writeBytes * (ops + ops / 10 + 1));
        }
        return sizeBytes + Math.max(appendBytes, sizeBytes) + SPARE_BYTES;
    }

    private void checkDirectory() throws ProbeException
    {
        if (!Files.exists(directory))
        {
            throw new ProbeException("directory " + directory + " does not exist");
        }
        if (!Files.isDirectory(directory))
        {
            throw new ProbeException(directory + " is not a directory");
        }
        if (!Files.isWritable(directory))
        {
            throw new ProbeException("directory " + directory + " is not writable");
        }
        try
        {
            final FileStore store = Files.getFileStore(directory);
            final long usableBytes = store.getUsableSpace();
            if (usableBytes < neededBytes())
            {
                throw new ProbeException("not enough space in " + directory + ": the probe needs " +
                    (neededBytes() >> 20) + " MiB, " + (usableBytes >> 20) + " MiB are free (use --size)");
            }
        }
        catch (final IOException ex)
        {
            throw new ProbeException("cannot read the free space of " + directory + ": " + ex, ex);
        }
    }

    private Path createTempFile(final List<Path> files, final String role) throws ProbeException
    {
        try
        {
            final Path file = Files.createTempFile(directory, "bulwark-probe-" + role + "-", ".tmp");
            synchronized (files)
            {
                files.add(file);
            }
            return file;
        }
        catch (final AccessDeniedException ex)
        {
            throw new ProbeException("directory " + directory + " is not writable: " + ex.getMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new ProbeException("cannot create a file in " + directory + ": " + ex, ex);
        }
    }

    private static void deleteAll(final List<Path> files)
    {
        synchronized (files)
        {
            for (final Path file : files)
            {
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final IOException ex)
                {
                    System.err.println("probe: could not delete " + file + ": " + ex);
                }
            }
        }
    }
}
