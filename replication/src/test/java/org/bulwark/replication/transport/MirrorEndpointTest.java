package org.bulwark.replication.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MirrorEndpointTest
{
    @Test
    void parsesHostAndPortAndBracketedIpv6()
    {
        assertEquals(new MirrorEndpoint("10.0.0.2", 7500), MirrorEndpoint.parse("10.0.0.2:7500", "mirror.endpoint"));
        assertEquals(new MirrorEndpoint("db-b.example", 1), MirrorEndpoint.parse(" db-b.example:1 ", "x"));
        final MirrorEndpoint v6 = MirrorEndpoint.parse("[fe80::1]:7500", "x");
        assertEquals(new MirrorEndpoint("fe80::1", 7500), v6);
        assertEquals("[fe80::1]:7500", v6.aeronEndpoint());
    }

    @Test
    void badEndpointsNameTheSettingAndTheText()
    {
        for (final String bad : new String[] {"", "host", ":7500", "host:", "host:x", "fe80::1:7500", "h:123456"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> MirrorEndpoint.parse(bad, "mirror.peer"), bad);
            assertTrue(ex.getMessage().startsWith("mirror.peer '" + bad + "'"), ex.getMessage());
        }
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> MirrorEndpoint.parse("host:0", "mirror.peer"));
        assertEquals("mirror.peer 'host:0': mirror endpoint port 0 is outside 1..65535", zero.getMessage());
    }
}
