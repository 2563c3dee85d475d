package org.bulwark.server.resp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable {@link CharSequence} over ASCII bytes of a buffer: a plain key becomes a subscript
 * without a String per request. Only for bytes below 0x80 (others are decoded as UTF-8 instead).
 */
final class AsciiChars implements CharSequence
{
    private ByteBuf source;
    private int offset;
    private int length;

    AsciiChars wrap(final ByteBuf source, final int offset, final int length)
    {
        this.source = source;
        this.offset = offset;
        this.length = length;
        return this;
    }

    @Override
    public int length()
    {
        return length;
    }

    @Override
    public char charAt(final int index)
    {
        if (index < 0 || index >= length)
        {
            throw new IndexOutOfBoundsException("index " + index + " of " + length);
        }
        return (char)source.getByte(offset + index);
    }

    @Override
    public CharSequence subSequence(final int start, final int end)
    {
        return toString().substring(start, end);
    }

    @Override
    public String toString()
    {
        return source.toString(offset, length, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
