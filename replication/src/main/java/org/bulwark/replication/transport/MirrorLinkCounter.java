package org.bulwark.replication.transport;

/**
 * The counters of a {@link MirrorLink} (besides one per {@link org.bulwark.replication.protocol.RejectReason}).
 * Bytes are whole mirror messages, headers included.
 */
public enum MirrorLinkCounter
{
    MESSAGES_SENT("mirror messages sent"),
    BYTES_SENT("mirror message bytes sent"),
    JOURNAL_BYTES_SENT("journal bytes sent in JOURNAL messages"),
    SENDS_FAILED("sends refused by Aeron: not connected, back-pressured or closed"),
    MESSAGES_RECEIVED("valid mirror messages received from the authenticated peer"),
    BYTES_RECEIVED("bytes of valid mirror messages received"),
    JOURNAL_BYTES_RECEIVED("journal bytes received in JOURNAL messages"),
    REJECTED("messages received and thrown away, for any reason");

    private final String description;

    MirrorLinkCounter(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }
}
