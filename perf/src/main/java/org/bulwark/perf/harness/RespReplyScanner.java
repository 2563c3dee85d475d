package org.bulwark.perf.harness;

import java.nio.ByteBuffer;

/**
 * Finds where one RESP reply ends in a buffer and whether it is (or holds) an error, without
 * building the reply: the harness needs no more. Nested arrays (an EXEC reply) are walked with a
 * count of the elements still to come, so nothing is allocated. RESP2 types, plus the RESP3 ones
 * a server might send anyway (null, double, boolean, big number, verbatim, blob error, map, set,
 * push).
 *
 * <p>{@link #scan} starts again from the reply's first byte each time more bytes arrive; replies
 * are small (a value of {@code --value-bytes} at most), and bulk payloads are skipped, not read.
 */
final class RespReplyScanner
{
    private boolean error;
    private boolean integerReply;
    private long integer;

    /**
     * @param from  index of the reply's first byte.
     * @param limit index past the last byte received.
     * @return the index just past the reply, or -1 if it is not complete before {@code limit}.
     * @throws RespProtocolException for bytes that are not a RESP reply.
     */
    int scan(final ByteBuffer buffer, final int from, final int limit) throws RespProtocolException
    {
        error = false;
        integerReply = false;
        long pending = 1;
        int pos = from;
        boolean top = true;
        while (pending > 0)
        {
            if (pos >= limit)
            {
                return -1;
            }
            final byte type = buffer.get(pos);
            final int lineEnd = lineEnd(buffer, pos + 1, limit);
            if (lineEnd < 0)
            {
                return -1;
            }
            pending--;
            int next = lineEnd + 2;
            switch (type)
            {
                case '+', ',', '_', '#', '(' ->
                {
                    // a simple string, double, null, boolean or big number: the line is all of it
                }
                case '-' -> error = true;
                case ':' ->
                {
                    final long value = number(buffer, pos + 1, lineEnd);
                    if (top)
                    {
                        integerReply = true;
                        integer = value;
                    }
                }
                case '$', '=', '!' ->
                {
                    final long length = number(buffer, pos + 1, lineEnd);
                    error |= type == '!';
                    if (length >= 0)
                    {
                        final long end = next + length + 2;
                        if (end > limit)
                        {
                            return -1;
                        }
                        if (buffer.get((int)end - 2) != '\r' || buffer.get((int)end - 1) != '\n')
                        {
                            throw new RespProtocolException("a bulk reply of " + length +
                                " bytes does not end with CRLF");
                        }
                        next = (int)end;
                    }
                    else if (length != -1)
                    {
                        throw new RespProtocolException("bulk length " + length);
                    }
                }
                case '*', '~', '>', '%' ->
                {
                    final long count = number(buffer, pos + 1, lineEnd);
                    if (count > 0)
                    {
                        pending += type == '%' ? 2 * count : count;
                    }
                    else if (count < -1)
                    {
                        throw new RespProtocolException("array length " + count);
                    }
                }
                default -> throw new RespProtocolException(String.format("reply starts with byte 0x%02x, " +
                    "not a RESP type", type & 0xFF));
            }
            pos = next;
            top = false;
        }
        return pos;
    }

    /**
     * @return whether the last reply scanned is an error or holds one (an EXEC with a failed command).
     */
    boolean error()
    {
        return error;
    }

    /**
     * @return whether the last reply scanned is an integer (as WAIT's is).
     */
    boolean integerReply()
    {
        return integerReply;
    }

    /**
     * @return the last integer reply's value.
     */
    long integer()
    {
        return integer;
    }

    /**
     * @return the index of the '\r' of the first CRLF at or after {@code from}, or -1.
     */
    private static int lineEnd(final ByteBuffer buffer, final int from, final int limit) throws RespProtocolException
    {
        for (int i = from; i + 1 < limit; i++)
        {
            if (buffer.get(i) == '\r')
            {
                if (buffer.get(i + 1) != '\n')
                {
                    throw new RespProtocolException("CR without LF in a reply line");
                }
                return i;
            }
        }
        return -1;
    }

    private static long number(final ByteBuffer buffer, final int from, final int to) throws RespProtocolException
    {
        int i = from;
        final boolean negative = i < to && buffer.get(i) == '-';
        if (negative)
        {
            i++;
        }
        if (i >= to || to - i > 18)
        {
            throw new RespProtocolException("a length or integer of " + (to - from) + " characters");
        }
        long value = 0;
        for (; i < to; i++)
        {
            final byte b = buffer.get(i);
            if (b < '0' || b > '9')
            {
                throw new RespProtocolException(String.format("byte 0x%02x in a length or integer", b & 0xFF));
            }
            value = value * 10 + (b - '0');
        }
        return negative ? -value : value;
    }
}
