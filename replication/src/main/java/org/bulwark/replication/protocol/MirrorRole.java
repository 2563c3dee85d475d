package org.bulwark.replication.protocol;

/**
 * A failover member's role as it announces it in HELLO and STATUS, with its wire code.
 */
public enum MirrorRole
{
    UNKNOWN(0),
    PRIMARY(1),
    BACKUP(2);

    private static final MirrorRole[] BY_CODE = {UNKNOWN, PRIMARY, BACKUP};

    private final byte code;

    MirrorRole(final int code)
    {
        this.code = (byte)code;
    }

    public byte code()
    {
        return code;
    }

    /**
     * @return the role with this code, or null if there is none.
     */
    public static MirrorRole of(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
