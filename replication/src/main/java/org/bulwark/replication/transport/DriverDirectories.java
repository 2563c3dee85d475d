package org.bulwark.replication.transport;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where mirror drivers live ({@code BASE/bulwark-mirror-MEMBER-PID}) and the removal of the directories
 * of drivers that are gone: a driver killed with {@code kill -9} leaves its log buffers behind, hundreds
 * of MB of sparse files in memory when BASE is {@code /dev/shm}.
 */
final class DriverDirectories
{
    static final String PREFIX = "bulwark-mirror-";
    /** A member name becomes part of a file name: letters, digits, '_', '-', '.', not leading '.'. */
    static final Pattern MEMBER_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}");
    /** A live driver beats every timer interval (1 ms); one silent this long is dead. */
    static final long DRIVER_HEARTBEAT_STALE_MS = TimeUnit.SECONDS.toMillis(5);
    /** A driver initialises its CnC file within milliseconds of creating it; one uninitialised this long never will. */
    static final long UNINITIALISED_MIN_AGE_MS = TimeUnit.SECONDS.toMillis(10);

    private static final Pattern DIRECTORY = Pattern.compile(Pattern.quote(PREFIX) + ".+-(\\d+)");

    private DriverDirectories()
    {
    }

    /**
     * @return {@code /dev/shm} if it is a writable directory (memory, as Aeron wants it), else the JVM's
     *         temporary directory.
     */
    static Path defaultBase()
    {
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * @throws IllegalArgumentException if the member name cannot be part of a directory name.
     */
    static Path directory(final Path base, final String memberName, final long pid)
    {
        if (null == memberName || !MEMBER_NAME.matcher(memberName).matches())
        {
            throw new IllegalArgumentException("member name '" + memberName + "' cannot name a mirror driver " +
                "directory: use 1 to 64 letters, digits, '_', '-' or '.' (not first)");
        }
        return base.resolve(PREFIX + memberName + "-" + pid);
    }

    /**
     * Delete the mirror driver directories under {@code base} whose driver is gone. One goes only if all
     * of these hold: it belongs to this process's user; the process its name ends with does not exist
     * here, or is a zombie; and its driver is silent: a heartbeat in {@code cnc.dat} older than {@link
     * #DRIVER_HEARTBEAT_STALE_MS}, or no initialised {@code cnc.dat} for {@link #UNINITIALISED_MIN_AGE_MS}.
     * The heartbeat matters where containers with PID namespaces of their own share {@code /dev/shm}: a
     * PID alone says nothing about a process in another namespace. A directory in doubt stays.
     *
     * @return the directories deleted.
     */
    static List<Path> deleteDead(final Path base)
    {
        final List<Path> deleted = new ArrayList<>();
        if (!Files.isDirectory(base))
        {
            return deleted;
        }
        final long nowMs = System.currentTimeMillis();
        try (Stream<Path> entries = Files.list(base))
        {
            entries.forEach(entry ->
            {
                final Matcher matcher = DIRECTORY.matcher(entry.getFileName().toString());
                if (matcher.matches() && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) &&
                    ownedByThisUser(entry) && !alive(matcher.group(1)) && driverSilent(entry, nowMs))
                {
                    IoUtil.delete(entry.toFile(), true);
                    if (!Files.exists(entry, LinkOption.NOFOLLOW_LINKS))
                    {
                        deleted.add(entry);
                    }
                }
            });
        }
        catch (final IOException | RuntimeException ex)
        {
            // a base we cannot list holds nothing we could delete either
        }
        return deleted;
    }

    private static boolean driverSilent(final Path directory, final long nowMs)
    {
        final Path cnc = directory.resolve(CncFileDescriptor.CNC_FILE);
        try (FileChannel channel = FileChannel.open(cnc, StandardOpenOption.READ))
        {
            final ByteBuffer version = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder());
            final boolean initialised = channel.size() > CncFileDescriptor.META_DATA_LENGTH &&
                channel.read(version, CncFileDescriptor.cncVersionOffset(0)) == Integer.BYTES && version.getInt(0) != 0;
            if (!initialised)
            {
                // Aeron's own check would wait for the initialisation, then throw
                return unchangedFor(directory, cnc, nowMs);
            }
            return !CommonContext.isDriverActive(directory.toFile(), DRIVER_HEARTBEAT_STALE_MS, message -> {});
        }
        catch (final NoSuchFileException ex)
        {
            return unchangedFor(directory, cnc, nowMs);
        }
        catch (final IOException | RuntimeException ex)
        {
            return false; // a driver file we cannot read: in doubt, keep it
        }
    }

    private static boolean unchangedFor(final Path directory, final Path cnc, final long nowMs)
    {
        try
        {
            long modifiedMs = Files.getLastModifiedTime(directory, LinkOption.NOFOLLOW_LINKS).toMillis();
            if (Files.exists(cnc))
            {
                modifiedMs = Math.max(modifiedMs, Files.getLastModifiedTime(cnc).toMillis());
            }
            return nowMs - modifiedMs > UNINITIALISED_MIN_AGE_MS;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static boolean ownedByThisUser(final Path directory)
    {
        try
        {
            final Path self = Path.of("/proc/self");
            if (Files.exists(self))
            {
                return Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                    .equals(Files.getAttribute(self, "unix:uid"));
            }
            return Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).getName()
                .equals(System.getProperty("user.name"));
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * @return false if the process does not exist or is a zombie (killed, not yet reaped: its driver is as dead).
     */
    private static boolean alive(final String pid)
    {
        final long number;
        try
        {
            number = Long.parseLong(pid);
        }
        catch (final NumberFormatException ex)
        {
            return true; // not a PID we can judge
        }
        if (!ProcessHandle.of(number).map(ProcessHandle::isAlive).orElse(false))
        {
            return false;
        }
        try
        {
            final String stat = Files.readString(Path.of("/proc", pid, "stat"));
            final int state = stat.lastIndexOf(')') + 2;
            return state >= stat.length() || (stat.charAt(state) != 'Z' && stat.charAt(state) != 'X');
        }
        catch (final IOException | RuntimeException ex)
        {
            return true; // no /proc: the process handle's word stands
        }
    }
}
