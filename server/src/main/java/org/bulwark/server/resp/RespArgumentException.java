package org.bulwark.server.resp;

/**
 * A request with the wrong number or kind of arguments: answered with {@code -ERR} and the text,
 * which names the command and the argument.
 */
final class RespArgumentException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    RespArgumentException(final String message)
    {
        super(message);
    }
}
