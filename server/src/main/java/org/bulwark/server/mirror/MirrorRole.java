package org.bulwark.server.mirror;

import org.bulwark.replication.MirrorStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A mirror member's replication facts in Redis's terms, for ROLE and INFO replication: the primary is
 * a {@code master} with its connected backup as a replica; every other member is a {@code slave} of
 * the primary it knows of.
 *
 * <p>Addresses are the members' mirror endpoints ({@code mirror.member.NAME.address}), the only address
 * the status carries: not their RESP ports. A replica's acknowledged position is not in the status
 * either; while the backup is Active every commit waits for its acknowledgement (M-6), so the committed
 * position is what it has at least acknowledged; a backup that is not Active reports 0 (unknown).
 *
 * @param primary     true on the primary (the member that takes writes).
 * @param position    the primary's committed position, or a backup's next record to dejournal.
 * @param replicas    on the primary: the other members it sends the journal to now.
 * @param primaryHost on a backup: the primary's host, or "" if no member is known as primary.
 * @param primaryPort on a backup: the primary's port, or 0.
 * @param linkUp      on a backup: true while it receives the primary's journal.
 */
public record MirrorRole(boolean primary, long position, List<Replica> replicas, String primaryHost,
    int primaryPort, boolean linkUp)
{
    /**
     * One backup as the primary's ROLE lists it.
     *
     * @param name          its member name.
     * @param host          host of its mirror endpoint.
     * @param port          port of its mirror endpoint.
     * @param ackedPosition what it has at least acknowledged (see the class comment), 0 if unknown.
     */
    public record Replica(String name, String host, int port, long ackedPosition)
    {
    }

    public MirrorRole
    {
        replicas = List.copyOf(replicas);
    }

    /**
     * @return true if {@code status} is a primary's.
     */
    public static boolean isPrimary(final MirrorStatus status)
    {
        return "PRIMARY".equalsIgnoreCase(status.role());
    }

    public static MirrorRole of(final MirrorStatus status)
    {
        if (isPrimary(status))
        {
            final List<Replica> replicas = new ArrayList<>();
            for (final MirrorStatus.MemberRow row : status.members())
            {
                if (isSelf(status, row) || !connected(row))
                {
                    continue;
                }
                final long acked = "Active".equalsIgnoreCase(row.journalTransfer()) ? status.committedPosition() : 0;
                replicas.add(new Replica(row.name(), host(row.mirrorAddress()), port(row.mirrorAddress()), acked));
            }
            return new MirrorRole(true, status.committedPosition(), replicas, "", 0, false);
        }
        MirrorStatus.MemberRow primary = null;
        MirrorStatus.MemberRow self = null;
        MirrorStatus.MemberRow other = null;
        for (final MirrorStatus.MemberRow row : status.members())
        {
            if (isSelf(status, row))
            {
                self = null == self ? row : self;
            }
            else if ("Primary".equalsIgnoreCase(row.status()))
            {
                primary = null == primary ? row : primary;
            }
            else if (null == other)
            {
                other = row;
            }
        }
        // No member known as primary: the other failover member is the one this member would follow.
        final MirrorStatus.MemberRow followed = null != primary ? primary : other;
        final boolean linkUp = null != primary && (null == self || !disconnected(self.journalTransfer()));
        return new MirrorRole(false, status.appliedPosition(), List.of(),
            null == followed ? "" : host(followed.mirrorAddress()),
            null == followed ? 0 : port(followed.mirrorAddress()), linkUp);
    }

    private static boolean isSelf(final MirrorStatus status, final MirrorStatus.MemberRow row)
    {
        return null != row.name() && row.name().equalsIgnoreCase(status.memberName());
    }

    private static boolean connected(final MirrorStatus.MemberRow row)
    {
        final String status = null == row.status() ? "" : row.status().toLowerCase(Locale.ROOT);
        return !status.equals("down") && !status.equals("unknown") && !disconnected(row.journalTransfer());
    }

    private static boolean disconnected(final String journalTransfer)
    {
        return null == journalTransfer || journalTransfer.toLowerCase(Locale.ROOT).startsWith("disconnected");
    }

    /**
     * @return the host of {@code host:port} or {@code [v6]:port}, or the whole text if it has no port.
     */
    static String host(final String address)
    {
        if (null == address)
        {
            return "";
        }
        final int colon = portColon(address);
        final String host = colon < 0 ? address : address.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /**
     * @return the port of {@code host:port} or {@code [v6]:port}, or 0 if there is none.
     */
    static int port(final String address)
    {
        final int colon = null == address ? -1 : portColon(address);
        if (colon < 0)
        {
            return 0;
        }
        try
        {
            return Integer.parseInt(address.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }

    /**
     * @return the index of the colon before the port, or -1 (a bare IPv6 address has colons but no port).
     */
    private static int portColon(final String address)
    {
        if (address.startsWith("["))
        {
            final int close = address.indexOf(']');
            return close > 0 && address.indexOf(':', close) == close + 1 ? close + 1 : -1;
        }
        final int colon = address.indexOf(':');
        return colon >= 0 && colon == address.lastIndexOf(':') ? colon : -1;
    }
}
