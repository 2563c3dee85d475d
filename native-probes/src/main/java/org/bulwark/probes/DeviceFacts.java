package org.bulwark.probes;

import java.util.ArrayList;
import java.util.List;

/**
 * What Linux says about the block device holding a directory, read from {@code /proc/self/mountinfo}
 * and {@code /sys}. Every field is null when it could not be read; nothing here is measured.
 *
 * @param mountPoint   mount point of the file system holding the directory.
 * @param fsType       its type (ext4, xfs, tmpfs, ...).
 * @param source       the mount source (/dev/vda, ...).
 * @param majorMinor   the file system's device number, {@code MAJ:MIN}.
 * @param disk         the whole disk's name in /sys/block (the parent of a partition).
 * @param partition    true if the file system is on a partition of {@code disk}.
 * @param rotational   {@code queue/rotational}: "1" spinning (or unknown to the driver), "0" not.
 * @param nrRequests   {@code queue/nr_requests}: the block layer's queue depth.
 * @param scheduler    the selected I/O scheduler in {@code queue/scheduler}.
 * @param writeCache   {@code queue/write_cache}: "write back" (a volatile cache the kernel flushes) or
 *                     "write through".
 * @param fua          {@code queue/fua}: "1" if the kernel sends Force Unit Access writes, "0" if it
 *                     emulates them with a flush after the write.
 * @param driver       the driver of the device ({@code device/driver}), e.g. virtio_blk, sd, nvme.
 */
public record DeviceFacts(
    String mountPoint, String fsType, String source, String majorMinor, String disk, boolean partition,
    String rotational, String nrRequests, String scheduler, String writeCache, String fua, String driver)
{
    public static final String WRITE_BACK = "write back";

    public boolean volatileWriteCache()
    {
        return WRITE_BACK.equals(writeCache);
    }

    public boolean virtual()
    {
        return (null != driver && driver.startsWith("virtio")) || (null != disk && disk.startsWith("vd"));
    }

    /**
     * The warnings and caveats these facts call for, most serious first, each a line or two of prose.
     */
    public List<String> warnings()
    {
        final List<String> warnings = new ArrayList<>();
        if (null == disk)
        {
            warnings.add("NOTE: no block device found for " + mountPoint + " (" + fsType + "): the file system is " +
                "virtual, in memory or on the network; its durability cannot be judged from /sys.");
            return warnings;
        }
        if (volatileWriteCache())
        {
            warnings.add("WARNING: " + disk + " reports a volatile write-back cache (queue/write_cache = \"write " +
                "back\"). fsync, fdatasync and O_DSYNC then make the kernel send cache flushes" +
                ("1".equals(fua) ? " and FUA writes" : " (queue/fua = " + fua + ": no FUA, a flush after the write)") +
                ", but /sys cannot tell whether the device honours them. If it does not, no two-phase write " +
                "(WIJ before database, journal before acknowledgement) can protect a block: both phases can sit " +
                "in the cache together and be lost, or reach the medium out of order, on power loss.");
        }
        else if (null != writeCache)
        {
            warnings.add("NOTE: " + disk + " reports \"" + writeCache + "\": no volatile cache, so the kernel " +
                "sends no flushes. That is only safe if it is true (a controller with a volatile cache that " +
                "claims write through loses synced writes on power loss).");
        }
        if (virtual())
        {
            warnings.add("NOTE: " + disk + " is a virtual disk (" + (null == driver ? "virtio" : driver) + "): " +
                "rotational, write cache and queue depth are the hypervisor's claim about its emulated disk, not " +
                "facts about the storage behind it; whether a flush reaches stable storage on the host (host page " +
                "cache, cache=unsafe) cannot be seen from the guest.");
        }
        return warnings;
    }
}
