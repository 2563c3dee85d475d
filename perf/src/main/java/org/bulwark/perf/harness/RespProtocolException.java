package org.bulwark.perf.harness;

import java.io.IOException;

/**
 * Bytes from the target that are not the RESP reply the harness waits for: the run cannot go on
 * on that connection.
 */
final class RespProtocolException extends IOException
{
    private static final long serialVersionUID = 1L;

    RespProtocolException(final String message)
    {
        super(message);
    }
}
