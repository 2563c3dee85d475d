package org.bulwark.probes;

import org.HdrHistogram.Histogram;

/**
 * What the pinger of {@code bulwark probe net} measured against one responder.
 *
 * @param target             the responder, as asked.
 * @param address            the address it resolved to.
 * @param sameHost           the address is this host's own (loopback or a local interface): the figures
 *                           are those of the host's network stack, not of a link.
 * @param settings           what was asked.
 * @param pingRatePerSecond  the rate pings went at: the one asked, or lower to fit the link.
 * @param roundTripNs        one value per measured ping (warm-up excluded): echo arrival minus the time the
 *                           ping was due on its schedule (so a ping sent late counts its wait).
 * @param streamMessages     stream messages sent, all acknowledged by the responder's count.
 * @param streamBytes        their bytes.
 * @param streamNs           from the first stream message sent to the final acknowledgement's arrival.
 * @param windowBytes        Aeron's flow-control window: the most a publication has in flight.
 * @param localHost          whether this host is virtual.
 * @param responderVirtual   whether the responder's host said it is virtual.
 * @param processors         processors this JVM sees.
 * @param loadAverage        one-minute load average at the end, negative if unknown.
 */
public record NetProbeResult(
    NetEndpoint target, String address, boolean sameHost, NetProbeSettings settings, int pingRatePerSecond,
    Histogram roundTripNs,
    long streamMessages, long streamBytes, long streamNs, int windowBytes, HostFacts localHost,
    boolean responderVirtual, int processors, double loadAverage)
{
    public long percentileNs(final double percentile)
    {
        return roundTripNs.getValueAtPercentile(percentile);
    }

    public long maxNs()
    {
        return roundTripNs.getMaxValue();
    }

    public long pings()
    {
        return roundTripNs.getTotalCount();
    }

    public double streamMessagesPerSecond()
    {
        return streamMessages * 1e9 / streamNs;
    }

    public double streamBytesPerSecond()
    {
        return streamBytes * 1e9 / streamNs;
    }

    /**
     * The most a window-limited stream can carry at the median round trip (window / p50), in bytes per
     * second: on a long link this, not the link, bounds the stream.
     */
    public double windowBoundBytesPerSecond()
    {
        return windowBytes * 1e9 / Math.max(1, percentileNs(50));
    }

    /**
     * @return true if either end is a virtual machine.
     */
    public boolean virtual()
    {
        return localHost.virtual() || responderVirtual;
    }

    /**
     * @return true if other work kept more than half the processors busy: the figures are noisy.
     */
    public boolean busyMachine()
    {
        return loadAverage > processors / 2.0;
    }
}
