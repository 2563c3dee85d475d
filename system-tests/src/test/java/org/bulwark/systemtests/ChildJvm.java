package org.bulwark.systemtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM on the test's class path with the project's JVM flags, whose standard output goes
 * to a file (read back line by line: a file keeps every byte written before a SIGKILL, with no
 * reader thread racing the process's exit), and which dies by SIGKILL.
 */
final class ChildJvm
{
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    ChildJvm(final Path workDirectory, final Class<?> main, final String... args) throws IOException
    {
        this(workDirectory, List.of(), main, args);
    }

    /**
     * @param launcher a command that runs the JVM in its place (exec), e.g. {@code fiu-run -x}; the
     *                 process id is then the JVM's.
     */
    ChildJvm(final Path workDirectory, final List<String> launcher, final Class<?> main, final String... args)
        throws IOException
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
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        stdout = workDirectory.resolve("child-stdout.txt");
        stderr = workDirectory.resolve("child-stderr.txt");
        process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    /**
     * @return the first line starting with {@code prefix}, or null if none came within the timeout.
     * @throws IllegalStateException if the child exited.
     */
    String awaitLine(final String prefix, final long timeoutMs) throws Exception
    {
        return awaitLine(line -> line.startsWith(prefix), timeoutMs);
    }

    /**
     * @return the first line that matches, or null if none came within the timeout.
     * @throws IllegalStateException if the child exited.
     */
    String awaitLine(final Predicate<String> matching, final long timeoutMs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            for (final String line : snapshot())
            {
                if (matching.test(line))
                {
                    return line;
                }
            }
            if (!process.isAlive())
            {
                throw new IllegalStateException("child exited with " + process.exitValue() + ": " +
                    Files.readString(stderr));
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return null;
            }
            Thread.sleep(2);
        }
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * SIGKILL, then wait for the process to be gone.
     *
     * @return the exit code (137 for SIGKILL).
     */
    int kill() throws Exception
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("child did not die");
        }
        return process.exitValue();
    }

    /**
     * @return the complete lines written so far (a line still being written is left out).
     */
    List<String> snapshot() throws IOException
    {
        final String text = Files.readString(stdout, StandardCharsets.UTF_8);
        final int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    }
}
