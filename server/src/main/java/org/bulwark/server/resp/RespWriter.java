package org.bulwark.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Encodes replies straight into the connection's output buffer, in RESP2 or RESP3 (switched per
 * connection by {@code HELLO}). Numbers and values are written without building strings.
 *
 * <pre>
 * +OK\r\n   -ERR text\r\n   :42\r\n   $3\r\nabc\r\n   *2\r\n...   RESP2 null: $-1\r\n
 * RESP3 adds: _\r\n (null)  %2\r\n... (map)  =15\r\ntxt:... (verbatim)
 * </pre>
 */
final class RespWriter
{
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_BULK_2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY_2 = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);

    private final byte[] digits = new byte[20];
    private final UnsafeBuffer target = new UnsafeBuffer(new byte[0]);
    private ByteBuf out;
    private int protocol = 2;

    void target(final ByteBuf out)
    {
        this.out = out;
    }

    ByteBuf target()
    {
        return out;
    }

    int protocol()
    {
        return protocol;
    }

    void protocol(final int protocol)
    {
        this.protocol = protocol;
    }

    void ok()
    {
        out.writeBytes(OK);
    }

    void simple(final String text)
    {
        out.writeByte('+');
        writeLine(text);
    }

    /**
     * @param text the error, first word its code: {@code ERR ...}, {@code UNDEFINED ^x(1)}.
     */
    void error(final String text)
    {
        out.writeByte('-');
        writeLine(text);
    }

    void integer(final long value)
    {
        out.writeByte(':');
        writeNumber(value);
        out.writeBytes(CRLF);
    }

    void nullBulk()
    {
        out.writeBytes(protocol == 3 ? NULL_3 : NULL_BULK_2);
    }

    void nullArray()
    {
        out.writeBytes(protocol == 3 ? NULL_3 : NULL_ARRAY_2);
    }

    void array(final int count)
    {
        out.writeByte('*');
        writeNumber(count);
        out.writeBytes(CRLF);
    }

    /**
     * A map of {@code count} pairs: RESP3 {@code %}, RESP2 a flat array of twice as many elements.
     */
    void map(final int count)
    {
        if (protocol == 3)
        {
            out.writeByte('%');
            writeNumber(count);
            out.writeBytes(CRLF);
        }
        else
        {
            array(2 * count);
        }
    }

    void bulk(final DirectBuffer source, final int offset, final int length)
    {
        bulkHeader(length);
        out.ensureWritable(length + 2);
        final int index = out.writerIndex();
        if (out.hasArray())
        {
            source.getBytes(offset, out.array(), out.arrayOffset() + index, length);
        }
        else if (out.hasMemoryAddress())
        {
            target.wrap(out.memoryAddress() + index, length);
            source.getBytes(offset, target, 0, length);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                out.setByte(index + i, source.getByte(offset + i));
            }
        }
        out.writerIndex(index + length);
        out.writeBytes(CRLF);
    }

    void bulk(final ByteBuf source, final int offset, final int length)
    {
        bulkHeader(length);
        out.writeBytes(source, offset, length);
        out.writeBytes(CRLF);
    }

    void bulk(final byte[] bytes)
    {
        bulkHeader(bytes.length);
        out.writeBytes(bytes);
        out.writeBytes(CRLF);
    }

    void bulk(final String text)
    {
        bulkHeader(ByteBufUtil.utf8Bytes(text));
        out.writeCharSequence(text, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    /**
     * Text for people (INFO): RESP3 verbatim string, RESP2 bulk string.
     */
    void verbatim(final String text)
    {
        if (protocol != 3)
        {
            bulk(text);
            return;
        }
        out.writeByte('=');
        writeNumber(ByteBufUtil.utf8Bytes(text) + 4);
        out.writeBytes(CRLF);
        out.writeCharSequence("txt:", StandardCharsets.US_ASCII);
        out.writeCharSequence(text, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    private void bulkHeader(final int length)
    {
        out.writeByte('$');
        writeNumber(length);
        out.writeBytes(CRLF);
    }

    private void writeLine(final String text)
    {
        // A reply line must not hold CR or LF: they would end it early.
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '\r' || c == '\n')
            {
                writeLine(text.replace('\r', ' ').replace('\n', ' '));
                return;
            }
        }
        out.writeCharSequence(text, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    private void writeNumber(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            out.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
            return;
        }
        long v = value;
        if (v < 0)
        {
            out.writeByte('-');
            v = -v;
        }
        int i = digits.length;
        do
        {
            digits[--i] = (byte)('0' + v % 10);
            v /= 10;
        }
        while (v != 0);
        out.writeBytes(digits, i, digits.length - i);
    }
}
