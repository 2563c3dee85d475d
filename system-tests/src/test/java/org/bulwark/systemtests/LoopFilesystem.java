package org.bulwark.systemtests;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A small ext4 file system in an image file, attached to a loop device and mounted in a
 * directory, for disk-full tests (ENOSPC from the real kernel). Needs root; {@link #create} skips
 * the test where root, the tools or a free loop device are missing. {@link #close()} unmounts and
 * detaches whatever was set up, also after a partial setup.
 */
final class LoopFilesystem implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_MS = 30_000;

    private final Path image;
    private final Path mountPoint;
    private final Path mkfs;
    private final Path losetup;
    private final Path mount;
    private final Path umount;
    private String device;
    private boolean mounted;

    private LoopFilesystem(final Path directory, final List<Path> tools)
    {
        this.image = directory.resolve("disk.img");
        this.mountPoint = directory.resolve("mnt");
        this.mkfs = tools.get(0);
        this.losetup = tools.get(1);
        this.mount = tools.get(2);
        this.umount = tools.get(3);
    }

    /**
     * Make, attach and mount a file system of {@code sizeBytes} in {@code directory} (no blocks
     * reserved for root, so that what is free is what can be used).
     */
    static LoopFilesystem create(final Path directory, final long sizeBytes) throws Exception
    {
        FaultTools.requireRoot("a loop-mounted file system");
        final LoopFilesystem fs = new LoopFilesystem(directory, FaultTools.require("mkfs.ext4", "losetup", "mount",
            "umount"));
        try
        {
            Files.createDirectories(fs.mountPoint);
            try (RandomAccessFile file = new RandomAccessFile(fs.image.toFile(), "rw"))
            {
                file.setLength(sizeBytes);
            }
            FaultTools.run(COMMAND_TIMEOUT_MS, fs.mkfs.toString(), "-q", "-F", "-m", "0", fs.image.toString());
            try
            {
                fs.device = FaultTools.run(COMMAND_TIMEOUT_MS, fs.losetup.toString(), "--find", "--show",
                    fs.image.toString()).strip();
                FaultTools.run(COMMAND_TIMEOUT_MS, fs.mount.toString(), "-t", "ext4", fs.device,
                    fs.mountPoint.toString());
                fs.mounted = true;
            }
            catch (final IllegalStateException ex)
            {
                // A container without loop devices or the right to mount: not what the test is about.
                FaultTools.skip("no loop device could be attached and mounted here (" + ex.getMessage() + ")");
            }
            return fs;
        }
        catch (final Exception | Error ex)
        {
            fs.close();
            throw ex;
        }
    }

    Path mountPoint()
    {
        return mountPoint;
    }

    /**
     * Unmount (retrying a busy mount for a while, then lazily) and detach the loop device.
     */
    @Override
    public void close() throws IOException
    {
        String failure = null;
        for (int attempt = 1; mounted && attempt <= 50; attempt++)
        {
            failure = attempt(umount.toString(), mountPoint.toString());
            mounted = null != failure;
            if (mounted)
            {
                LockSupport.parkNanos(100_000_000L); // a process that had files open there may still be exiting
            }
        }
        if (mounted)
        {
            // Still busy after 5 s: detach it lazily so that the machine is left clean, and fail.
            mounted = null != attempt(umount.toString(), "-l", mountPoint.toString());
        }
        if (null != device && !mounted)
        {
            final String detach = attempt(losetup.toString(), "-d", device);
            failure = null != detach ? detach : failure;
            device = null == detach ? null : device;
        }
        if (null != failure)
        {
            throw new IOException("could not clean up " + image + " on " + mountPoint + ": " + failure);
        }
    }

    /**
     * @return null if the command succeeded, else its error.
     */
    private static String attempt(final String... command)
    {
        try
        {
            FaultTools.run(COMMAND_TIMEOUT_MS, command);
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted: " + String.join(" ", command);
        }
        catch (final Exception ex)
        {
            return ex.getMessage();
        }
    }
}
