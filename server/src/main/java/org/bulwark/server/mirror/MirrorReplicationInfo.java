package org.bulwark.server.mirror;

import org.bulwark.replication.MirrorStatus;

/**
 * The {@code # Replication} fields of INFO for a mirrored member, in the shape Redis clients parse
 * ({@code key:value}, a value of {@code k=v,k=v} pairs read as a map): Redis's own fields first
 * ({@code role:master} on the primary, {@code role:slave} elsewhere, with the primary's address as
 * {@code master_host}/{@code master_port}), then the mirror's ({@code mirror_*}), with one line per
 * member:
 *
 * <pre>
 * role:master
 * connected_slaves:1
 * slave0:ip=10.0.0.2,port=7100,state=online,offset=1048576,name=beta
 * master_repl_offset:1048576
 * mirror:configured
 * mirror_name:ORDERS
 * ...
 * mirror_member_beta:type=Failover,status=Backup,transfer=Active,dejournaling=Caught up,address=10.0.0.2:7100
 * </pre>
 *
 * Positions are journal positions (bytes), which is what Redis's replication offsets are too. A replica
 * line has no {@code lag}: the status does not say when the backup last acknowledged.
 * Values lose the few characters that would break that parsing ({@code ,} {@code =} and line breaks).
 */
public final class MirrorReplicationInfo
{
    private MirrorReplicationInfo()
    {
    }

    /**
     * Append the section's fields (not its {@code # Replication} title), each line ending with {@code crlf}.
     */
    public static void append(final StringBuilder text, final MirrorStatus status, final String crlf)
    {
        final MirrorRole role = MirrorRole.of(status);
        if (role.primary())
        {
            text.append("role:master").append(crlf)
                .append("connected_slaves:").append(role.replicas().size()).append(crlf);
            for (int i = 0; i < role.replicas().size(); i++)
            {
                final MirrorRole.Replica replica = role.replicas().get(i);
                text.append("slave").append(i).append(":ip=").append(value(replica.host()))
                    .append(",port=").append(replica.port())
                    .append(",state=online,offset=").append(replica.ackedPosition())
                    .append(",name=").append(value(replica.name())).append(crlf);
            }
        }
        else
        {
            text.append("role:slave").append(crlf)
                .append("master_host:").append(MirrorText.oneLine(role.primaryHost())).append(crlf)
                .append("master_port:").append(role.primaryPort()).append(crlf)
                .append("master_link_status:").append(role.linkUp() ? "up" : "down").append(crlf)
                .append("master_sync_in_progress:0").append(crlf)
                .append("slave_repl_offset:").append(status.appliedPosition()).append(crlf)
                .append("slave_read_only:1").append(crlf)
                .append("connected_slaves:0").append(crlf);
        }
        text.append("master_repl_offset:").append(status.journalEnd()).append(crlf)
            .append("mirror:configured").append(crlf)
            .append("mirror_name:").append(value(status.mirrorName())).append(crlf)
            .append("mirror_member:").append(value(status.memberName())).append(crlf)
            .append("mirror_role:").append(value(status.role())).append(crlf)
            .append("mirror_term:").append(status.term()).append(crlf)
            .append("mirror_failover_mode:").append(value(status.failoverMode())).append(crlf)
            .append("mirror_arbiter:").append(value(status.arbiter())).append(crlf)
            .append("mirror_arbiter_connection:").append(value(status.arbiterConnection())).append(crlf)
            .append("mirror_trouble:").append(status.trouble() ? 1 : 0).append(crlf)
            .append("mirror_journal_end:").append(status.journalEnd()).append(crlf)
            .append("mirror_committed_position:").append(status.committedPosition()).append(crlf)
            .append("mirror_next_record_to_dejournal:").append(status.appliedPosition()).append(crlf)
            .append("mirror_transfer_rate_bytes_per_sec:").append(status.transferRateBytesPerSec()).append(crlf)
            .append("mirror_members:").append(status.members().size()).append(crlf);
        for (final MirrorStatus.MemberRow row : status.members())
        {
            text.append("mirror_member_").append(key(row.name()))
                .append(":type=").append(value(row.type()))
                .append(",status=").append(value(row.status()))
                .append(",transfer=").append(value(row.journalTransfer()))
                .append(",dejournaling=").append(value(row.dejournaling()))
                .append(",address=").append(value(row.mirrorAddress()))
                .append(crlf);
        }
    }

    /**
     * @return {@code name} usable in a field name: letters, digits, {@code _} and {@code -}; others as {@code _}.
     */
    static String key(final String name)
    {
        final String text = MirrorText.cell(name);
        final StringBuilder key = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            key.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-') ? c : '_');
        }
        return key.toString();
    }

    /**
     * @return {@code text} without what would end the line or split a {@code k=v,k=v} value.
     */
    static String value(final String text)
    {
        return MirrorText.cell(text).replace(',', ' ').replace('=', ' ');
    }
}
