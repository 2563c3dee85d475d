package org.bulwark.server.resp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Settings of the RESP client port (SPEC V-2, V-7), read from the instance configuration
 * ({@code resp.*}, {@code auth.*}, {@code tls.*} keys; see {@code InstanceConfig.KEYS}) or set
 * directly by tests and embedders.
 */
public final class RespConfig
{
    public static final int DEFAULT_PORT = 6380; // not Redis's 6379: a local Redis may run beside us
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final String DEFAULT_GLOBAL = "redis";
    public static final int DEFAULT_MAX_BULK_BYTES = 2 << 20;
    public static final int DEFAULT_MAX_ARRAY_LENGTH = 64 * 1024;
    public static final int DEFAULT_MAX_INLINE_BYTES = 64 * 1024;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 64L << 20;
    public static final long DEFAULT_LOCK_TIMEOUT_MS = 10_000;

    private boolean enabled = true;
    private int ioThreads;
    private int port = DEFAULT_PORT;
    private String bind = DEFAULT_BIND;
    private String global = DEFAULT_GLOBAL;
    private int maxBulkBytes = DEFAULT_MAX_BULK_BYTES;
    private int maxArrayLength = DEFAULT_MAX_ARRAY_LENGTH;
    private int maxInlineBytes = DEFAULT_MAX_INLINE_BYTES;
    private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private String authUser = "default";
    private String authPassword = "";
    private boolean tlsEnabled;
    private Path tlsCertificate;
    private Path tlsPrivateKey;

    /**
     * Event-loop threads serving connections; 0 = half the processors, at least one.
     */
    public int ioThreads()
    {
        return ioThreads;
    }

    public RespConfig ioThreads(final int ioThreads)
    {
        if (ioThreads < 0)
        {
            throw new IllegalArgumentException("ioThreads must be 0 (half the processors) or more, not " + ioThreads);
        }
        this.ioThreads = ioThreads;
        return this;
    }

    public boolean enabled()
    {
        return enabled;
    }

    public RespConfig enabled(final boolean enabled)
    {
        this.enabled = enabled;
        return this;
    }

    public int port()
    {
        return port;
    }

    /**
     * @param port the TCP port; 0 picks a free one (read it back from {@link RespServer#port()}).
     */
    public RespConfig port(final int port)
    {
        if (port < 0 || port > 65_535)
        {
            throw new IllegalArgumentException("resp.port " + port + " is outside 0..65535");
        }
        this.port = port;
        return this;
    }

    public String bind()
    {
        return bind;
    }

    public RespConfig bind(final String bind)
    {
        this.bind = bind;
        return this;
    }

    /**
     * @return the global whose first subscript holds the plain Redis keys: {@code ^redis(key)}.
     */
    public String global()
    {
        return global;
    }

    public RespConfig global(final String global)
    {
        this.global = global;
        return this;
    }

    public int maxBulkBytes()
    {
        return maxBulkBytes;
    }

    public RespConfig maxBulkBytes(final int maxBulkBytes)
    {
        this.maxBulkBytes = positive("resp.maxBulkBytes", maxBulkBytes);
        return this;
    }

    public int maxArrayLength()
    {
        return maxArrayLength;
    }

    public RespConfig maxArrayLength(final int maxArrayLength)
    {
        this.maxArrayLength = positive("resp.maxArrayLength", maxArrayLength);
        return this;
    }

    public int maxInlineBytes()
    {
        return maxInlineBytes;
    }

    public RespConfig maxInlineBytes(final int maxInlineBytes)
    {
        this.maxInlineBytes = positive("resp.maxInlineBytes", maxInlineBytes);
        return this;
    }

    /**
     * @return the most bytes one request (a whole command array) may take.
     */
    public long maxRequestBytes()
    {
        return maxRequestBytes;
    }

    public RespConfig maxRequestBytes(final long maxRequestBytes)
    {
        if (maxRequestBytes <= 0)
        {
            throw new IllegalArgumentException("resp.maxRequestBytes must be positive: " + maxRequestBytes);
        }
        this.maxRequestBytes = maxRequestBytes;
        return this;
    }

    public String authUser()
    {
        return authUser;
    }

    public RespConfig authUser(final String authUser)
    {
        this.authUser = authUser;
        return this;
    }

    /**
     * @return the password clients must give with AUTH or HELLO; empty: no authentication.
     */
    public String authPassword()
    {
        return authPassword;
    }

    public RespConfig authPassword(final String authPassword)
    {
        this.authPassword = null == authPassword ? "" : authPassword;
        return this;
    }

    public boolean authRequired()
    {
        return !authPassword.isEmpty();
    }

    public boolean tlsEnabled()
    {
        return tlsEnabled;
    }

    public Path tlsCertificate()
    {
        return tlsCertificate;
    }

    public Path tlsPrivateKey()
    {
        return tlsPrivateKey;
    }

    /**
     * @param certificate PEM certificate chain; {@code privateKey} a PEM PKCS#8 key.
     */
    public RespConfig tls(final boolean enabled, final Path certificate, final Path privateKey)
    {
        this.tlsEnabled = enabled;
        this.tlsCertificate = certificate;
        this.tlsPrivateKey = privateKey;
        return this;
    }

    /**
     * Check what can only be checked together: a port reachable from other hosts needs a password,
     * TLS needs its files.
     *
     * @throws IllegalArgumentException naming the keys concerned.
     */
    public RespConfig validate()
    {
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(bind);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("resp.bind '" + bind + "' is not an address of this host: " +
                ex.getMessage(), ex);
        }
        if (!address.isLoopbackAddress() && !authRequired())
        {
            throw new IllegalArgumentException("resp.bind '" + bind + "' accepts clients from other hosts, so " +
                "auth.password must be set (or bind to 127.0.0.1)");
        }
        if (tlsEnabled && (null == tlsCertificate || null == tlsPrivateKey))
        {
            throw new IllegalArgumentException("tls.enabled = true needs tls.certificate and tls.privateKey " +
                "(PEM files)");
        }
        return this;
    }

    private static int positive(final String key, final int value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(key + " must be positive: " + value);
        }
        return value;
    }
}
