package org.bulwark.probes;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link DiskProbe} measured in one directory.
 *
 * @param directory            where the probe files were.
 * @param variants             one row per shape of durable write, in the order they ran.
 * @param sequentialBytes      size of the sequential write.
 * @param sequentialMibPerSecond its bandwidth, one {@code fdatasync} at the end included.
 * @param device               the facts /sys reports for the device holding the directory.
 * @param processors           processors the JVM sees.
 * @param loadAverage          the one-minute load average when the probe ended (negative if unknown):
 *                             other work on the machine makes every latency noisier.
 */
public record DiskProbeResult(
    Path directory, List<Variant> variants, long sequentialBytes, double sequentialMibPerSecond, DeviceFacts device,
    int processors, double loadAverage)
{
    /**
     * @return true if other work kept more than half the processors busy: the figures are noisy.
     */
    public boolean busyMachine()
    {
        return loadAverage > processors / 2.0;
    }

    /**
     * How a variant writes.
     */
    public enum Shape
    {
        APPEND("append"),
        OVERWRITE("overwrite of a preallocated file"),
        MAPPED("mmap write");

        private final String description;

        Shape(final String description)
        {
            this.description = description;
        }

        public String description()
        {
            return description;
        }
    }

    /**
     * One measured variant.
     */
    public record Variant(Shape shape, SyncMode syncMode, int writeBytes, WriteLatency latency)
    {
        public String name()
        {
            if (shape == Shape.MAPPED)
            {
                return "mmap write + MappedByteBuffer.force()";
            }
            return shape.description() + (syncMode == SyncMode.DSYNC ? " with " : " + ") + syncMode.description();
        }
    }

    /**
     * @return the variant of that shape, sync mode and size, or null if it did not run.
     */
    public Variant find(final Shape shape, final SyncMode syncMode, final int writeBytes)
    {
        for (final Variant variant : variants)
        {
            if (variant.shape() == shape && variant.syncMode() == syncMode && variant.writeBytes() == writeBytes)
            {
                return variant;
            }
        }
        return null;
    }
}
