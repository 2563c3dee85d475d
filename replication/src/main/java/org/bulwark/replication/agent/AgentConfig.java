package org.bulwark.replication.agent;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of an agent (SPEC M-3): where it listens, the mirror key file, when a member counts as hung,
 * and the members on its host it serves.
 */
public final class AgentConfig
{
    public static final int DEFAULT_PORT = 2188;
    public static final String DEFAULT_BIND = "0.0.0.0";
    public static final long DEFAULT_HUNG_AFTER_MS = 3_000;
    public static final long DEFAULT_FORCE_DOWN_WAIT_MS = 10_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 16;

    private String bindHost = DEFAULT_BIND;
    private int port = DEFAULT_PORT;
    private Path keyFile;
    private long hungAfterMs = DEFAULT_HUNG_AFTER_MS;
    private long forceDownWaitMs = DEFAULT_FORCE_DOWN_WAIT_MS;
    private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
    private long handshakeTimeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private final Map<String, ServedMember> members = new LinkedHashMap<>();

    public String bindHost()
    {
        return bindHost;
    }

    public AgentConfig bindHost(final String bindHost)
    {
        this.bindHost = Objects.requireNonNull(bindHost, "bind host");
        return this;
    }

    public int port()
    {
        return port;
    }

    /**
     * @param port 0 for any free port (tests).
     */
    public AgentConfig port(final int port)
    {
        if (port < 0 || port > 65_535)
        {
            throw new IllegalArgumentException("agent port " + port + " is outside 0..65535");
        }
        this.port = port;
        return this;
    }

    public Path keyFile()
    {
        return keyFile;
    }

    /**
     * The mirror key file (the same on every member and agent of the mirror).
     */
    public AgentConfig keyFile(final Path keyFile)
    {
        this.keyFile = keyFile;
        return this;
    }

    public long hungAfterMs()
    {
        return hungAfterMs;
    }

    /**
     * A live member whose heartbeat is older than this is HUNG.
     */
    public AgentConfig hungAfterMs(final long hungAfterMs)
    {
        this.hungAfterMs = positive("hungAfterMs", hungAfterMs);
        return this;
    }

    public long forceDownWaitMs()
    {
        return forceDownWaitMs;
    }

    /**
     * How long FORCEDOWN waits for the killed process to exit before it answers with an error.
     */
    public AgentConfig forceDownWaitMs(final long forceDownWaitMs)
    {
        this.forceDownWaitMs = positive("forceDownWaitMs", forceDownWaitMs);
        return this;
    }

    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    /**
     * A connection that sends no whole request for this long is closed.
     */
    public AgentConfig idleTimeoutMs(final long idleTimeoutMs)
    {
        this.idleTimeoutMs = positive("idleTimeoutMs", idleTimeoutMs);
        return this;
    }

    public long handshakeTimeoutMs()
    {
        return handshakeTimeoutMs;
    }

    /**
     * A connection that has not authenticated within this is closed.
     */
    public AgentConfig handshakeTimeoutMs(final long handshakeTimeoutMs)
    {
        this.handshakeTimeoutMs = positive("handshakeTimeoutMs", handshakeTimeoutMs);
        return this;
    }

    public int maxConnections()
    {
        return maxConnections;
    }

    /**
     * Connections served at once; one more is refused with a reason.
     */
    public AgentConfig maxConnections(final int maxConnections)
    {
        this.maxConnections = (int)positive("maxConnections", maxConnections);
        return this;
    }

    /**
     * Serve one more member.
     *
     * @throws IllegalArgumentException if a member of that name is served already.
     */
    public AgentConfig member(final ServedMember member)
    {
        if (members.containsKey(member.name()))
        {
            throw new IllegalArgumentException("member '" + member.name() + "' is listed twice");
        }
        members.put(member.name(), member);
        return this;
    }

    /**
     * @return the served member of that name, or null.
     */
    public ServedMember member(final String name)
    {
        return members.get(name);
    }

    public Collection<ServedMember> members()
    {
        return Collections.unmodifiableCollection(members.values());
    }

    /**
     * @throws IllegalArgumentException naming what is missing.
     */
    public AgentConfig validate()
    {
        if (null == keyFile)
        {
            throw new IllegalArgumentException("the agent needs the mirror key file (--key FILE, agent.keyFile)");
        }
        if (members.isEmpty())
        {
            throw new IllegalArgumentException("the agent serves no member (--member NAME=CONFIG_FILE, member.NAME)");
        }
        return this;
    }

    private static long positive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
        return value;
    }
}
