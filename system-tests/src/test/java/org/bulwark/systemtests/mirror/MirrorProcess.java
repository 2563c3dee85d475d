package org.bulwark.systemtests.mirror;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A process of a mirror test — a member, an agent, a command — started the way the crash tests start
 * their children: a JVM on the test's class path with the project's JVM flags (optionally under a
 * launcher that execs it, such as {@code ip netns exec NS}), its output in files that keep every byte
 * written before a SIGKILL. A member that {@code bulwark start} detached is adopted by its pid instead.
 *
 * <p>{@link #kill()} is SIGKILL ({@code Process.destroyForcibly()}), {@link #terminate(long)} SIGTERM (a
 * graceful stop), {@link #pause()} and {@link #resume()} SIGSTOP and SIGCONT.
 */
final class MirrorProcess
{
    private static final long EXIT_WAIT_MS = 30_000;

    private final String name;
    private final Process process;
    private final ProcessHandle handle;
    private final Path stdout;
    private final Path stderr;
    private volatile boolean paused;

    private MirrorProcess(final String name, final Process process, final ProcessHandle handle, final Path stdout,
        final Path stderr)
    {
        this.name = name;
        this.process = process;
        this.handle = handle;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Start {@code main} with {@code args} in a JVM of its own.
     *
     * @param outputPrefix the output goes to {@code outputPrefix.out} and {@code outputPrefix.err}.
     * @param launcher     a command that execs the JVM in its place (the pid is then the JVM's), or empty.
     * @param heap         the {@code -Xmx} value.
     */
    static MirrorProcess startJvm(final String name, final Path outputPrefix, final List<String> launcher,
        final String heap, final Class<?> main, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : System.getProperty("bulwark.jvm.flags", "").split("\\s+"))
        {
            if (!flag.isBlank())
            {
                command.add(flag);
            }
        }
        // Small and quick to start: two members, two agents and the test share two cores.
        command.addAll(List.of("-Xmx" + heap, "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        final Path stdout = Path.of(outputPrefix + ".out");
        final Path stderr = Path.of(outputPrefix + ".err");
        Files.createDirectories(stdout.toAbsolutePath().getParent());
        final Process process = new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        return new MirrorProcess(name, process, process.toHandle(), stdout, stderr);
    }

    /**
     * A process this JVM did not start (a member that {@code bulwark start} detached).
     */
    static MirrorProcess adopt(final String name, final long pid, final Path log)
    {
        final ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() ->
            new IllegalStateException(name + ": pid " + pid + " does not exist"));
        return new MirrorProcess(name, null, handle, log, log);
    }

    String name()
    {
        return name;
    }

    long pid()
    {
        return handle.pid();
    }

    /**
     * @return true while the process runs (a zombie does not: it is dead and only not reaped).
     */
    boolean isAlive()
    {
        if (null != process)
        {
            return process.isAlive();
        }
        return handle.isAlive() && !zombie(handle.pid());
    }

    /**
     * @return the exit code, or -1 while it runs or for an adopted process.
     */
    int exitCode()
    {
        return null == process || process.isAlive() ? -1 : process.exitValue();
    }

    /**
     * SIGKILL (a stopped process dies of it too), then wait until it is gone.
     *
     * @return the exit code (137 for SIGKILL), or -1 for an adopted process.
     */
    int kill() throws Exception
    {
        handle.destroyForcibly();
        paused = false;
        return awaitExit(EXIT_WAIT_MS, "SIGKILL");
    }

    /**
     * SIGTERM (what {@code bulwark stop} sends), then wait for the exit.
     *
     * @return the exit code, or -1 for an adopted process.
     */
    int terminate(final long timeoutMs) throws Exception
    {
        handle.destroy();
        return awaitExit(timeoutMs, "SIGTERM");
    }

    /**
     * Wait for the process to end by itself.
     *
     * @return the exit code (-1 for an adopted process), or {@code Integer.MIN_VALUE} if it still runs.
     */
    int awaitExit(final long timeoutMs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (isAlive())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return Integer.MIN_VALUE;
            }
            if (null != process)
            {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            }
            else
            {
                Thread.sleep(20);
            }
        }
        return exitCode();
    }

    private int awaitExit(final long timeoutMs, final String signal) throws Exception
    {
        final int code = awaitExit(timeoutMs);
        if (Integer.MIN_VALUE == code)
        {
            throw new IllegalStateException(name + " (pid " + pid() + ") still runs " + timeoutMs + " ms after " +
                signal);
        }
        return code;
    }

    /**
     * SIGSTOP: the process freezes as a hung one does (its threads, its heartbeats, its Aeron driver).
     */
    void pause() throws Exception
    {
        signal("STOP");
        paused = true;
    }

    /**
     * SIGCONT.
     */
    void resume() throws Exception
    {
        signal("CONT");
        paused = false;
    }

    /**
     * @return true if SIGSTOPped and not resumed (nor dead since).
     */
    boolean paused()
    {
        return paused && isAlive();
    }

    private void signal(final String signal) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).redirectErrorStream(true)
            .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IllegalStateException("kill -" + signal + " " + pid() + " (" + name + ") failed: " +
                new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * @return the first line of the standard output that contains {@code text}, or null if none came
     *     within the timeout.
     * @throws IllegalStateException if the process exited first (with its output).
     */
    String awaitOutput(final String text, final long timeoutMs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final Optional<String> line = output().lines().filter(l -> l.contains(text)).findFirst();
            if (line.isPresent())
            {
                return line.get();
            }
            if (!isAlive())
            {
                throw new IllegalStateException(name + " exited with " + exitCode() + " before '" + text + "'; " +
                    "output:\n" + tail(output()) + "\nerrors:\n" + tail(errors()));
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return null;
            }
            Thread.sleep(20);
        }
    }

    String output() throws IOException
    {
        return read(stdout);
    }

    String errors() throws IOException
    {
        return read(stderr);
    }

    private static String read(final Path file) throws IOException
    {
        try
        {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return "";
        }
    }

    static String tail(final String text)
    {
        final List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static boolean zombie(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
                StandardCharsets.US_ASCII);
            final int end = stat.lastIndexOf(')');
            return end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z';
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    @Override
    public String toString()
    {
        return name + " (pid " + pid() + ")";
    }
}
