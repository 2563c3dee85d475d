package org.bulwark.probes;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;

/**
 * How the network probe's own threads wait for work ({@code --idle}). None of them spins: on two
 * cores, three spinning threads (a pinger, a responder and a driver) starve each other for minutes.
 */
public enum NetIdle
{
    /** Spin a little, yield a little, then park from 1 µs doubling up to {@link #MAX_PARK_NS}: the default. */
    BACKOFF,
    /** Yield the processor on every idle pass: lowest latency, but a whole core whenever the thread is idle. */
    YIELD,
    /** Sleep 1 ms on every idle pass: nearly no CPU, but up to a millisecond added to every answer. */
    SLEEP;

    /**
     * Longest park of {@link #BACKOFF} (and of the drivers' threads unless YIELD): an idle thread wakes at
     * least this often, so a message that arrives while it sleeps waits at most about this long (plus the kernel's
     * timer slack of ~50 µs), a small share of a network round trip; a longer park would save little CPU.
     */
    public static final long MAX_PARK_NS = 100_000;
    static final long MAX_SPINS = 10;
    static final long MAX_YIELDS = 20;
    static final long MIN_PARK_NS = 1_000;
    static final long SLEEP_MS = 1;

    public IdleStrategy newStrategy()
    {
        switch (this)
        {
            case YIELD:
                return YieldingIdleStrategy.INSTANCE;
            case SLEEP:
                return new SleepingMillisIdleStrategy(SLEEP_MS);
            default:
                return backoff();
        }
    }

    /**
     * How a probe's media driver waits: yielding with {@link #YIELD} (the wire's round trip, as
     * FACTS.md measures it, at the cost of a core for the driver), else backing off; a driver that
     * sleeps whole milliseconds would add them to every message.
     */
    IdleStrategy newDriverStrategy()
    {
        return this == YIELD ? YieldingIdleStrategy.INSTANCE : backoff();
    }

    /**
     * The backoff of {@link #BACKOFF}, and of the drivers unless {@code --idle yield}.
     */
    static IdleStrategy backoff()
    {
        return new BackoffIdleStrategy(MAX_SPINS, MAX_YIELDS, MIN_PARK_NS, MAX_PARK_NS);
    }

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the option and the choices.
     */
    public static NetIdle parse(final String text)
    {
        for (final NetIdle idle : values())
        {
            if (idle.label().equals(text))
            {
                return idle;
            }
        }
        throw new IllegalArgumentException("option --idle takes backoff, yield or sleep, not '" + text + "'");
    }
}
