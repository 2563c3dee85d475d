package org.bulwark.probes;

import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An embedded Aeron media driver and a client connected to it, for one side of the network probe.
 * <p>
 * The driver lives in a directory of its own, {@code BASE/bulwark-probe-PID-ROLE-N} (BASE is
 * {@code /dev/shm} where it exists), deleted on start, on close, and by a shutdown hook when the JVM
 * ends on a signal; directories of probes whose process and driver are gone (killed with {@code kill -9})
 * are deleted when the next probe starts, since a dead driver leaves hundreds of MB of files behind (see
 * {@link #deleteDeadProbes} for what counts as gone: a PID alone does not across PID namespaces). The
 * driver runs SHARED (conductor, sender and receiver on one thread: the probe needs no more on two
 * cores) and backs off when idle, never spinning (it yields with {@code --idle yield}). Terms are 1 MiB: enough for the flow-control window
 * (128 KiB by default, whatever the term) and for messages up to 128 KiB, and a small footprint.
 */
public final class ProbeDriver implements AutoCloseable
{
    static final String DIRECTORY_PREFIX = "bulwark-probe-";
    static final int TERM_LENGTH_BYTES = 1 << 20;
    private static final Pattern PROBE_DIRECTORY = Pattern.compile(Pattern.quote(DIRECTORY_PREFIX) + "(\\d+)-.*");
    private static final AtomicLong INSTANCES = new AtomicLong();
    /** A probe directory changed more recently than this may belong to a probe still starting: it stays. */
    static final long MIN_AGE_MS = TimeUnit.MINUTES.toMillis(1);
    /** A driver whose heartbeat is younger than this is alive, whatever its PID says (Aeron's default). */
    static final long DRIVER_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);

    private final Path directory;
    private final Thread cleanUp;
    private MediaDriver driver;
    private Aeron aeron;

    private ProbeDriver(final Path directory)
    {
        this.directory = directory;
        this.cleanUp = new Thread(() -> IoUtil.delete(directory.toFile(), true), "probe-driver-clean-up");
    }

    /**
     * Start a driver under {@link #defaultBase()}.
     *
     * @param role a word for the directory name: "pinger", "responder".
     */
    public static ProbeDriver launch(final String role) throws ProbeException
    {
        return launch(defaultBase(), role, NetIdle.BACKOFF);
    }

    /**
     * @throws ProbeException naming the directory when the driver cannot start there.
     */
    public static ProbeDriver launch(final Path base, final String role) throws ProbeException
    {
        return launch(base, role, NetIdle.BACKOFF);
    }

    /**
     * @param idle how the driver waits ({@link NetIdle#newDriverStrategy()}).
     * @throws ProbeException naming the directory when the driver cannot start there.
     */
    public static ProbeDriver launch(final Path base, final String role, final NetIdle idle) throws ProbeException
    {
        deleteDeadProbes(base);
        final long pid = ProcessHandle.current().pid();
        final ProbeDriver probeDriver = new ProbeDriver(
            base.resolve(DIRECTORY_PREFIX + pid + "-" + role + "-" + INSTANCES.incrementAndGet()));
        Runtime.getRuntime().addShutdownHook(probeDriver.cleanUp);
        try
        {
            probeDriver.driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(probeDriver.directory.toString())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(idle.newDriverStrategy())
                .publicationTermBufferLength(TERM_LENGTH_BYTES)
                .ipcTermBufferLength(TERM_LENGTH_BYTES));
            probeDriver.aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(probeDriver.directory.toString()));
            return probeDriver;
        }
        catch (final RuntimeException ex)
        {
            probeDriver.close();
            throw new ProbeException("cannot start an Aeron media driver in " + probeDriver.directory + ": " + ex, ex);
        }
    }

    /**
     * @return {@code /dev/shm} if it is a writable directory (memory, as Aeron wants), else the JVM's
     *         temporary directory.
     */
    public static Path defaultBase()
    {
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * Close the client, then the driver, then delete the directory (idempotent).
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
        aeron = null;
        driver = null;
        IoUtil.delete(directory.toFile(), true);
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is shutting down: the hook deletes the directory (again, harmlessly)
        }
    }

    /**
     * Delete probe directories under {@code base} left by probes that are gone. A directory goes only if
     * all of these hold:
     * <ul>
     * <li>the process its name names does not exist (or is a zombie) in this PID namespace;</li>
     * <li>its driver's heartbeat in {@code cnc.dat} is older than {@link #DRIVER_TIMEOUT_MS} (or there is
     *     no driver file): the PID alone misleads when containers with PID namespaces of their own share
     *     {@code /dev/shm}, where a live probe's PID is unknown here or another process's;</li>
     * <li>neither it nor its {@code cnc.dat} changed within {@link #MIN_AGE_MS}: a driver still starting
     *     has no heartbeat yet;</li>
     * <li>it belongs to the user running this probe: another user's files are not ours to judge.</li>
     * </ul>
     * A directory in doubt stays: a leftover costs memory, a wrong deletion breaks a running probe.
     */
    static void deleteDeadProbes(final Path base)
    {
        if (!Files.isDirectory(base))
        {
            return;
        }
        final long nowMs = System.currentTimeMillis();
        try (Stream<Path> entries = Files.list(base))
        {
            entries.forEach(entry ->
            {
                final Matcher matcher = PROBE_DIRECTORY.matcher(entry.getFileName().toString());
                if (matcher.matches() && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) &&
                    !alive(matcher.group(1)) && ownedByThisUser(entry) && unchangedFor(entry, nowMs) &&
                    !driverHeartbeat(entry))
                {
                    IoUtil.delete(entry.toFile(), true);
                }
            });
        }
        catch (final IOException | RuntimeException ex)
        {
            // a directory we cannot list holds nothing we could delete either
        }
    }

    /**
     * @return true if neither the directory nor its {@code cnc.dat} was modified within {@link #MIN_AGE_MS}.
     */
    private static boolean unchangedFor(final Path directory, final long nowMs)
    {
        try
        {
            long modifiedMs = Files.getLastModifiedTime(directory).toMillis();
            final Path cnc = directory.resolve(CncFileDescriptor.CNC_FILE);
            if (Files.exists(cnc))
            {
                modifiedMs = Math.max(modifiedMs, Files.getLastModifiedTime(cnc).toMillis());
            }
            return nowMs - modifiedMs > MIN_AGE_MS;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * @return true if a driver in the directory has a heartbeat younger than {@link #DRIVER_TIMEOUT_MS}.
     */
    private static boolean driverHeartbeat(final Path directory)
    {
        final Path cnc = directory.resolve(CncFileDescriptor.CNC_FILE);
        try (FileChannel channel = FileChannel.open(cnc, StandardOpenOption.READ))
        {
            final ByteBuffer version = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder());
            if (channel.size() <= CncFileDescriptor.META_DATA_LENGTH ||
                channel.read(version, CncFileDescriptor.cncVersionOffset(0)) < Integer.BYTES || version.getInt(0) == 0)
            {
                // never initialised, and (being old) never will be: Aeron's check would wait for it, then fail
                return false;
            }
            return CommonContext.isDriverActive(directory.toFile(), DRIVER_TIMEOUT_MS, message -> {});
        }
        catch (final NoSuchFileException ex)
        {
            return false;
        }
        catch (final IOException | RuntimeException ex)
        {
            return true; // a driver file we cannot read: in doubt, keep it
        }
    }

    /**
     * @return true if the directory's owner is this process's user (the owner of {@code /proc/self} on
     *         Linux; else the owner's name against {@code user.name}).
     */
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
     * @return false if the process is gone or a zombie (killed, not yet reaped: its driver is as dead).
     */
    private static boolean alive(final String pid)
    {
        try
        {
            if (!ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false))
            {
                return false;
            }
        }
        catch (final NumberFormatException ex)
        {
            return true; // not ours to judge
        }
        try
        {
            final String stat = Files.readString(Path.of("/proc", pid, "stat"));
            final int afterName = stat.lastIndexOf(')') + 2;
            return afterName >= stat.length() || (stat.charAt(afterName) != 'Z' && stat.charAt(afterName) != 'X');
        }
        catch (final IOException | RuntimeException ex)
        {
            return true; // no /proc: the process handle's word stands
        }
    }
}
