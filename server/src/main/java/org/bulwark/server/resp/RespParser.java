package org.bulwark.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Parses requests, RESP arrays of bulk strings or inline command lines, from a growing buffer
 * without copying: a complete request's arguments are ranges of the buffer ({@link RespCommand}).
 * An incomplete request keeps its progress, so a large one arriving in many reads is scanned once.
 * Every limit is checked before the bytes it would cover are awaited, so a client cannot make the
 * server buffer or allocate more than {@link RespConfig} allows (SPEC E-1).
 *
 * <pre>
 * *2\r\n$3\r\nGET\r\n$1\r\nk\r\n      a request array of bulk strings
 * GET k\r\n                          an inline request ("double" and 'single' quotes group words)
 * </pre>
 */
final class RespParser
{
    /** "*" or "$", up to 20 digits and a sign, CRLF: anything longer is not a header. */
    private static final int MAX_HEADER_BYTES = 32;
    private static final int INITIAL_ARGS = 8;

    private final int maxBulkBytes;
    private final int maxArrayLength;
    private final int maxInlineBytes;
    private final long maxRequestBytes;
    private final RespCommand command;

    // Progress through an incomplete array request, relative to the buffer's reader index.
    private int declared = -1;
    private int position;

    private byte[] inline = new byte[0];
    private ByteBuf inlineBuffer = Unpooled.EMPTY_BUFFER;

    RespParser(final RespConfig config)
    {
        this.maxBulkBytes = config.maxBulkBytes();
        this.maxArrayLength = config.maxArrayLength();
        this.maxInlineBytes = config.maxInlineBytes();
        this.maxRequestBytes = config.maxRequestBytes();
        this.command = new RespCommand(Math.min(INITIAL_ARGS, maxArrayLength), maxArrayLength);
    }

    /**
     * Parse the next request at the reader index. On success the reader index is moved past it.
     *
     * @return the request (valid until the next call), or null if more bytes are needed.
     * @throws RespProtocolException if the bytes are not a valid request or break a limit.
     */
    RespCommand parse(final ByteBuf in)
    {
        while (true)
        {
            final int start = in.readerIndex();
            final int end = in.writerIndex();
            if (declared < 0)
            {
                if (start == end)
                {
                    return null;
                }
                if (in.getByte(start) != '*')
                {
                    final int result = parseInline(in, start, end);
                    if (result < 0)
                    {
                        return null;
                    }
                    if (result == 0)
                    {
                        continue; // an empty line: nothing to do
                    }
                    return command;
                }
                final int lineEnd = findLineEnd(in, start + 1, end);
                if (lineEnd < 0)
                {
                    return null;
                }
                final long count = parseNumber(in, start + 1, lineEnd, "invalid multibulk length");
                if (count > maxArrayLength)
                {
                    throw new RespProtocolException("invalid multibulk length: " + count + " elements is more " +
                        "than the limit of " + maxArrayLength + " (resp.maxArrayLength)");
                }
                if (count <= 0)
                {
                    in.readerIndex(lineEnd + 2); // *0 and *-1: Redis skips them
                    continue;
                }
                declared = (int)count;
                position = lineEnd + 2 - start;
                command.reset(in);
            }
            while (command.argc() < declared)
            {
                final int p = start + position;
                if (p >= end)
                {
                    return null;
                }
                final byte type = in.getByte(p);
                if (type != '$')
                {
                    throw new RespProtocolException("expected '$', got '" + printable(type) + "'");
                }
                final int lineEnd = findLineEnd(in, p + 1, end);
                if (lineEnd < 0)
                {
                    return null;
                }
                final long length = parseNumber(in, p + 1, lineEnd, "invalid bulk length");
                if (length < 0 || length > maxBulkBytes)
                {
                    throw new RespProtocolException("invalid bulk length: " + length + (length > maxBulkBytes ?
                        " bytes is more than the limit of " + maxBulkBytes + " (resp.maxBulkBytes)" : ""));
                }
                final long requestEnd = (long)lineEnd + 2 + length + 2 - start;
                if (requestEnd > maxRequestBytes)
                {
                    throw new RespProtocolException("request of more than " + maxRequestBytes +
                        " bytes (resp.maxRequestBytes)");
                }
                final int dataStart = lineEnd + 2;
                final int dataEnd = dataStart + (int)length;
                if (dataEnd + 2 > end)
                {
                    return null;
                }
                if (in.getByte(dataEnd) != '\r' || in.getByte(dataEnd + 1) != '\n')
                {
                    throw new RespProtocolException("bulk string of " + length + " bytes is not followed by CRLF");
                }
                command.add(dataStart - start, (int)length);
                position = dataEnd + 2 - start;
            }
            // Offsets were kept relative to the request start: the decoder may have replaced or
            // compacted its buffer between reads.
            command.source(in);
            command.shift(start);
            in.readerIndex(start + position);
            declared = -1;
            position = 0;
            return command;
        }
    }

    /**
     * @return 1 with a request in {@link #command}, 0 for an empty line (consumed), -1 for more bytes.
     */
    private int parseInline(final ByteBuf in, final int start, final int end)
    {
        final int searchEnd = (int)Math.min(end, (long)start + maxInlineBytes + 2);
        final int newline = in.indexOf(start, searchEnd, (byte)'\n');
        if (newline < 0)
        {
            if (end - start > maxInlineBytes)
            {
                throw new RespProtocolException("too big inline request: more than " + maxInlineBytes +
                    " bytes without a newline (resp.maxInlineBytes)");
            }
            return -1;
        }
        int lineEnd = newline;
        if (lineEnd > start && in.getByte(lineEnd - 1) == '\r')
        {
            lineEnd--;
        }
        if (lineEnd - start > maxInlineBytes)
        {
            throw new RespProtocolException("too big inline request: more than " + maxInlineBytes +
                " bytes (resp.maxInlineBytes)");
        }
        if (inline.length < lineEnd - start)
        {
            inline = new byte[Math.min(maxInlineBytes, Math.max(256, 2 * (lineEnd - start)))];
            inlineBuffer = Unpooled.wrappedBuffer(inline);
        }
        command.reset(inlineBuffer);
        splitInline(in, start, lineEnd);
        in.readerIndex(newline + 1);
        return command.argc() == 0 ? 0 : 1;
    }

    /**
     * Split a line into words, as redis-cli and Redis do: blanks separate, "..." takes \n \r \t \\ \"
     * and \xHH escapes, '...' takes \'. The words are copied unescaped into the inline buffer.
     */
    private void splitInline(final ByteBuf in, final int start, final int end)
    {
        int out = 0;
        int i = start;
        while (true)
        {
            while (i < end && isBlank(in.getByte(i)))
            {
                i++;
            }
            if (i >= end)
            {
                return;
            }
            final int wordStart = out;
            final byte first = in.getByte(i);
            if (first == '"' || first == '\'')
            {
                i++;
                boolean closed = false;
                while (i < end)
                {
                    byte c = in.getByte(i++);
                    if (c == first)
                    {
                        closed = true;
                        break;
                    }
                    if (c == '\\' && i < end)
                    {
                        final byte next = in.getByte(i++);
                        if (first == '\'')
                        {
                            c = next == '\'' ? (byte)'\'' : (byte)'\\';
                            if (next != '\'')
                            {
                                i--;
                            }
                        }
                        else if (next == 'x' && i + 1 < end && isHex(in.getByte(i)) && isHex(in.getByte(i + 1)))
                        {
                            c = (byte)(hex(in.getByte(i)) * 16 + hex(in.getByte(i + 1)));
                            i += 2;
                        }
                        else
                        {
                            c = next == 'n' ? (byte)'\n' : next == 'r' ? (byte)'\r' : next == 't' ? (byte)'\t' :
                                next == 'b' ? (byte)'\b' : next == 'a' ? (byte)7 : next;
                        }
                    }
                    inline[out++] = c;
                }
                if (!closed || (i < end && !isBlank(in.getByte(i))))
                {
                    throw new RespProtocolException("unbalanced quotes in request");
                }
            }
            else
            {
                while (i < end && !isBlank(in.getByte(i)))
                {
                    inline[out++] = in.getByte(i++);
                }
            }
            if (command.argc() >= maxArrayLength)
            {
                throw new RespProtocolException("inline request of more than " + maxArrayLength +
                    " words (resp.maxArrayLength)");
            }
            command.add(wordStart, out - wordStart);
        }
    }

    /**
     * @return the index of the CR of the CRLF ending the header line starting at {@code from}, or
     * -1 if it is not all there yet.
     */
    private static int findLineEnd(final ByteBuf in, final int from, final int end)
    {
        final int limit = Math.min(end, from + MAX_HEADER_BYTES);
        final int cr = in.indexOf(from, limit, (byte)'\r');
        if (cr < 0)
        {
            if (end - from >= MAX_HEADER_BYTES)
            {
                throw new RespProtocolException("header line longer than " + MAX_HEADER_BYTES + " bytes");
            }
            return -1;
        }
        if (cr + 1 >= end)
        {
            return -1;
        }
        if (in.getByte(cr + 1) != '\n')
        {
            throw new RespProtocolException("CR not followed by LF in a header");
        }
        return cr;
    }

    private static long parseNumber(final ByteBuf in, final int from, final int to, final String problem)
    {
        if (from == to || to - from > 20)
        {
            throw new RespProtocolException(problem);
        }
        int i = from;
        final boolean negative = in.getByte(i) == '-';
        if (negative)
        {
            i++;
            if (i == to)
            {
                throw new RespProtocolException(problem);
            }
        }
        long value = 0;
        for (; i < to; i++)
        {
            final int digit = in.getByte(i) - '0';
            if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10)
            {
                throw new RespProtocolException(problem);
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    /**
     * @return the capacity of the argument arrays (the fuzz test checks it stays within the limits).
     */
    int argumentCapacity()
    {
        return command.capacity();
    }

    int inlineCapacity()
    {
        return inline.length;
    }

    private static boolean isBlank(final byte c)
    {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x0B || c == '\f';
    }

    private static boolean isHex(final byte c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(final byte c)
    {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    private static String printable(final byte c)
    {
        return c >= 0x20 && c < 0x7F ? String.valueOf((char)c) : String.format("\\x%02x", c & 0xFF);
    }
}
