package org.bulwark.replication.protocol;

/**
 * The kinds of mirror message, with the stable codes they carry on the wire.
 */
public enum MessageType
{
    /** Either way: who I am, proven with the mirror key. */
    HELLO(1),
    /** Either way: a heartbeat with the sender's role and positions. */
    STATUS(2),
    /** Primary to backup: journal bytes. */
    JOURNAL(3),
    /** Backup to primary: how far the journal got. */
    ACK(4),
    /** Backup to primary: send me the journal from here. */
    CATCHUP(5),
    /** Primary to backup: take over once you have everything up to here. */
    TAKEOVER(6),
    /** Backup to primary: I no longer consider myself active. */
    NOT_ACTIVE(7),
    /** Either way: no, and why. */
    REFUSE(8);

    private static final MessageType[] BY_CODE = new MessageType[9];

    static
    {
        for (final MessageType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final short code;

    MessageType(final int code)
    {
        this.code = (short)code;
    }

    public short code()
    {
        return code;
    }

    /**
     * @return the type with this code, or null if there is none.
     */
    public static MessageType of(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
