package org.bulwark.probes;

/**
 * A UDP endpoint of the network probe: {@code HOST:PORT}, with IPv6 literals in brackets
 * ({@code [::1]:6390}) as Aeron channel URIs write them.
 *
 * @param host a host name, an IPv4 literal, or an IPv6 literal without brackets.
 * @param port 0 to 65535; 0 asks for any free port where a port is bound.
 */
public record NetEndpoint(String host, int port)
{
    public NetEndpoint
    {
        if (null == host || host.isEmpty())
        {
            throw new IllegalArgumentException("an endpoint needs a host");
        }
        if (port < 0 || port > 65_535)
        {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    /**
     * Parse {@code HOST}, {@code HOST:PORT}, {@code [IPV6]:PORT}, {@code IPV6} or (with a default host)
     * {@code PORT} alone.
     *
     * @param defaultHost the host of a bare port, or null if a host is required.
     * @param defaultPort the port when none is given.
     * @param what        what the text is, for the error message (an option name or "host").
     */
    public static NetEndpoint parse(final String text, final String defaultHost, final int defaultPort,
        final String what)
    {
        final String trimmed = null == text ? "" : text.strip();
        if (trimmed.isEmpty())
        {
            throw new IllegalArgumentException(what + " is empty");
        }
        final String host;
        String port = null;
        if (trimmed.startsWith("["))
        {
            final int close = trimmed.indexOf(']');
            if (close < 2 || (close + 1 < trimmed.length() && trimmed.charAt(close + 1) != ':'))
            {
                throw new IllegalArgumentException(what + " '" + text + "' is not [IPV6] or [IPV6]:PORT");
            }
            host = trimmed.substring(1, close);
            port = close + 1 < trimmed.length() ? trimmed.substring(close + 2) : null;
        }
        else if (trimmed.chars().allMatch(Character::isDigit))
        {
            if (null == defaultHost)
            {
                throw new IllegalArgumentException(what + " '" + text + "' is a port: a host is needed too");
            }
            host = defaultHost;
            port = trimmed;
        }
        else if (trimmed.indexOf(':') == trimmed.lastIndexOf(':'))
        {
            final int colon = trimmed.indexOf(':');
            host = colon < 0 ? trimmed : trimmed.substring(0, colon);
            port = colon < 0 ? null : trimmed.substring(colon + 1);
        }
        else
        {
            host = trimmed; // an IPv6 literal without brackets and without a port
        }
        if (host.isEmpty())
        {
            throw new IllegalArgumentException(what + " '" + text + "' has no host");
        }
        return new NetEndpoint(host, null == port ? defaultPort : port(port, text, what));
    }

    /**
     * @return {@code host:port} as an Aeron {@code endpoint=} parameter takes it.
     */
    public String aeronEndpoint()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public NetEndpoint withPort(final int newPort)
    {
        return new NetEndpoint(host, newPort);
    }

    @Override
    public String toString()
    {
        return aeronEndpoint();
    }

    private static int port(final String port, final String text, final String what)
    {
        try
        {
            final int value = Integer.parseInt(port);
            if (value >= 0 && value <= 65_535 && port.chars().allMatch(Character::isDigit))
            {
                return value;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new IllegalArgumentException(what + " '" + text + "': '" + port + "' is not a port (0..65535)");
    }
}
