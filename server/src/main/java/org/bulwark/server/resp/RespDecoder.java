package org.bulwark.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Turns the bytes of a connection into requests ({@link RespParser}). A request reads its
 * arguments in place from the cumulation buffer, so it is passed on from inside {@link #decode}
 * rather than through the output list: ByteToMessageDecoder passes the list's last entry on only
 * after it may have released or compacted the buffer. The next handler finishes with the request
 * before returning (or {@link RespCommand#detach() detaches} it). After a protocol error the rest
 * of the input is discarded: the handler answers and closes the connection.
 */
final class RespDecoder extends ByteToMessageDecoder
{
    private final RespParser parser;
    private boolean failed;

    RespDecoder(final RespConfig config)
    {
        this.parser = new RespParser(config);
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (failed)
        {
            in.skipBytes(in.readableBytes());
            return;
        }
        try
        {
            final RespCommand command = parser.parse(in);
            if (null != command)
            {
                ctx.fireChannelRead(command);
            }
        }
        catch (final RespProtocolException ex)
        {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw ex;
        }
    }

    /**
     * Unlike ByteToMessageDecoder's, never asks for another read: the handler turns auto-read off
     * to hold back a connection whose backlog is full, and reads resume when it turns it on.
     */
    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }
}
