package org.bulwark.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One request: its arguments as ranges of a buffer, read in place. The parser re-fills one instance
 * per connection, valid only while the request is being handled; {@link #detach()} copies one
 * that must wait (queued in MULTI, or behind a blocking command).
 */
public final class RespCommand
{
    private ByteBuf source;
    private int argc;
    private int[] offsets;
    private int[] lengths;
    private final int maxCapacity;

    RespCommand(final int initialCapacity, final int maxCapacity)
    {
        offsets = new int[initialCapacity];
        lengths = new int[initialCapacity];
        this.maxCapacity = maxCapacity;
    }

    void reset(final ByteBuf source)
    {
        this.source = source;
        this.argc = 0;
    }

    void source(final ByteBuf source)
    {
        this.source = source;
    }

    /**
     * Add an argument; the arrays grow with the arguments actually received, never with a count a
     * client merely declares.
     */
    void add(final int offset, final int length)
    {
        if (argc == offsets.length)
        {
            final int capacity = Math.max(argc + 1, Math.min(argc * 2, maxCapacity));
            offsets = Arrays.copyOf(offsets, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
        }
        offsets[argc] = offset;
        lengths[argc] = length;
        argc++;
    }

    void shift(final int delta)
    {
        for (int i = 0; i < argc; i++)
        {
            offsets[i] += delta;
        }
    }

    int capacity()
    {
        return offsets.length;
    }

    public int argc()
    {
        return argc;
    }

    public ByteBuf source()
    {
        return source;
    }

    public int offset(final int index)
    {
        return offsets[index];
    }

    public int length(final int index)
    {
        return lengths[index];
    }

    /**
     * @param upperName an upper-case ASCII name.
     * @return true if argument {@code index} is that name in any case.
     */
    public boolean is(final int index, final String upperName)
    {
        final int length = lengths[index];
        if (length != upperName.length())
        {
            return false;
        }
        final int offset = offsets[index];
        for (int i = 0; i < length; i++)
        {
            int c = source.getByte(offset + i);
            if (c >= 'a' && c <= 'z')
            {
                c -= 'a' - 'A';
            }
            if (c != upperName.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return argument {@code index} as UTF-8 text (allocates: for the less hot commands).
     */
    public String string(final int index)
    {
        return source.toString(offsets[index], lengths[index], StandardCharsets.UTF_8);
    }

    /**
     * @return true if every byte of the argument is 7-bit ASCII.
     */
    public boolean isAscii(final int index)
    {
        final int end = offsets[index] + lengths[index];
        for (int i = offsets[index]; i < end; i++)
        {
            if (source.getByte(i) < 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the argument as a 64-bit integer.
     * @throws NumberFormatException if it is not one (the caller names the command and argument).
     */
    public long longValue(final int index)
    {
        final int length = lengths[index];
        final int offset = offsets[index];
        if (length == 0 || length > 20)
        {
            throw new NumberFormatException();
        }
        boolean negative = false;
        int i = 0;
        if (source.getByte(offset) == '-')
        {
            negative = true;
            i = 1;
            if (length == 1)
            {
                throw new NumberFormatException();
            }
        }
        long value = 0;
        for (; i < length; i++)
        {
            final int digit = source.getByte(offset + i) - '0';
            if (digit < 0 || digit > 9)
            {
                throw new NumberFormatException();
            }
            try
            {
                value = Math.addExact(Math.multiplyExact(value, 10), negative ? -digit : digit);
            }
            catch (final ArithmeticException ex)
            {
                throw new NumberFormatException("out of range");
            }
        }
        return value;
    }

    /**
     * @return a copy that owns its bytes (on the heap), for a request that must wait.
     */
    public RespCommand detach()
    {
        int total = 0;
        for (int i = 0; i < argc; i++)
        {
            total += lengths[i];
        }
        final ByteBuf copy = Unpooled.buffer(total, total);
        final RespCommand detached = new RespCommand(Math.max(1, argc), Math.max(1, argc));
        detached.reset(copy);
        for (int i = 0; i < argc; i++)
        {
            detached.add(copy.writerIndex(), lengths[i]);
            copy.writeBytes(source, offsets[i], lengths[i]);
        }
        return detached;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < argc; i++)
        {
            text.append(i == 0 ? "" : " ").append(string(i));
        }
        return text.toString();
    }
}
