package org.bulwark.wij;

import java.util.Set;

/**
 * Operator choices for WIJ recovery at startup.
 *
 * @param skipRecovery  SPEC W-7: start without WIJ (and journal) recovery, for restoring a backup
 *                      over a database; the WIJ is marked deleted without being applied.
 * @param skipDatasets  SPEC W-4 override: datasets (database names or directories) whose pending
 *                      restore is abandoned; they may be corrupt afterwards.
 */
public record RecoveryOptions(boolean skipRecovery, Set<String> skipDatasets)
{
    public static final RecoveryOptions NORMAL = new RecoveryOptions(false, Set.of());
}
