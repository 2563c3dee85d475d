package org.bulwark.wij;

/**
 * The startup decision table of the WIJ (SPEC W-4, W-5, W-7): every combination of what startup
 * finds maps to exactly one row, checked in this order, and each row to one action.
 *
 * <pre>
 *  row                          MISMATCH  WIJ   headers      skip  state     clean  descriptor  action
 *  MISMATCH_PENDING             present   any   any          any   any       any    any         REFUSE
 *  NO_WIJ                       absent    none  -            any   -         -      -           CREATE
 *  SKIP_REQUESTED               absent    yes   any          yes   any       any    any         DISCARD
 *  HEADERS_BLANK                absent    yes   all zero     no    -         -      -           CREATE
 *  HEADERS_DAMAGED              absent    yes   none valid   no    -         -      -           REFUSE
 *  ACTIVE_INTACT                absent    yes   valid        no    ACTIVE    any    intact      RESTORE
 *  ACTIVE_DAMAGED               absent    yes   valid        no    ACTIVE    any    damaged     REFUSE
 *  COMPLETE_CLEAN               absent    yes   valid        no    COMPLETE  yes    any         NONE
 *  COMPLETE_AFTER_CRASH         absent    yes   valid        no    COMPLETE  no     intact      COMPARE
 *  COMPLETE_NOTHING_TO_COMPARE  absent    yes   valid        no    COMPLETE  no     damaged     NONE
 *  EMPTY                        absent    yes   valid        no    EMPTY     any    any         NONE
 *  FOREIGN                      absent    yes   valid        no    MISMATCH  any    any         REFUSE
 * </pre>
 *
 * "Damaged" covers a descriptor that does not match the header's cycle: in COMPLETE state that is
 * normal when a crash came during the next cycle's phase 1, which overwrites the old descriptor.
 */
public enum RecoveryCase
{
    MISMATCH_PENDING(Action.REFUSE, "a MISMATCH.WIJ from an earlier block comparison awaits the operator"),
    NO_WIJ(Action.CREATE, "no WIJ file: create one"),
    SKIP_REQUESTED(Action.DISCARD, "WIJ and journal recovery skipped by request: the WIJ is marked deleted"),
    HEADERS_BLANK(Action.CREATE, "the WIJ was allocated but never written: initialise it"),
    HEADERS_DAMAGED(Action.REFUSE, "both WIJ header slots are damaged"),
    ACTIVE_INTACT(Action.RESTORE, "the active flag is set: restore the cycle's blocks into their databases"),
    ACTIVE_DAMAGED(Action.REFUSE,
        "the active flag is set but the cycle descriptor is damaged: nothing can be restored"),
    COMPLETE_CLEAN(Action.NONE, "the last cycle completed and the instance shut down cleanly"),
    COMPLETE_AFTER_CRASH(Action.COMPARE,
        "the last cycle completed before a crash: compare its blocks with the databases"),
    COMPLETE_NOTHING_TO_COMPARE(Action.NONE,
        "the last cycle completed before a crash, but its blocks were being overwritten: nothing to compare"),
    EMPTY(Action.NONE, "the WIJ holds nothing to restore or compare"),
    FOREIGN(Action.REFUSE, "the WIJ file is a MISMATCH file, not a WIJ");

    /**
     * What startup does.
     */
    public enum Action
    {
        /** Stop: the operator must act. */
        REFUSE,
        /** Make a new, empty WIJ. */
        CREATE,
        /** Mark the WIJ deleted without applying it. */
        DISCARD,
        /** Write the cycle's images into the databases. */
        RESTORE,
        /** Compare the cycle's images with the databases, within the time limit. */
        COMPARE,
        /** Nothing to do. */
        NONE
    }

    /**
     * What startup found.
     */
    public static final class Observation
    {
        public boolean mismatchFilePresent;
        public boolean wijPresent;
        public boolean headersBlank;
        public boolean headerValid;
        public int state;
        public boolean cleanShutdown;
        public boolean descriptorIntact;
        public boolean skipRecovery;

        @Override
        public String toString()
        {
            return "mismatch file " + mismatchFilePresent + ", WIJ " + wijPresent + ", blank " + headersBlank +
                ", header valid " + headerValid + ", state " + WijHeader.stateName(state) + ", clean " + cleanShutdown +
                ", descriptor intact " + descriptorIntact + ", skip " + skipRecovery;
        }
    }

    private final Action action;
    private final String description;

    RecoveryCase(final Action action, final String description)
    {
        this.action = action;
        this.description = description;
    }

    public Action action()
    {
        return action;
    }

    public String description()
    {
        return description;
    }

    /**
     * @return the row that matches.
     */
    public static RecoveryCase decide(final Observation o)
    {
        if (o.mismatchFilePresent)
        {
            return MISMATCH_PENDING;
        }
        if (!o.wijPresent)
        {
            return NO_WIJ;
        }
        if (o.skipRecovery)
        {
            return SKIP_REQUESTED;
        }
        if (!o.headerValid)
        {
            return o.headersBlank ? HEADERS_BLANK : HEADERS_DAMAGED;
        }
        switch (o.state)
        {
            case WijHeader.STATE_ACTIVE:
                return o.descriptorIntact ? ACTIVE_INTACT : ACTIVE_DAMAGED;
            case WijHeader.STATE_COMPLETE:
                if (o.cleanShutdown)
                {
                    return COMPLETE_CLEAN;
                }
                return o.descriptorIntact ? COMPLETE_AFTER_CRASH : COMPLETE_NOTHING_TO_COMPARE;
            case WijHeader.STATE_EMPTY:
                return EMPTY;
            default:
                return FOREIGN;
        }
    }
}
