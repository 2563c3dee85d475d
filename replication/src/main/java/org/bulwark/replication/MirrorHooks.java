package org.bulwark.replication;

/**
 * User code called at mirror events (SPEC M-20), loaded by class name from {@code mirror.hooks}:
 * the seed's ^ZMIRROR idea in Java. Every method has a default that does nothing, so an
 * implementation overrides only what it needs. Calls come from the mirror agent's thread: keep them
 * short; an exception is logged and, for {@link #mayBecomePrimary}, counts as a veto.
 */
public interface MirrorHooks
{
    /**
     * Before this member takes over as primary (a failover check): return false to veto. A veto
     * keeps the member backup (or waiting) and is logged with the reason returned by
     * {@link #vetoReason()}.
     *
     * @param term     the term this member would start.
     * @param planned  true if the primary asked for it (graceful stop), false after a failure.
     */
    default boolean mayBecomePrimary(final long term, final boolean planned)
    {
        return true;
    }

    /**
     * @return why the last {@link #mayBecomePrimary} returned false (for the log).
     */
    default String vetoReason()
    {
        return "vetoed by the mirror hooks";
    }

    /**
     * This member is primary now: clients may write.
     */
    default void becamePrimary(final long term)
    {
    }

    /**
     * This member is backup now: it follows the primary and refuses client writes.
     */
    default void becameBackup(final long term, final String primaryName)
    {
    }

    /**
     * No hooks.
     */
    MirrorHooks NONE = new MirrorHooks()
    {
    };

    /**
     * Load {@code className} (a public class with a public no-argument constructor), or
     * {@link #NONE} if it is empty.
     *
     * @throws IllegalArgumentException naming the class and what went wrong.
     */
    static MirrorHooks load(final String className)
    {
        if (null == className || className.isBlank())
        {
            return NONE;
        }
        try
        {
            final Object hooks = Class.forName(className.strip()).getConstructor().newInstance();
            if (!(hooks instanceof MirrorHooks))
            {
                throw new IllegalArgumentException("mirror hooks class " + className + " does not implement " +
                    MirrorHooks.class.getName());
            }
            return (MirrorHooks)hooks;
        }
        catch (final ReflectiveOperationException | LinkageError ex)
        {
            throw new IllegalArgumentException("cannot load mirror hooks class " + className + ": " + ex, ex);
        }
    }
}
