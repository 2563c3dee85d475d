package org.bulwark.probes;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An embedded Aeron media driver and a client connected to it, for one side of the network probe.
 * <p>
 * The driver lives in a directory of its own, {@code BASE/bulwark-probe-PID-ROLE-N} (BASE is
 * {@code /dev/shm} where it exists), deleted on start, on close, and by a shutdown hook when the JVM
 * ends on a signal; directories of probes whose process is gone (killed with {@code kill -9}) are
 * deleted when the next probe starts, since a dead driver leaves hundreds of MB of files behind. The
 * driver runs SHARED (conductor, sender and receiver on one thread: the probe needs no more on two
 * cores) and backs off when idle, never spinning. Terms are 1 MiB: enough for the flow-control window
 * (128 KiB by default, whatever the term) and for messages up to 128 KiB, and a small footprint.
 */
public final class ProbeDriver implements AutoCloseable
{
    static final String DIRECTORY_PREFIX = "bulwark-probe-";
    static final int TERM_LENGTH_BYTES = 1 << 20;
    private static final Pattern PROBE_DIRECTORY = Pattern.compile(Pattern.quote(DIRECTORY_PREFIX) + "(\\d+)-.*");
    private static final AtomicLong INSTANCES = new AtomicLong();

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
        return launch(defaultBase(), role);
    }

    /**
     * @throws ProbeException naming the directory when the driver cannot start there.
     */
    public static ProbeDriver launch(final Path base, final String role) throws ProbeException
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
                .sharedIdleStrategy(NetIdle.backoff())
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
     * Delete probe directories under {@code base} whose process no longer exists.
     */
    static void deleteDeadProbes(final Path base)
    {
        if (!Files.isDirectory(base))
        {
            return;
        }
        try (Stream<Path> entries = Files.list(base))
        {
            entries.forEach(entry ->
            {
                final Matcher matcher = PROBE_DIRECTORY.matcher(entry.getFileName().toString());
                if (matcher.matches() && Files.isDirectory(entry) && !alive(matcher.group(1)))
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
