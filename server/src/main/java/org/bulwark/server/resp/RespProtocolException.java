package org.bulwark.server.resp;

import io.netty.handler.codec.DecoderException;

/**
 * A request that is not RESP, or breaks a configured limit (SPEC E-1). The connection gets
 * {@code -ERR Protocol error: ...} and is closed, as Redis does: after a framing error nothing
 * that follows can be trusted to start a request.
 */
public final class RespProtocolException extends DecoderException
{
    private static final long serialVersionUID = 1L;

    public RespProtocolException(final String problem)
    {
        super("Protocol error: " + problem);
    }
}
