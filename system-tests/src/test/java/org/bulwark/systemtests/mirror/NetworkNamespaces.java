package org.bulwark.systemtests.mirror;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair — two hosts as far as the network goes: {@code A} with
 * {@code 10.99.N.1/24}, {@code B} with {@code 10.99.N.2/24}, each with its loopback up. Needs root and
 * {@code ip}; {@link #close()} deletes both namespaces (which removes the veth pair).
 */
final class NetworkNamespaces implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_MS = 20_000;

    private final String nameA;
    private final String nameB;
    private final String addressA;
    private final String addressB;
    private final List<String> created = new ArrayList<>();

    private NetworkNamespaces(final int subnet)
    {
        final String tag = Long.toString(ProcessHandle.current().pid());
        this.nameA = "bwmt-" + tag + "-a";
        this.nameB = "bwmt-" + tag + "-b";
        this.addressA = "10.99." + subnet + ".1";
        this.addressB = "10.99." + subnet + ".2";
    }

    /**
     * Create the namespaces and the link.
     *
     * @throws IllegalStateException with the command's output if a step fails (the created part is
     *     deleted).
     */
    static NetworkNamespaces create() throws Exception
    {
        final NetworkNamespaces namespaces = new NetworkNamespaces((int)(ProcessHandle.current().pid() % 200) + 20);
        try
        {
            namespaces.setUp();
            return namespaces;
        }
        catch (final Exception ex)
        {
            namespaces.close();
            throw ex;
        }
    }

    private void setUp() throws Exception
    {
        final String vethA = "bwa" + ProcessHandle.current().pid() % 100_000;
        final String vethB = "bwb" + ProcessHandle.current().pid() % 100_000;
        for (final String name : List.of(nameA, nameB))
        {
            run("ip", "netns", "add", name);
            created.add(name);
            run("ip", "-n", name, "link", "set", "lo", "up");
        }
        run("ip", "link", "add", vethA, "netns", nameA, "type", "veth", "peer", "name", vethB, "netns", nameB);
        run("ip", "-n", nameA, "addr", "add", addressA + "/24", "dev", vethA);
        run("ip", "-n", nameB, "addr", "add", addressB + "/24", "dev", vethB);
        run("ip", "-n", nameA, "link", "set", vethA, "up");
        run("ip", "-n", nameB, "link", "set", vethB, "up");
    }

    String nameA()
    {
        return nameA;
    }

    String nameB()
    {
        return nameB;
    }

    String addressA()
    {
        return addressA;
    }

    String addressB()
    {
        return addressB;
    }

    /**
     * Run a command to its end.
     *
     * @return its output.
     * @throws IllegalStateException if it fails or outlives the timeout.
     */
    static String run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final boolean ended = process.waitFor(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (!ended)
        {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!ended || process.exitValue() != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + (ended ? " exited with " +
                process.exitValue() : " did not end") + ": " + output);
        }
        return output;
    }

    /**
     * Delete the namespaces (each takes its end of the veth pair with it).
     */
    @Override
    public void close()
    {
        IllegalStateException failure = null;
        for (final String name : created)
        {
            try
            {
                run("ip", "netns", "delete", name);
            }
            catch (final Exception ex)
            {
                failure = new IllegalStateException("deleting network namespace " + name + ": " + ex.getMessage(), ex);
            }
        }
        created.clear();
        if (null != failure)
        {
            throw failure;
        }
    }
}
