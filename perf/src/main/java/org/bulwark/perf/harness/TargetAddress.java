package org.bulwark.perf.harness;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * What {@code --target} names: a RESP server ({@code resp://HOST:PORT}) or a PostgreSQL database
 * through JDBC ({@code jdbc:postgresql://HOST:PORT/DB?user=U}). The printable form leaves out any
 * password, so that it can go into the JSON summary and error messages.
 */
final class TargetAddress
{
    static final String RESP = "resp";
    static final String POSTGRESQL = "postgresql";
    private static final String JDBC_PREFIX = "jdbc:postgresql:";

    /** {@link #RESP} or {@link #POSTGRESQL}, as the JSON summary's "system". */
    final String system;
    final String host;
    final int port;
    /** The database of a JDBC target, null for RESP. */
    final String database;
    /** The URL as given (the JDBC driver's connection URL). */
    final String url;

    private TargetAddress(final String system, final String host, final int port, final String database,
        final String url)
    {
        this.system = system;
        this.host = host;
        this.port = port;
        this.database = database;
        this.url = url;
    }

    /**
     * @throws IllegalArgumentException naming the option, the value and what is allowed.
     */
    static TargetAddress parse(final String text)
    {
        if (text.startsWith(RESP + "://"))
        {
            final URI uri = uri(text, text);
            if (null != uri.getRawUserInfo())
            {
                throw bad(text, "put no user or password in a resp:// target: use --password");
            }
            if (!uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/") || null != uri.getRawQuery())
            {
                throw bad(text, "a resp:// target is only resp://HOST:PORT");
            }
            return new TargetAddress(RESP, host(uri, text), port(uri, text), null, text);
        }
        if (text.startsWith(JDBC_PREFIX + "//"))
        {
            final URI uri = uri(text.substring("jdbc:".length()), text);
            final String path = uri.getRawPath();
            if (null == path || path.length() < 2)
            {
                throw bad(text, "name the database: jdbc:postgresql://HOST:PORT/DB?user=U");
            }
            return new TargetAddress(POSTGRESQL, host(uri, text), port(uri, text), path.substring(1), text);
        }
        throw bad(text, "allowed: resp://HOST:PORT (Bulwark or Redis) or jdbc:postgresql://HOST:PORT/DB?user=U");
    }

    private static URI uri(final String text, final String given)
    {
        try
        {
            return new URI(text);
        }
        catch (final URISyntaxException ex)
        {
            throw bad(given, "not a valid URL (" + ex.getReason() + " at index " + ex.getIndex() + ")");
        }
    }

    private static String host(final URI uri, final String given)
    {
        if (null == uri.getHost() || uri.getHost().isEmpty())
        {
            throw bad(given, "no host (or a host that is not a valid name)");
        }
        return uri.getHost();
    }

    private static int port(final URI uri, final String given)
    {
        if (uri.getPort() < 1 || uri.getPort() > 65_535)
        {
            throw bad(given, "give a port from 1 to 65535 after the host (HOST:PORT)");
        }
        return uri.getPort();
    }

    private static IllegalArgumentException bad(final String value, final String why)
    {
        return new IllegalArgumentException("--target: '" + printable(value) + "': " + why);
    }

    boolean isResp()
    {
        return RESP.equals(system);
    }

    /**
     * @return the URL without any password parameter.
     */
    String printable()
    {
        return printable(url);
    }

    private static String printable(final String url)
    {
        final int query = url.indexOf('?');
        if (query < 0)
        {
            return url;
        }
        final StringBuilder kept = new StringBuilder(url.substring(0, query));
        char separator = '?';
        for (final String parameter : url.substring(query + 1).split("&"))
        {
            if (!parameter.toLowerCase(java.util.Locale.ROOT).startsWith("password=") && !parameter.isEmpty())
            {
                kept.append(separator).append(parameter);
                separator = '&';
            }
        }
        return kept.toString();
    }

    /**
     * @return a file-name-safe label such as {@code resp-127.0.0.1-6380}.
     */
    String labelStem()
    {
        final String stem = system + "-" + host + "-" + port + (null == database ? "" : "-" + database);
        return stem.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Override
    public String toString()
    {
        return printable();
    }
}
