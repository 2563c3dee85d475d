package org.bulwark.replication.transport;

import org.bulwark.common.log.MessageLog;
import org.bulwark.replication.protocol.MessageType;
import org.bulwark.replication.protocol.RejectReason;

import java.util.concurrent.TimeUnit;

/**
 * Logs rejected messages without flooding the log: the first of each reason at once, then at most one
 * line per reason every {@link #INTERVAL_NS}, saying how many there were meanwhile. A peer that sends
 * garbage at full rate costs a counter increment per message, not a log line.
 */
final class RejectionLog
{
    static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final MessageLog log;
    private final String linkName;
    private final boolean[] logged = new boolean[RejectReason.values().length];
    private final long[] lastLoggedNs = new long[RejectReason.values().length];
    private final long[] countAtLastLog = new long[RejectReason.values().length];

    /**
     * @param log      where lines go, or null for standard error.
     * @param linkName names the link in every line ("a <- b on 10.0.0.2:7500").
     */
    RejectionLog(final MessageLog log, final String linkName)
    {
        this.log = log;
        this.linkName = linkName;
    }

    /**
     * @param countForReason how many were rejected for this reason so far, this one included.
     * @param typeCode       the message's type code, or -1 when it had none.
     */
    void rejected(final RejectReason reason, final long countForReason, final int typeCode, final int lengthBytes,
        final int sessionId, final long nowNs)
    {
        final int index = reason.ordinal();
        if (logged[index] && nowNs - lastLoggedNs[index] < INTERVAL_NS)
        {
            return;
        }
        final long since = countForReason - countAtLastLog[index];
        logged[index] = true;
        lastLoggedNs[index] = nowNs;
        countAtLastLog[index] = countForReason;
        final MessageType type = MessageType.of(typeCode);
        final String message = "link " + linkName + ": rejected " + (since == 1 ? "a message" : since + " messages") +
            ", the last " + (null != type ? type.name() : typeCode < 0 ? "without a type" : "of type " + typeCode) +
            ", " + lengthBytes + " bytes, Aeron session " + sessionId + ": " + reason.description() + " (" +
            countForReason + " for this reason since the link opened)";
        if (null == log)
        {
            System.err.println(message);
        }
        else
        {
            log.warning(MirrorDriver.LOG_SUBSYSTEM, message);
        }
    }
}
