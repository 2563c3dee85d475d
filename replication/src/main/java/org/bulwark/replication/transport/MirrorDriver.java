package org.bulwark.replication.transport;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.bulwark.common.log.MessageLog;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A member's embedded Aeron media driver and the client connected to it: one per member process.
 * <p>
 * The driver lives in {@code BASE/bulwark-mirror-MEMBER-PID} (BASE is {@code /dev/shm} where it exists),
 * deleted on start, on close, and by a shutdown hook when the JVM ends on a signal; directories of mirror
 * drivers that are gone (killed with {@code kill -9}) are deleted before it starts ({@link
 * DriverDirectories#deleteDead}). The driver runs SHARED (conductor, sender and receiver on one thread:
 * one peer needs no more, and the machine may have two cores) with the idle strategy named in {@link
 * MirrorIdleStrategies}. Terms are {@link #TERM_LENGTH_BYTES}: messages up to an eighth of that, a
 * flow-control window of half of it, and some 30 MiB of log buffers for a publication and an image. A
 * silent peer's image goes after {@link #IMAGE_LIVENESS_TIMEOUT_NS} and a publication nobody receives
 * reads as not connected after {@link #PUBLICATION_CONNECTION_TIMEOUT_NS}: Aeron's defaults (10 s, 5 s)
 * would hide a dead peer for longer than the mirror's own heartbeats, which make the real decisions.
 */
public final class MirrorDriver implements AutoCloseable
{
    public static final int TERM_LENGTH_BYTES = 4 << 20;
    public static final long IMAGE_LIVENESS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(3);
    public static final long PUBLICATION_CONNECTION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(3);
    static final String LOG_SUBSYSTEM = "MIRROR";

    /** Directories of drivers running in this JVM: a second driver there would delete the first's files. */
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

    private final String memberName;
    private final Path directory;
    private final Thread cleanUp;
    private MediaDriver driver;
    private Aeron aeron;
    private boolean closed;

    private MirrorDriver(final String memberName, final Path directory)
    {
        this.memberName = memberName;
        this.directory = directory;
        this.cleanUp = new Thread(() -> IoUtil.delete(directory.toFile(), true), "mirror-driver-clean-up");
    }

    /**
     * Start a member's driver under {@code /dev/shm} (or the temporary directory).
     *
     * @param idleStrategyName one of {@link MirrorIdleStrategies#NAMES}, null for the default.
     * @param log              where driver errors go, or null for standard error.
     */
    public static MirrorDriver launch(final String memberName, final String idleStrategyName, final MessageLog log)
    {
        return launch(DriverDirectories.defaultBase(), memberName, idleStrategyName, log);
    }

    /**
     * @param base the directory the driver's directory is made in.
     * @throws IllegalArgumentException for a bad member or idle strategy name.
     * @throws IllegalStateException    if the member has a driver in this process already, or naming the
     *                                  directory when the driver cannot start there.
     */
    public static MirrorDriver launch(
        final Path base, final String memberName, final String idleStrategyName, final MessageLog log)
    {
        return launch(base, memberName, idleStrategyName, log, context -> {});
    }

    /**
     * @param customiser changes the driver's context last: for fault injection in tests (Aeron's loss
     *                   generators in {@code io.aeron.driver.ext}), not for production settings.
     */
    public static MirrorDriver launch(final Path base, final String memberName, final String idleStrategyName,
        final MessageLog log, final Consumer<MediaDriver.Context> customiser)
    {
        final Path directory = DriverDirectories.directory(base, memberName, ProcessHandle.current().pid());
        MirrorIdleStrategies.newIdleStrategy(idleStrategyName); // a bad name fails before anything starts
        for (final Path dead : DriverDirectories.deleteDead(base))
        {
            report(log, false, "deleted the driver directory " + dead + " of a mirror member that is gone");
        }
        if (!IN_USE.add(directory))
        {
            throw new IllegalStateException("member " + memberName + " already has a mirror driver in this " +
                "process, in " + directory);
        }
        final MirrorDriver mirrorDriver = new MirrorDriver(memberName, directory);
        Runtime.getRuntime().addShutdownHook(mirrorDriver.cleanUp);
        final ErrorHandler errorHandler = ex -> report(log, true, "Aeron error in " + directory + ": " + ex +
            (ex.getStackTrace().length > 0 ? " at " + ex.getStackTrace()[0] : ""));
        try
        {
            final MediaDriver.Context context = new MediaDriver.Context()
                .aeronDirectoryName(directory.toString())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(MirrorIdleStrategies.newIdleStrategy(idleStrategyName))
                .publicationTermBufferLength(TERM_LENGTH_BYTES)
                .ipcTermBufferLength(TERM_LENGTH_BYTES)
                .imageLivenessTimeoutNs(IMAGE_LIVENESS_TIMEOUT_NS)
                .publicationConnectionTimeoutNs(PUBLICATION_CONNECTION_TIMEOUT_NS)
                .errorHandler(errorHandler);
            customiser.accept(context);
            mirrorDriver.driver = MediaDriver.launch(context);
            mirrorDriver.aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(directory.toString())
                .errorHandler(errorHandler)
                .clientName("bulwark-mirror-" + memberName));
            return mirrorDriver;
        }
        catch (final RuntimeException ex)
        {
            mirrorDriver.close();
            throw new IllegalStateException("cannot start the mirror's Aeron media driver in " + directory + ": " +
                ex, ex);
        }
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public Path directory()
    {
        return directory;
    }

    public String memberName()
    {
        return memberName;
    }

    /**
     * Close the client, then the driver, then delete the directory (idempotent).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(aeron, driver);
        aeron = null;
        driver = null;
        IoUtil.delete(directory.toFile(), true);
        IN_USE.remove(directory);
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is shutting down: the hook deletes the directory (again, harmlessly)
        }
    }

    private static void report(final MessageLog log, final boolean warning, final String message)
    {
        if (null == log)
        {
            System.err.println(message);
        }
        else if (warning)
        {
            log.warning(LOG_SUBSYSTEM, message);
        }
        else
        {
            log.info(LOG_SUBSYSTEM, message);
        }
    }
}
