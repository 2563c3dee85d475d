package org.bulwark.probes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the block device behind a directory and reads its facts: the mount holding the directory
 * from a mountinfo file (its {@code MAJ:MIN}), then {@code <sys>/dev/block/MAJ:MIN}, walking up to the
 * whole disk for a partition. The roots are parameters so tests lay out a fake /sys in a temp
 * directory.
 */
public final class DeviceFactsReader
{
    private final Path sysRoot;
    private final Path mountInfo;

    public DeviceFactsReader(final Path sysRoot, final Path mountInfo)
    {
        this.sysRoot = sysRoot;
        this.mountInfo = mountInfo;
    }

    /**
     * The reader of this machine's /sys and mount table.
     */
    public static DeviceFactsReader system()
    {
        return new DeviceFactsReader(Path.of("/sys"), Path.of("/proc/self/mountinfo"));
    }

    /**
     * @param directory an absolute, existing directory (its real path is looked up in the mount table).
     * @return the facts, with null fields for what could not be read; all null if there is no mount table.
     */
    public DeviceFacts read(final Path directory)
    {
        final String[] mount = findMount(directory);
        if (null == mount)
        {
            return new DeviceFacts(null, null, null, null, null, false, null, null, null, null, null, null);
        }
        final String majorMinor = mount[0];
        final Path device = sysRoot.resolve("dev").resolve("block").resolve(majorMinor);
        if (majorMinor.startsWith("0:") || !Files.isDirectory(device))
        {
            return new DeviceFacts(mount[1], mount[2], mount[3], majorMinor, null, false, null, null, null, null,
                null, null);
        }
        Path disk;
        try
        {
            disk = device.toRealPath();
        }
        catch (final IOException ex)
        {
            disk = device;
        }
        final boolean partition = Files.exists(disk.resolve("partition"));
        if (partition)
        {
            disk = disk.getParent();
        }
        final Path queue = disk.resolve("queue");
        return new DeviceFacts(mount[1], mount[2], mount[3], majorMinor, disk.getFileName().toString(), partition,
            readLine(queue.resolve("rotational")), readLine(queue.resolve("nr_requests")),
            selectedScheduler(readLine(queue.resolve("scheduler"))), readLine(queue.resolve("write_cache")),
            readLine(queue.resolve("fua")), driver(disk.resolve("device").resolve("driver")));
    }

    /**
     * The mount whose mount point is the longest prefix of the directory (the last one listed wins
     * when mounts are stacked on one point).
     *
     * @return {MAJ:MIN, mount point, file system type, source}, or null.
     */
    private String[] findMount(final Path directory)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(mountInfo, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return null;
        }
        Path target = directory.toAbsolutePath().normalize();
        try
        {
            target = target.toRealPath();
        }
        catch (final IOException ex)
        {
            // a missing directory is the caller's error to report; match what we have
        }
        String[] best = null;
        int bestLength = -1;
        for (final String line : lines)
        {
            // id parent MAJ:MIN root mount-point options [optional fields...] - fstype source super-options
            final String[] fields = line.split(" ");
            final int separator = List.of(fields).indexOf("-");
            if (fields.length < 5 || separator < 0 || separator + 2 >= fields.length)
            {
                continue;
            }
            final Path mountPoint = Path.of(unescape(fields[4]));
            if (target.startsWith(mountPoint) && mountPoint.toString().length() >= bestLength)
            {
                bestLength = mountPoint.toString().length();
                best = new String[]{fields[2], mountPoint.toString(), fields[separator + 1],
                    unescape(fields[separator + 2])};
            }
        }
        return best;
    }

    /**
     * mountinfo escapes space, tab, newline and backslash as three octal digits ({@code \040}).
     */
    static String unescape(final String field)
    {
        final StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++)
        {
            final char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}"))
            {
                out.append((char)Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            }
            else
            {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * {@code none [mq-deadline] kyber bfq} selects mq-deadline; a single word is the only one.
     */
    static String selectedScheduler(final String schedulers)
    {
        if (null == schedulers)
        {
            return null;
        }
        final int open = schedulers.indexOf('[');
        final int close = schedulers.indexOf(']');
        return open >= 0 && close > open ? schedulers.substring(open + 1, close) : schedulers;
    }

    private static String driver(final Path link)
    {
        try
        {
            return Files.readSymbolicLink(link).getFileName().toString();
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return null;
        }
    }

    private static String readLine(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
