package org.bulwark.systemtests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * libfiu's POSIX fault injection for a child JVM: the child runs under {@code fiu-run -x} (a
 * preloaded library wraps libc's I/O calls and listens on a pair of FIFOs), and {@link #enable}
 * makes one wrapped call fail from then on with {@code EIO}, through {@code fiu-ctrl}.
 *
 * <p>The JDK's {@code FileChannel} makes the journal's record writes with {@code writev} (a
 * gathering write after setting the position), its single-buffer positional writes with
 * {@code pwrite64} (failure point {@code posix/io/rw/pwrite}) and {@code force(false)} with
 * {@code fdatasync}; seen with {@code strace -f}. A failure point is process-wide, not per file.
 */
final class LibFiu
{
    static final String FDATASYNC = "posix/io/sync/fdatasync";
    static final String WRITEV = "posix/io/rw/writev";

    private static final int EIO = 5;

    private final Path fiuRun;
    private final Path fiuCtrl;
    private final Path controlPrefix;

    /**
     * @param controlPrefix where the child's control FIFOs go ({@code <prefix>-<pid>.in|out}).
     */
    LibFiu(final Path controlPrefix) throws Exception
    {
        final List<Path> tools = FaultTools.require("fiu-run", "fiu-ctrl");
        this.fiuRun = tools.get(0);
        this.fiuCtrl = tools.get(1);
        this.controlPrefix = controlPrefix;
    }

    /**
     * @return the launcher for {@link ChildJvm}: the JVM runs in place of {@code fiu-run}.
     */
    List<String> launcher()
    {
        return List.of(fiuRun.toString(), "-x", "-f", controlPrefix.toString());
    }

    /**
     * Make every later call of the failure point in process {@code pid} fail with {@code EIO}.
     */
    void enable(final long pid, final String failurePoint) throws Exception
    {
        final Path fifo = Path.of(controlPrefix + "-" + pid + ".in");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(fifo))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("no libfiu control FIFO " + fifo + ": is the child under fiu-run?");
            }
            Thread.sleep(10);
        }
        FaultTools.run(10_000, fiuCtrl.toString(), "-f", controlPrefix.toString(), "-c",
            "enable name=" + failurePoint + ",failinfo=" + EIO, Long.toString(pid));
    }
}
