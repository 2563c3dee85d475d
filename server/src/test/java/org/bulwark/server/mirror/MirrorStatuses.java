package org.bulwark.server.mirror;

import org.bulwark.replication.MirrorStatus;

import java.util.List;

/**
 * Mirror statuses as the two members of mirror ORDERS would report them, for the monitor's tests.
 */
public final class MirrorStatuses
{
    public static final MirrorStatus.MemberRow ALPHA_PRIMARY = new MirrorStatus.MemberRow("alpha", "Failover",
        "Primary", "n/a", "n/a", "10.0.0.1:7100", "10.0.0.1:2188");
    public static final MirrorStatus.MemberRow BETA_ACTIVE = new MirrorStatus.MemberRow("beta-long-name",
        "Failover", "Backup", "Active", "Caught up", "10.0.0.2:7100", "10.0.0.2:2188");

    private MirrorStatuses()
    {
    }

    /**
     * alpha, primary in term 7, with beta an Active backup.
     */
    public static MirrorStatus primary(final boolean trouble)
    {
        return new MirrorStatus("ORDERS", "alpha", "PRIMARY", 7, "Agent Controlled", "none", "n/a", trouble,
            List.of(ALPHA_PRIMARY, BETA_ACTIVE), 1_048_576, 1_040_000, 1_048_576, 1_572_864);
    }

    /**
     * beta, backup of alpha, {@code behindBytes} of the journal not yet dejournaled.
     */
    public static MirrorStatus backup(final String journalTransfer, final long behindBytes)
    {
        final MirrorStatus.MemberRow self = new MirrorStatus.MemberRow("beta-long-name", "Failover", "Backup",
            journalTransfer, behindBytes == 0 ? "Caught up" : behindBytes + " bytes behind", "10.0.0.2:7100",
            "10.0.0.2:2188");
        return new MirrorStatus("ORDERS", "beta-long-name", "BACKUP", 7, "Agent Controlled", "none", "n/a", false,
            List.of(self, ALPHA_PRIMARY), 2_000_000, 1_999_000, 2_000_000 - behindBytes, 512);
    }
}
