package org.bulwark.systemtests.mirror;

import java.io.IOException;
import java.util.List;

/**
 * What the mirror tests ask of a member over RESP, as its clients would. An error reply is a value
 * (the {@code PROTECT} of a backup is an expected answer); no reply at all is an {@link IOException}.
 */
interface RespClient extends AutoCloseable
{
    /**
     * @return {@code OK}, or the error reply without its '-', such as {@code PROTECT ...}.
     * @throws IOException if the member gave no reply (not reachable, connection lost, timeout).
     */
    String set(String key, String value) throws IOException;

    /**
     * @return the value, or null if the key has none.
     * @throws IOException if the member gave no reply or an error.
     */
    String get(String key) throws IOException;

    /**
     * @return the values of the keys in their order (null where none).
     * @throws IOException if the member gave no reply or an error.
     */
    List<String> mget(List<String> keys) throws IOException;

    @Override
    void close();

    /**
     * @return true if the reply is the refusal of a member that does not accept updates.
     */
    static boolean isProtect(final String reply)
    {
        return null != reply && reply.startsWith("PROTECT");
    }
}
