package org.bulwark.wij;

/**
 * Points inside a write daemon cycle where crash tests stop the process (SPEC F-1). The default
 * does nothing; a test child process blocks at a chosen point and the parent kills it.
 */
@FunctionalInterface
public interface WriteDaemonProbe
{
    WriteDaemonProbe NONE = (point, cycleNumber, sealedSequence) -> {};

    /**
     * Where in a cycle the daemon is.
     */
    enum Point
    {
        /** The cycle is sealed; nothing written yet. */
        SEALED,
        /** Phase 1: part of the images written to the WIJ, not yet synced. */
        INSIDE_PHASE_1,
        /** Phase 1: images durable, active flag not yet set. */
        AFTER_PHASE_1,
        /** The active flag is durable. */
        ACTIVE_FLAG_SET,
        /** Phase 2: part of the blocks written to block files, not yet synced. */
        INSIDE_PHASE_2,
        /** Phase 2: block files durable, active flag still set. */
        AFTER_PHASE_2,
        /** The active flag is cleared: the cycle is complete. */
        COMPLETE
    }

    /**
     * @param point           where the daemon is.
     * @param cycleNumber     the WIJ cycle number.
     * @param sealedSequence  the store's update sequence the cycle was sealed at.
     */
    void at(Point point, long cycleNumber, long sealedSequence);
}
