package org.bulwark.probes;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The shapes of durable write a journal can make, each timed one write at a time on one thread:
 * the measuring code behind {@code bulwark probe disk} and the {@code perf} module's SyncProbe.
 * Every write is made durable before the next one starts, so a latency is a full write-and-sync.
 */
public final class DurableWrites
{
    private static final int CHUNK_BYTES = 1 << 20;

    private DurableWrites()
    {
    }

    /**
     * One timed write; {@code i} counts from 0 over warm-up and measured writes.
     */
    @FunctionalInterface
    private interface TimedWrite
    {
        void write(int i) throws IOException;
    }

    /**
     * Fill the file with written zeros and make it durable: its blocks are allocated and written, so
     * later overwrites change no metadata (an {@code fallocate}d or sparse file would: unwritten
     * extents are converted on first write, which costs a journal commit in ext4).
     */
    public static void preallocate(final Path file, final long sizeBytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect(CHUNK_BYTES);
            for (long at = 0; at < sizeBytes; at += zeros.capacity())
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), sizeBytes - at));
                while (zeros.hasRemaining())
                {
                    channel.write(zeros, at + zeros.position());
                }
            }
            channel.force(true);
        }
        syncDirectory(file.getParent());
    }

    /**
     * Positional writes of {@code writeBytes} back to back through a preallocated file (wrapping
     * around at its end), each made durable by {@code mode}.
     */
    public static WriteLatency overwrite(
        final Path file, final long fileBytes, final int writeBytes, final SyncMode mode, final int warmup,
        final int ops) throws IOException
    {
        final ByteBuffer data = randomData(writeBytes);
        try (FileChannel channel = open(file, mode, StandardOpenOption.WRITE))
        {
            final long[] offset = {0};
            return measure(warmup, ops, i ->
            {
                if (offset[0] + writeBytes > fileBytes)
                {
                    offset[0] = 0;
                }
                data.clear();
                while (data.hasRemaining())
                {
                    channel.write(data, offset[0] + data.position());
                }
                sync(channel, mode);
                offset[0] += writeBytes;
            });
        }
    }

    /**
     * Writes of {@code writeBytes} at the end of a file that grows with each (the file is created or
     * truncated first), each made durable by {@code mode}: every sync also has to make the new size
     * and the newly allocated blocks durable.
     */
    public static WriteLatency append(
        final Path file, final int writeBytes, final SyncMode mode, final int warmup, final int ops)
        throws IOException
    {
        final ByteBuffer data = randomData(writeBytes);
        try (FileChannel channel = open(file, mode, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            return measure(warmup, ops, i ->
            {
                data.clear();
                while (data.hasRemaining())
                {
                    channel.write(data);
                }
                sync(channel, mode);
            });
        }
    }

    /**
     * Writes of {@code writeBytes} into a shared mapping of the first {@code mappedBytes} of a
     * preallocated file, advancing and wrapping around, each followed by
     * {@link MappedByteBuffer#force()} ({@code msync(MS_SYNC)} of the mapping).
     */
    public static WriteLatency mappedForce(
        final Path file, final long mappedBytes, final int writeBytes, final int warmup, final int ops)
        throws IOException
    {
        final byte[] data = new byte[writeBytes];
        ThreadLocalRandom.current().nextBytes(data);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final int regionBytes = (int)Math.min(mappedBytes, Integer.MAX_VALUE);
            // The mapping stays until it is garbage collected (Java has no unmap): harmless, the file is
            // deleted by name and its space is freed when the mapping goes.
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, regionBytes);
            final int[] offset = {0};
            return measure(warmup, ops, i ->
            {
                if (offset[0] + writeBytes > regionBytes)
                {
                    offset[0] = 0;
                }
                mapped.put(offset[0], data);
                mapped.force();
                offset[0] += writeBytes;
            });
        }
    }

    /**
     * Sequential bandwidth: {@code totalBytes} written in 1 MiB writes to a new file, then one
     * {@code fdatasync}; the time covers both.
     *
     * @return MiB per second.
     */
    public static double sequentialMibPerSecond(final Path file, final long totalBytes) throws IOException
    {
        final ByteBuffer data = randomData(CHUNK_BYTES);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final long startNs = System.nanoTime();
            for (long at = 0; at < totalBytes; at += CHUNK_BYTES)
            {
                data.clear().limit((int)Math.min(CHUNK_BYTES, totalBytes - at));
                while (data.hasRemaining())
                {
                    channel.write(data);
                }
            }
            channel.force(false);
            final long elapsedNs = Math.max(1, System.nanoTime() - startNs);
            return (totalBytes / (double)(1 << 20)) / (elapsedNs / 1e9);
        }
    }

    /**
     * fsync of a directory, so that a file created in it survives a crash by name.
     */
    public static void syncDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static WriteLatency measure(final int warmup, final int ops, final TimedWrite write) throws IOException
    {
        final Histogram histogram = Latency.newHistogram();
        long measuredStartNs = System.nanoTime();
        for (int i = 0; i < warmup + ops; i++)
        {
            if (i == warmup)
            {
                measuredStartNs = System.nanoTime();
            }
            final long startNs = System.nanoTime();
            write.write(i);
            final long endNs = System.nanoTime();
            if (i >= warmup)
            {
                Latency.record(histogram, endNs - startNs);
            }
        }
        final long elapsedNs = Math.max(1, System.nanoTime() - measuredStartNs);
        return new WriteLatency(histogram, ops / (elapsedNs / 1e9));
    }

    private static FileChannel open(final Path file, final SyncMode mode, final StandardOpenOption... options)
        throws IOException
    {
        if (mode != SyncMode.DSYNC)
        {
            return FileChannel.open(file, options);
        }
        final StandardOpenOption[] withDsync = java.util.Arrays.copyOf(options, options.length + 1);
        withDsync[options.length] = StandardOpenOption.DSYNC;
        return FileChannel.open(file, withDsync);
    }

    private static void sync(final FileChannel channel, final SyncMode mode) throws IOException
    {
        if (mode == SyncMode.FSYNC)
        {
            channel.force(true);
        }
        else if (mode == SyncMode.FDATASYNC)
        {
            channel.force(false);
        }
    }

    private static ByteBuffer randomData(final int bytes)
    {
        final byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return ByteBuffer.allocateDirect(bytes).put(random).flip();
    }
}
