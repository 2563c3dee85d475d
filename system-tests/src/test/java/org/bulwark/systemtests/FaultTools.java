package org.bulwark.systemtests;

import org.junit.jupiter.api.Assumptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operating-system tools that fault tests drive (libfiu's {@code fiu-run}/{@code fiu-ctrl},
 * {@code mkfs.ext4}, {@code losetup}, {@code mount}): found on the path, installed by
 * {@code scripts/install-test-tools.sh} when missing, and otherwise the test is skipped with a
 * message that says what is missing and how to install it — never passed silently.
 */
final class FaultTools
{
    static final String INSTALL_SCRIPT = "scripts/install-test-tools.sh";

    private static final long INSTALL_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(5);
    private static final Map<String, Path> FOUND = new HashMap<>();
    private static String installFailure;
    private static boolean installTried;

    private FaultTools()
    {
    }

    /**
     * Skip the test unless every command is available, running the install script once if one is
     * missing.
     *
     * @return the commands' paths, in the order given.
     */
    static synchronized List<Path> require(final String... commands) throws Exception
    {
        if (!missing(commands).isEmpty() && !installTried)
        {
            installTried = true;
            installFailure = install();
        }
        final List<String> missing = missing(commands);
        if (!missing.isEmpty())
        {
            skip(String.join(", ", missing) + " not installed, and " + INSTALL_SCRIPT + " could not install it (" +
                (null == installFailure ? "it ran, but did not provide them" : installFailure) + "); run " +
                INSTALL_SCRIPT + " as root (apt-get install fiu-utils e2fsprogs mount)");
        }
        final List<Path> paths = new ArrayList<>();
        for (final String command : commands)
        {
            paths.add(FOUND.get(command));
        }
        return paths;
    }

    /**
     * Skip the test unless this JVM runs as root (loop devices and mounts need it).
     */
    static void requireRoot(final String why) throws Exception
    {
        final String uid = run(10_000, "id", "-u").strip();
        if (!"0".equals(uid))
        {
            skip(why + " needs root (running as uid " + uid + "); run the tests as root");
        }
    }

    /**
     * Skip the test (JUnit's assumption), saying why also in the test's output file.
     */
    static void skip(final String why)
    {
        System.out.println("SKIPPED: " + why);
        Assumptions.abort("skipped: " + why);
    }

    /**
     * Run a command to its end.
     *
     * @return its standard output and error.
     * @throws IllegalStateException if it exits non-zero or outlives the timeout (then it is killed).
     */
    static String run(final long timeoutMs, final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final boolean ended = process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        if (!ended)
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended)
        {
            throw new IllegalStateException(String.join(" ", command) + " did not end within " + timeoutMs +
                " ms: " + output);
        }
        if (process.exitValue() != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() +
                ": " + output.strip());
        }
        return output;
    }

    private static List<String> missing(final String... commands)
    {
        final List<String> missing = new ArrayList<>();
        for (final String command : commands)
        {
            final Path path = FOUND.computeIfAbsent(command, FaultTools::find);
            if (null == path)
            {
                FOUND.remove(command);
                missing.add(command);
            }
        }
        return missing;
    }

    private static Path find(final String command)
    {
        final List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "")
            .split(":")));
        directories.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (final String directory : directories)
        {
            if (!directory.isEmpty())
            {
                final Path candidate = Path.of(directory, command);
                if (Files.isExecutable(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /**
     * @return null if the script succeeded, else why not.
     */
    private static String install()
    {
        final Path script = installScript();
        if (null == script)
        {
            return INSTALL_SCRIPT + " not found above " + Path.of("").toAbsolutePath();
        }
        try
        {
            final String output = run(INSTALL_TIMEOUT_MS, "bash", script.toString());
            if (!output.isBlank())
            {
                System.out.println(output.strip());
            }
            return null;
        }
        catch (final Exception ex)
        {
            return ex.getMessage();
        }
    }

    private static Path installScript()
    {
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            final Path script = dir.resolve(INSTALL_SCRIPT);
            if (Files.isRegularFile(script))
            {
                return script;
            }
        }
        return null;
    }
}
