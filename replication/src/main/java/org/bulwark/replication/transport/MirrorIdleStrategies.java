package org.bulwark.replication.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.List;

/**
 * How the mirror's threads (the media driver and the mirror agent) wait for work, chosen by name. None
 * of them spins: on two cores a spinning driver and a spinning agent starve everything else.
 */
public final class MirrorIdleStrategies
{
    /** Spin a little, yield a little, then park from 1 µs doubling up to {@link #MAX_PARK_NS}. */
    public static final String BACKOFF = "backoff";
    /** Yield on every idle pass: the lowest latency, at the price of a core whenever the thread is idle. */
    public static final String YIELD = "yield";
    /** Sleep {@link #SLEEP_MS} ms on every idle pass: almost no CPU, up to a millisecond added per message. */
    public static final String SLEEP = "sleep";
    public static final String DEFAULT = BACKOFF;
    public static final List<String> NAMES = List.of(BACKOFF, YIELD, SLEEP);

    /**
     * The longest park of {@link #BACKOFF}: a message that arrives while the thread sleeps waits at most
     * about this long, small next to a network round trip; a longer park would save little CPU.
     */
    public static final long MAX_PARK_NS = 100_000;
    static final long MAX_SPINS = 10;
    static final long MAX_YIELDS = 20;
    static final long MIN_PARK_NS = 1_000;
    static final long SLEEP_MS = 1;

    private MirrorIdleStrategies()
    {
    }

    /**
     * @param name one of {@link #NAMES}; null means {@link #DEFAULT}.
     * @return a new strategy (strategies keep state: one per thread).
     * @throws IllegalArgumentException naming the value and the names allowed.
     */
    public static IdleStrategy newIdleStrategy(final String name)
    {
        return newIdleStrategy(name, "mirror idle strategy");
    }

    /**
     * @param what the setting the name comes from, for the error ("mirror.idleStrategy").
     * @throws IllegalArgumentException naming {@code what}, the value and the names allowed.
     */
    public static IdleStrategy newIdleStrategy(final String name, final String what)
    {
        switch (null == name ? DEFAULT : name)
        {
            case BACKOFF:
                return new BackoffIdleStrategy(MAX_SPINS, MAX_YIELDS, MIN_PARK_NS, MAX_PARK_NS);
            case YIELD:
                return new YieldingIdleStrategy();
            case SLEEP:
                return new SleepingMillisIdleStrategy(SLEEP_MS);
            default:
                throw new IllegalArgumentException(what + " '" + name + "' is not one of " +
                    String.join(", ", NAMES));
        }
    }
}
