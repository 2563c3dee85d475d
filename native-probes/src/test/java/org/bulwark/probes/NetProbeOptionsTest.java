package org.bulwark.probes;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The network probe's parts without a network: endpoints, settings and idle strategies with their
 * errors, host facts, and the recommendation's formula and thresholds on made-up results.
 */
class NetProbeOptionsTest
{
    @TempDir
    Path dir;

    @Test
    void endpointsParse()
    {
        assertEquals(new NetEndpoint("db2", 6390), NetEndpoint.parse("db2", null, 6390, "host"));
        assertEquals(new NetEndpoint("10.0.0.7", 7000), NetEndpoint.parse("10.0.0.7:7000", null, 6390, "host"));
        assertEquals(new NetEndpoint("::1", 6390), NetEndpoint.parse("::1", null, 6390, "host"));
        assertEquals(new NetEndpoint("::1", 7000), NetEndpoint.parse("[::1]:7000", null, 6390, "host"));
        assertEquals(new NetEndpoint("0.0.0.0", 7000), NetEndpoint.parse("7000", "0.0.0.0", 6390, "--listen"));
        assertEquals("[::1]:7000", new NetEndpoint("::1", 7000).aeronEndpoint());
        assertEquals("db2:7000", new NetEndpoint("db2", 7000).toString());
    }

    @Test
    void badEndpointsAreNamed()
    {
        assertError("--listen 'x:99999': '99999' is not a port (0..65535)",
            () -> NetEndpoint.parse("x:99999", "0.0.0.0", 6390, "--listen"));
        assertError("host 'db2:port': 'port' is not a port (0..65535)",
            () -> NetEndpoint.parse("db2:port", null, 6390, "host"));
        assertError("host '7000' is a port: a host is needed too", () -> NetEndpoint.parse("7000", null, 6390, "host"));
        assertError("host ':7000' has no host", () -> NetEndpoint.parse(":7000", null, 6390, "host"));
        assertError("host '[::1' is not [IPV6] or [IPV6]:PORT", () -> NetEndpoint.parse("[::1", null, 6390, "host"));
        assertError("host is empty", () -> NetEndpoint.parse(" ", null, 6390, "host"));
    }

    @Test
    void settingsOutOfRangeNameTheirOption()
    {
        final long second = TimeUnit.SECONDS.toNanos(1);
        assertError("option --messages must be 1 to 10000000, not 0",
            () -> new NetProbeSettings(0, 64, 10, second, second, NetIdle.BACKOFF, 0));
        assertError("option --size must be 24 to 65536, not 8",
            () -> new NetProbeSettings(10, 8, 10, second, second, NetIdle.BACKOFF, 0));
        assertError("option --rate must be 1 to 1000000, not 0",
            () -> new NetProbeSettings(10, 64, 0, second, second, NetIdle.BACKOFF, 0));
        assertError("option --reply-port must be 0 to 65535, not 70000",
            () -> new NetProbeSettings(10, 64, 10, second, second, NetIdle.BACKOFF, 70_000));
        assertError("option --timeout must be 10 ms to 1 h",
            () -> new NetProbeSettings(10, 64, 10, second, 1, NetIdle.BACKOFF, 0));
        assertError("option --stream must be 1 ms to 1 h",
            () -> new NetProbeSettings(10, 64, 10, 0, second, NetIdle.BACKOFF, 0));
        assertEquals(2_000, NetProbeSettings.defaults().warmupMessages());
        assertEquals(50, new NetProbeSettings(10, 64, 10, second, second, NetIdle.BACKOFF, 0).warmupMessages());
    }

    @Test
    void pingsTakeATenthOfTheStreamAtMost()
    {
        final NetProbeSettings settings = NetProbeSettings.defaults(); // 2,000 pings/s of 1 KiB
        assertEquals(2_000, NetPinger.pingRate(settings, 100e6), "a fast link keeps the rate asked");
        assertEquals(122, NetPinger.pingRate(settings, 1.25e6), "10 Mbit/s: a tenth is 122 pings of 1 KiB a second");
        assertEquals(1, NetPinger.pingRate(settings, 0), "never below one a second");
    }

    @Test
    void idleStrategiesParse()
    {
        assertEquals(NetIdle.YIELD, NetIdle.parse("yield"));
        assertEquals(NetIdle.SLEEP, NetIdle.parse("sleep"));
        assertEquals(NetIdle.BACKOFF, NetIdle.parse("backoff"));
        assertError("option --idle takes backoff, yield or sleep, not 'spin'", () -> NetIdle.parse("spin"));
    }

    @Test
    void aHypervisorFlagOrVendorMeansVirtual() throws Exception
    {
        final Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"),
            "processor\t: 0\nflags\t\t: fpu vme sse2 hypervisor lahf_lm\n");
        final Path noDmi = dir.resolve("no-dmi");
        assertTrue(HostFacts.read(cpuinfo, noDmi).virtual());

        final Path plain = Files.writeString(dir.resolve("plain"), "processor\t: 0\nflags\t\t: fpu vme sse2\n");
        assertFalse(HostFacts.read(plain, noDmi).virtual());
        final Path dmi = Files.createDirectories(dir.resolve("dmi"));
        Files.writeString(dmi.resolve("sys_vendor"), "QEMU\n");
        final HostFacts qemu = HostFacts.read(plain, dmi);
        assertTrue(qemu.virtual());
        assertTrue(qemu.evidence().contains("'QEMU'"), qemu.evidence());
        Files.writeString(dmi.resolve("sys_vendor"), "Dell Inc.\n");
        assertFalse(HostFacts.read(plain, dmi).virtual());
        assertFalse(HostFacts.read(dir.resolve("none"), noDmi).virtual());
    }

    @Test
    void theQosFloorHoldsOnAFastLinkAndTheTailDecidesOnASlowOne()
    {
        final MirrorRecommendation lan = MirrorRecommendation.from(result(false, false, 200_000, 300e6));
        assertEquals(MirrorRecommendation.QOS_FLOOR_PHYSICAL_MS, lan.qosTimeoutMs());
        assertEquals("none", lan.compression());
        assertTrue(lan.qosReason().contains("both hosts are physical"), lan.qosReason());

        final MirrorRecommendation vm = MirrorRecommendation.from(result(false, true, 200_000, 300e6));
        assertEquals(MirrorRecommendation.QOS_FLOOR_VIRTUAL_MS, vm.qosTimeoutMs());

        // every round trip 150 ms: 2 x 10 x 150 ms = 3 s, above the physical floor (the histogram's 0.1 %
        // precision and the rounding up to 100 ms may add one step)
        final MirrorRecommendation slow = MirrorRecommendation.from(result(false, false, 150_000_000, 50e6));
        assertTrue(slow.qosTimeoutMs() == 3_000 || slow.qosTimeoutMs() == 3_100, slow.qosReason());
        assertEquals("lz4", slow.compression());

        final MirrorRecommendation wan = MirrorRecommendation.from(result(false, false, 40_000_000, 5e6));
        assertEquals("zstd", wan.compression());
        assertEquals(MirrorRecommendation.QOS_FLOOR_PHYSICAL_MS, wan.qosTimeoutMs(), "800 ms needed, the floor wins");

        assertEquals("none", MirrorRecommendation.from(result(true, false, 200_000, 5e6)).compression(),
            "the same host never compresses");
    }

    /**
     * A result whose every round trip took {@code roundTripNs} and whose stream ran at {@code bytesPerSecond}.
     */
    private static NetProbeResult result(final boolean sameHost, final boolean virtual, final long roundTripNs,
        final double bytesPerSecond)
    {
        final Histogram histogram = Latency.newHistogram();
        for (int i = 0; i < 1000; i++)
        {
            Latency.record(histogram, roundTripNs);
        }
        final long streamNs = TimeUnit.SECONDS.toNanos(2);
        final long bytes = (long)(bytesPerSecond * 2);
        return new NetProbeResult(new NetEndpoint("db2", 6390), "10.0.0.2", sameHost, NetProbeSettings.defaults(),
            NetProbeSettings.DEFAULT_RATE_PER_SECOND, histogram, bytes / 1024, bytes, streamNs, 128 * 1024,
            new HostFacts(virtual, "made up"), false, 2, 0.1);
    }

    private static void assertError(final String message, final org.junit.jupiter.api.function.Executable call)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, ex.getMessage());
    }
}
