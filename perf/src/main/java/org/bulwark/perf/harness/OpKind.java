package org.bulwark.perf.harness;

import java.util.Locale;

/**
 * The operations of a mix ({@code --mix}). One op is what one latency sample measures: a MULTI is
 * the whole transaction (MULTI, three SETs, EXEC), and with {@code --wait-replicas} a write op
 * includes its WAIT.
 */
enum OpKind
{
    /** SET of a {@code --value-bytes} value to a random key {@code key:NNNNNNNNN}. */
    SET(true),
    /** GET of a random key {@code key:NNNNNNNNN}. */
    GET(false),
    /** INCR of a random counter {@code ctr:NNNNNNNNN}. */
    INCR(true),
    /** MULTI, three SETs of random keys, EXEC. */
    MULTI(true);

    private static final OpKind[] VALUES = values();

    private final boolean write;

    OpKind(final boolean write)
    {
        this.write = write;
    }

    boolean isWrite()
    {
        return write;
    }

    /**
     * @return the name used in {@code --mix} and the JSON summary.
     */
    String optionName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @return the kind with that {@code --mix} name, or null.
     */
    static OpKind byOptionName(final String name)
    {
        for (final OpKind kind : VALUES)
        {
            if (kind.optionName().equals(name))
            {
                return kind;
            }
        }
        return null;
    }

    static OpKind of(final int ordinal)
    {
        return VALUES[ordinal];
    }

    static int count()
    {
        return VALUES.length;
    }
}
