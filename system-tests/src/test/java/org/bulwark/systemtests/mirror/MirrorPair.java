package org.bulwark.systemtests.mirror;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Two failover members, {@code a} and {@code b}, of one mirror, each with the agent of its host, all
 * separate processes on free ports (UDP for the mirror endpoints, TCP for agents and RESP): on the
 * loopback, or in two network namespaces (see {@link NetworkNamespaces}). The pair owns every process it
 * or its nodes start; {@link #close()} resumes the paused ones, SIGKILLs whatever still runs, waits for
 * each to be gone and removes the Aeron directories they left. The test's temporary directory holds the
 * rest.
 */
final class MirrorPair implements AutoCloseable
{
    /** Small, so that takeovers and trouble states pass in seconds. */
    static final long QOS_TIMEOUT_MS = 2_000;
    static final long TROUBLE_TIMEOUT_MS = 2 * QOS_TIMEOUT_MS;
    static final String MIRROR_NAME = "SYSTEST";
    /** The agent's default {@code hungAfterMs}: a member whose heartbeat is older is hung. */
    static final long PRODUCT_HUNG_AFTER_MS = 3_000;
    /**
     * What the agents here use unless a test says otherwise: far above the product's default, because a
     * member that is starting is judged hung after {@link #PRODUCT_HUNG_AFTER_MS} without a heartbeat, and
     * its partner then has it forced down (the bug that MirrorHungPrimaryTest's disabled test
     * aStartingMemberIsNeverForcedDownAsHung shows). Tests that need the hung judgment set the product's value.
     */
    static final long AGENT_HUNG_AFTER_MS = 15_000;
    /** A client waits longer than a primary may hold a commit (the QoS and the trouble timeout). */
    static final int REPLY_TIMEOUT_MS = 30_000;

    private static final Set<Integer> PORTS_GIVEN = new HashSet<>();

    private final List<MirrorProcess> processes = new CopyOnWriteArrayList<>();
    private final MirrorNode a;
    private final MirrorNode b;

    private MirrorPair(final Path root, final String hostA, final String hostB, final String namespaceA,
        final String namespaceB, final String redisCli) throws IOException
    {
        final Path keyFile = root.resolve("mirror.key");
        final byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(keyFile, HexFormat.of().formatHex(key) + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        a = new MirrorNode("a", root.resolve("a"), keyFile, hostA, udpPort(), tcpPort(), tcpPort(), namespaceA,
            redisCli, processes::add);
        b = new MirrorNode("b", root.resolve("b"), keyFile, hostB, udpPort(), tcpPort(), tcpPort(), namespaceB,
            redisCli, processes::add);
        final List<String> settings = new ArrayList<>(List.of(
            "mirror.name = " + MIRROR_NAME,
            "mirror.keyFile = " + keyFile,
            "mirror.qosTimeoutMs = " + QOS_TIMEOUT_MS));
        for (final MirrorNode node : List.of(a, b))
        {
            settings.add("mirror.member." + node.name() + ".address = " + node.host() + ":" + node.mirrorPort());
            settings.add("mirror.member." + node.name() + ".agent = " + node.host() + ":" + node.agentPort());
        }
        a.writeConfig(settings);
        b.writeConfig(settings);
    }

    /**
     * Both members on 127.0.0.1.
     */
    static MirrorPair onLoopback(final Path root) throws IOException
    {
        return new MirrorPair(root, "127.0.0.1", "127.0.0.1", null, null, null);
    }

    /**
     * Member {@code a} and its agent in one namespace, {@code b} and its agent in the other; clients
     * reach them with {@code redisCli} run in their namespace.
     */
    static MirrorPair inNamespaces(final Path root, final NetworkNamespaces namespaces, final String redisCli)
        throws IOException
    {
        return new MirrorPair(root, namespaces.addressA(), namespaces.addressB(), namespaces.nameA(),
            namespaces.nameB(), redisCli);
    }

    MirrorNode a()
    {
        return a;
    }

    MirrorNode b()
    {
        return b;
    }

    /**
     * Set both agents' {@code --hung-after-ms} (before they start).
     */
    void agentHungAfterMs(final long hungAfterMs)
    {
        a.agentHungAfterMs(hungAfterMs);
        b.agentHungAfterMs(hungAfterMs);
    }

    MirrorNode other(final MirrorNode node)
    {
        return node == a ? b : a;
    }

    /**
     * Start both agents, then both members (fresh members: {@code a} becomes primary, the smaller name
     * winning), and wait until {@code a} accepts writes and {@code b} is its active backup.
     */
    void startBoth() throws Exception
    {
        // Agents and the first member start together (they do not need each other to start); b only
        // once a runs, so that a cannot be taken for down (and b become primary alone) on a slow start.
        a.launchAgent();
        b.launchAgent();
        final long markA = a.logMark();
        final long markB = b.logMark();
        a.launch();
        a.awaitAgentReady();
        b.awaitAgentReady();
        a.awaitReady();
        b.start();
        awaitPrimary(a, markA, MirrorNode.START_TIMEOUT_MS);
        awaitActiveBackup(b, markB, MirrorNode.START_TIMEOUT_MS);
    }

    /**
     * Wait until {@code node} says it became primary (after the log mark {@code from}) and accepts a write.
     *
     * @return the milliseconds waited.
     */
    long awaitPrimary(final MirrorNode node, final long from, final long timeoutMs) throws Exception
    {
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (null == node.awaitLog(from, "PRIMARY of mirror", timeoutMs))
        {
            throw new AssertionError(diagnosis() + node + " did not become primary within " + timeoutMs + " ms; " +
                "its log:\n" + node.mirrorLog(from) + "\n" + other(node) + "'s log:\n" + other(node).mirrorLog(0));
        }
        String last = "";
        try (RespClient client = node.client(REPLY_TIMEOUT_MS))
        {
            while (System.nanoTime() - deadlineNs < 0)
            {
                try
                {
                    last = client.set("probe:" + node.name(), Long.toString(System.nanoTime()));
                    if ("OK".equals(last))
                    {
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                    }
                }
                catch (final IOException ex)
                {
                    last = ex.getMessage();
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError(node + " says it is primary but refuses writes (" + last + "); its log:\n" +
            node.mirrorLog(from));
    }

    /**
     * Write {@code key} on {@code node} until it is acknowledged.
     *
     * @return the milliseconds until it was.
     * @throws AssertionError if it was not within the timeout.
     */
    static long awaitWrite(final MirrorNode node, final String key, final String value, final long timeoutMs)
        throws Exception
    {
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String last;
        try (RespClient client = node.client(REPLY_TIMEOUT_MS))
        {
            do
            {
                try
                {
                    last = client.set(key, value);
                }
                catch (final IOException ex)
                {
                    last = ex.getMessage();
                }
                if ("OK".equals(last))
                {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                }
                Thread.sleep(50);
            }
            while (System.nanoTime() - deadlineNs < 0);
        }
        throw new AssertionError("SET " + key + " on " + node + " not acknowledged within " + timeoutMs + " ms: " +
            last + "; its log:\n" + node.mirrorLog(0));
    }

    /**
     * @return the reply of {@code node} to a write.
     */
    static String write(final MirrorNode node, final String key, final String value) throws IOException
    {
        try (RespClient client = node.client(REPLY_TIMEOUT_MS))
        {
            return client.set(key, value);
        }
    }

    /**
     * Wait until {@code node} is the backup of the other and active (it acknowledges what the primary
     * commits).
     */
    void awaitActiveBackup(final MirrorNode node, final long from, final long timeoutMs) throws Exception
    {
        if (null == node.awaitLog(from, "this backup is active", timeoutMs))
        {
            throw new AssertionError(diagnosis() + node + " did not become the active backup within " + timeoutMs +
                " ms; its log:\n" + node.mirrorLog(from) + "\n" + other(node) + "'s log:\n" + other(node).mirrorLog(0));
        }
    }

    /**
     * @return the value of {@code key} on {@code node} once it equals {@code expected}, or the last value
     *     seen when the timeout passed.
     */
    static String awaitValue(final MirrorNode node, final String key, final String expected, final long timeoutMs)
        throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String value = null;
        try (RespClient client = node.client(REPLY_TIMEOUT_MS))
        {
            while (true)
            {
                try
                {
                    value = client.get(key);
                }
                catch (final IOException ex)
                {
                    value = "<" + ex.getMessage() + ">";
                }
                if (expected.equals(value) || System.nanoTime() - deadlineNs > 0)
                {
                    return value;
                }
                Thread.sleep(25);
            }
        }
    }

    /**
     * @return the mirror lines of both members' logs, for failure messages.
     */
    String logs() throws IOException
    {
        return diagnosis() + "--- a:\n" + a.mirrorLog(0) + "\n--- b:\n" + b.mirrorLog(0);
    }

    /**
     * @return a note that names a known cause seen in the members' logs, or "".
     */
    String diagnosis() throws IOException
    {
        final StringBuilder note = new StringBuilder();
        for (final MirrorNode node : List.of(a, b))
        {
            // Aeron's client conductor ends after a liveness timeout (its own thread or the driver's did not
            // run for 10 s): ConductorServiceTimeoutException, DriverTimeoutException, or the driver closing
            // the client ("unexpected close of heartbeat timestamp counter"); each ends so.
            final String timeout = node.findLog(0, "Aeron error");
            if (null != timeout && null != node.findLog(0, "AgentTerminationException"))
            {
                note.append("NOTE: the Aeron client of ").append(node).append(" ended (a thread of it did not ")
                    .append("run for more than 10 s): its mirror link is dead for good, the bug that ")
                    .append("MirrorHungPrimaryTest#aPrimaryFrozenLongerThanAeronsClientTimeoutIsFollowedAgainWhenIt")
                    .append("Wakes shows. ").append(timeout).append('\n');
            }
        }
        return note.toString();
    }

    /**
     * Resume, kill and reap every process started, and remove the Aeron directories of the members.
     */
    @Override
    public void close()
    {
        IllegalStateException failure = null;
        for (final MirrorProcess process : processes)
        {
            try
            {
                if (process.paused())
                {
                    process.resume();
                }
                if (process.isAlive())
                {
                    process.kill();
                }
            }
            catch (final Exception ex)
            {
                if (null == failure)
                {
                    failure = new IllegalStateException("cleaning up the mirror pair: " + ex.getMessage(), ex);
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
            MirrorNode.deleteDriverDirectory(process);
        }
        if (null != failure)
        {
            throw failure;
        }
    }

    /**
     * @return a TCP port nobody listens on now, not given before in this JVM.
     */
    static synchronized int tcpPort() throws IOException
    {
        while (true)
        {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
            {
                if (PORTS_GIVEN.add(socket.getLocalPort()))
                {
                    return socket.getLocalPort();
                }
            }
        }
    }

    /**
     * @return a UDP port nobody is bound to now, not given before in this JVM.
     */
    static synchronized int udpPort() throws IOException
    {
        while (true)
        {
            try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
            {
                if (PORTS_GIVEN.add(socket.getLocalPort()))
                {
                    return socket.getLocalPort();
                }
            }
        }
    }
}
