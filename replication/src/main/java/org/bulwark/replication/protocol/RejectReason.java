package org.bulwark.replication.protocol;

/**
 * Why a received message was thrown away; each has a counter on the link.
 */
public enum RejectReason
{
    TOO_SHORT("shorter than the " + MessageFlyweight.HEADER_LENGTH + "-byte header"),
    UNKNOWN_TYPE("unknown message type"),
    UNSUPPORTED_VERSION("unsupported message version (this member speaks " + MessageFlyweight.VERSION + ")"),
    BAD_LENGTH("length does not match the message's layout"),
    BAD_FIELD("a field holds an impossible value"),
    BAD_MAC("HELLO whose MAC does not verify with this mirror's key"),
    WRONG_MIRROR("HELLO from a member of another mirror"),
    UNAUTHENTICATED("message from a peer that has not said a valid HELLO on this session");

    private final String description;

    RejectReason(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }
}
