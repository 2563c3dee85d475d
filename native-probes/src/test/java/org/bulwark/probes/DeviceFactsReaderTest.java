package org.bulwark.probes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The /sys reader on fixture trees laid out like /sys and /proc/self/mountinfo: a virtio partition
 * with a volatile cache (the warning case), a SATA disk that says write through, and tmpfs.
 */
class DeviceFactsReaderTest
{
    @TempDir
    Path root;

    private Path sys;
    private Path data;
    private Path mountInfo;

    private void layout(final String fixture) throws Exception
    {
        sys = root.resolve("sys");
        data = Files.createDirectories(root.resolve("mnt/data disk/bulwark")).toRealPath();
        final Path mountPoint = data.getParent();
        mountInfo = root.resolve("mountinfo");
        final String escaped = mountPoint.toString().replace(" ", "\\040");
        switch (fixture)
        {
            case "virtio":
                disk("devices/pci0000:00/0000:00:02.0/virtio1/block/vda", "1", "256", "none [mq-deadline] kyber bfq",
                    "write back", "0", "../../../bus/virtio/drivers/virtio_blk");
                final Path partition = Files.createDirectories(
                    sys.resolve("devices/pci0000:00/0000:00:02.0/virtio1/block/vda/vda1"));
                Files.writeString(partition.resolve("partition"), "1\n");
                link("254:1", "../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda/vda1");
                link("254:0", "../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda");
                Files.writeString(mountInfo,
                    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n" +
                    "40 27 254:1 / " + escaped + " rw,relatime shared:1 - xfs /dev/vda1 rw\n");
                break;
            case "sata":
                disk("devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda", "0", "64",
                    "[none] mq-deadline", "write through", "1", "../../../../../../../bus/scsi/drivers/sd");
                link("8:0", "../../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda");
                Files.writeString(mountInfo, "50 1 8:0 / " + escaped + " rw - ext4 /dev/sda rw\n");
                break;
            default:
                Files.writeString(mountInfo, "30 1 0:27 / " + escaped + " rw - tmpfs tmpfs rw\n");
        }
    }

    private void disk(
        final String path, final String rotational, final String nrRequests, final String scheduler,
        final String writeCache, final String fua, final String driver) throws Exception
    {
        final Path disk = sys.resolve(path);
        final Path queue = Files.createDirectories(disk.resolve("queue"));
        Files.writeString(queue.resolve("rotational"), rotational + "\n");
        Files.writeString(queue.resolve("nr_requests"), nrRequests + "\n");
        Files.writeString(queue.resolve("scheduler"), scheduler + "\n");
        Files.writeString(queue.resolve("write_cache"), writeCache + "\n");
        Files.writeString(queue.resolve("fua"), fua + "\n");
        Files.createDirectories(disk.resolve("device"));
        Files.createSymbolicLink(disk.resolve("device/driver"), Path.of(driver));
    }

    private void link(final String majorMinor, final String target) throws Exception
    {
        Files.createDirectories(sys.resolve("dev/block"));
        Files.createSymbolicLink(sys.resolve("dev/block").resolve(majorMinor), Path.of(target));
    }

    @Test
    void aVirtioPartitionWithAWriteBackCacheWarns() throws Exception
    {
        layout("virtio");
        final DeviceFacts facts = new DeviceFactsReader(sys, mountInfo).read(data);

        assertEquals(data.getParent().toString(), facts.mountPoint(), "the longest mount point wins");
        assertEquals("254:1", facts.majorMinor());
        assertEquals("xfs", facts.fsType());
        assertEquals("/dev/vda1", facts.source());
        assertEquals("vda", facts.disk(), "a partition's facts are its disk's");
        assertTrue(facts.partition());
        assertEquals("1", facts.rotational());
        assertEquals("256", facts.nrRequests());
        assertEquals("mq-deadline", facts.scheduler());
        assertEquals("write back", facts.writeCache());
        assertEquals("0", facts.fua());
        assertEquals("virtio_blk", facts.driver());
        assertTrue(facts.volatileWriteCache());
        assertTrue(facts.virtual());
        assertEquals(2, facts.warnings().size(), facts.warnings().toString());
        assertTrue(facts.warnings().get(0).startsWith("WARNING: vda reports a volatile write-back cache"));
        assertTrue(facts.warnings().get(0).contains("no two-phase write"));
        assertTrue(facts.warnings().get(1).contains("hypervisor's claim"));
    }

    @Test
    void aWriteThroughDiskDoesNotWarn() throws Exception
    {
        layout("sata");
        final DeviceFacts facts = new DeviceFactsReader(sys, mountInfo).read(data);

        assertEquals("sda", facts.disk());
        assertFalse(facts.partition());
        assertEquals("none", facts.scheduler());
        assertEquals("sd", facts.driver());
        assertFalse(facts.volatileWriteCache());
        assertFalse(facts.virtual());
        assertEquals(1, facts.warnings().size());
        assertTrue(facts.warnings().get(0).startsWith("NOTE: sda reports \"write through\""));
    }

    @Test
    void aFileSystemWithoutABlockDeviceSaysSo() throws Exception
    {
        layout("tmpfs");
        final DeviceFacts facts = new DeviceFactsReader(sys, mountInfo).read(data);

        assertEquals("tmpfs", facts.fsType());
        assertNull(facts.disk());
        assertNull(facts.writeCache());
        assertTrue(facts.warnings().get(0).contains("no block device"), facts.warnings().toString());
    }

    @Test
    void noMountTableMeansNothingKnown()
    {
        final DeviceFacts facts = new DeviceFactsReader(root.resolve("none"), root.resolve("none")).read(root);
        assertNull(facts.mountPoint());
        assertNull(facts.disk());
    }

    @Test
    void mountInfoEscapesAndSchedulerSelection()
    {
        assertEquals("/mnt/data disk", DeviceFactsReader.unescape("/mnt/data\\040disk"));
        assertEquals("a\\b", DeviceFactsReader.unescape("a\\134b"));
        assertEquals("kyber", DeviceFactsReader.selectedScheduler("none mq-deadline [kyber] bfq"));
        assertEquals("none", DeviceFactsReader.selectedScheduler("none"));
    }
}
