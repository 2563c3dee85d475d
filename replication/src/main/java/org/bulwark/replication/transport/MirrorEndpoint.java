package org.bulwark.replication.transport;

/**
 * A member's mirror endpoint: the UDP {@code HOST:PORT} its link receives on. IPv6 literals are written
 * in brackets ({@code [::1]:7500}), as Aeron channel URIs want them.
 *
 * @param host a host name or an IPv4 or IPv6 literal (without brackets).
 * @param port 1 to 65535: the peer must know it, so it is never "any".
 */
public record MirrorEndpoint(String host, int port)
{
    public MirrorEndpoint
    {
        if (null == host || host.isBlank())
        {
            throw new IllegalArgumentException("a mirror endpoint needs a host");
        }
        if (port < 1 || port > 65_535)
        {
            throw new IllegalArgumentException("mirror endpoint port " + port + " is outside 1..65535");
        }
    }

    /**
     * Parse {@code HOST:PORT} or {@code [IPV6]:PORT}.
     *
     * @param what what the text is, for the error (a configuration key, say).
     * @throws IllegalArgumentException naming {@code what} and the text.
     */
    public static MirrorEndpoint parse(final String text, final String what)
    {
        final String trimmed = null == text ? "" : text.strip();
        final int colon = trimmed.lastIndexOf(':');
        String host = colon > 0 ? trimmed.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        else if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0)
        {
            host = "";
        }
        final String port = colon > 0 ? trimmed.substring(colon + 1) : "";
        if (host.isEmpty() || port.isEmpty() || !port.chars().allMatch(Character::isDigit) || port.length() > 5)
        {
            throw new IllegalArgumentException(what + " '" + text + "' is not HOST:PORT or [IPV6]:PORT");
        }
        try
        {
            return new MirrorEndpoint(host, Integer.parseInt(port));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(what + " '" + text + "': " + ex.getMessage(), ex);
        }
    }

    /**
     * @return {@code host:port} as an Aeron {@code endpoint=} parameter takes it.
     */
    public String aeronEndpoint()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString()
    {
        return aeronEndpoint();
    }
}
