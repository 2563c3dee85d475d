package org.bulwark.store.key;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Order-preserving binary encoding of subscripts (SPEC G-2): comparing two encoded keys byte by
 * byte (unsigned) gives the collation order of the references they encode, and every encoded
 * subscript is self-delimiting, so the keys of a subtree are exactly the keys that start with the
 * subtree's key.
 *
 * <pre>
 * negative number:  0x10 | ~(exponent + 0x8000) (2 bytes, big-endian) | 254-d per digit ... | 0xFF
 * zero:             0x20
 * positive number:  0x30 |  (exponent + 0x8000) (2 bytes, big-endian) | d+1 per digit ...   | 0x00
 * string:           0x40 | UTF-8 bytes, 0x00 as 0x01 0x01 and 0x01 as 0x01 0x02          | 0x00
 * </pre>
 *
 * A number is {@code 0.d1d2..dn × 10^exponent} with {@code d1 != 0} and {@code dn != 0}. Numbers
 * sort before strings; strings sort in code-point order because UTF-8 preserves it. The key of a
 * global's top node is empty, so it sorts before all of its descendants (depth-first order), and
 * no encoded subscript starts with 0xFF, so {@code prefix + 0xFF} bounds a subtree from above.
 *
 * <p>A string subscript that is a canonical number in the M sense ({@code 12}, {@code -3.5},
 * {@code .25}; not {@code 012}, {@code 0.5}, {@code 1.}, {@code -0}) is the number, as in the
 * terminal idiom the seeds use.
 */
public final class KeyCodec
{
    public static final byte TYPE_NEGATIVE = 0x10;
    public static final byte TYPE_ZERO = 0x20;
    public static final byte TYPE_POSITIVE = 0x30;
    public static final byte TYPE_STRING = 0x40;
    /** No subscript starts with this byte: {@code prefix + SUBTREE_END} is above every descendant. */
    public static final int SUBTREE_END = 0xFF;

    /** The most significant digits a numeric subscript may carry. */
    public static final int MAX_NUMBER_DIGITS = 64;
    /** The largest magnitude of a numeric subscript's decimal exponent. */
    public static final int MAX_NUMBER_EXPONENT = 16_000;

    /** Returned by the encoders when the key would pass the limit given. */
    public static final int OVERFLOW = -1;

    private static final int EXPONENT_BIAS = 0x8000;

    private KeyCodec()
    {
    }

    /**
     * Encode a string subscript, as a number when it is a canonical number.
     *
     * @param buffer to write into.
     * @param offset where the subscript starts.
     * @param value  the subscript; must not be empty.
     * @param limit  offset the encoding must not pass.
     * @return the offset after the subscript, or {@link #OVERFLOW}.
     * @throws IllegalArgumentException if the value is empty, or a canonical number beyond the limits.
     */
    public static int encodeString(
        final MutableDirectBuffer buffer, final int offset, final CharSequence value, final int limit)
    {
        final int length = value.length();
        if (0 == length)
        {
            throw new IllegalArgumentException("the empty string is not a valid subscript");
        }

        if (isCanonicalNumber(value))
        {
            return encodeCanonicalNumber(buffer, offset, value, limit);
        }

        if (offset + 2 > limit)
        {
            return OVERFLOW;
        }
        int position = offset;
        buffer.putByte(position++, TYPE_STRING);
        for (int i = 0; i < length; i++)
        {
            int codePoint = value.charAt(i);
            if (Character.isHighSurrogate((char)codePoint) && i + 1 < length &&
                Character.isLowSurrogate(value.charAt(i + 1)))
            {
                codePoint = Character.toCodePoint((char)codePoint, value.charAt(++i));
            }
            else if (Character.isSurrogate((char)codePoint))
            {
                codePoint = 0xFFFD; // an unpaired surrogate has no UTF-8 form
            }
            position = putCodePoint(buffer, position, codePoint, limit - 1);
            if (OVERFLOW == position)
            {
                return OVERFLOW;
            }
        }
        buffer.putByte(position++, (byte)0);
        return position;
    }

    /**
     * Encode raw bytes (already UTF-8) as a string subscript, escaping 0x00 and 0x01. Never treated
     * as a number.
     */
    public static int encodeBytes(
        final MutableDirectBuffer buffer, final int offset, final byte[] value, final int limit)
    {
        if (0 == value.length)
        {
            throw new IllegalArgumentException("the empty string is not a valid subscript");
        }
        if (offset + 2 > limit)
        {
            return OVERFLOW;
        }
        int position = offset;
        buffer.putByte(position++, TYPE_STRING);
        for (final byte b : value)
        {
            position = putEscaped(buffer, position, b, limit - 1);
            if (OVERFLOW == position)
            {
                return OVERFLOW;
            }
        }
        buffer.putByte(position++, (byte)0);
        return position;
    }

    /**
     * Encode an integer subscript.
     */
    public static int encodeLong(final MutableDirectBuffer buffer, final int offset, final long value, final int limit)
    {
        if (0 == value)
        {
            if (offset + 1 > limit)
            {
                return OVERFLOW;
            }
            buffer.putByte(offset, TYPE_ZERO);
            return offset + 1;
        }

        // Digits of |value| from the least significant end; Long.MIN_VALUE handled by negating per digit.
        int digitCount = 0;
        long v = value;
        while (v != 0)
        {
            digitCount++;
            v /= 10;
        }
        int trailingZeros = 0;
        v = value;
        while (v % 10 == 0)
        {
            trailingZeros++;
            v /= 10;
        }
        final int significant = digitCount - trailingZeros;
        final int end = offset + 3 + significant + 1;
        if (end > limit)
        {
            return OVERFLOW;
        }

        final boolean negative = value < 0;
        putHeader(buffer, offset, negative, digitCount);
        long rest = value;
        for (int i = 0; i < trailingZeros; i++)
        {
            rest /= 10;
        }
        for (int i = significant - 1; i >= 0; i--)
        {
            final int digit = (int)Math.abs(rest % 10);
            rest /= 10;
            buffer.putByte(offset + 3 + i, digitByte(negative, digit));
        }
        buffer.putByte(end - 1, negative ? (byte)0xFF : (byte)0);
        return end;
    }

    /**
     * Encode a decimal subscript.
     *
     * @throws IllegalArgumentException if it has more than {@link #MAX_NUMBER_DIGITS} significant digits
     *                                  or its exponent is out of range.
     */
    public static int encodeDecimal(
        final MutableDirectBuffer buffer, final int offset, final BigDecimal value, final int limit)
    {
        if (0 == value.signum())
        {
            return encodeLong(buffer, offset, 0, limit);
        }
        final BigDecimal stripped = value.stripTrailingZeros();
        final String digits = stripped.unscaledValue().abs().toString();
        final long exponent = (long)stripped.precision() - stripped.scale();
        if (digits.length() > MAX_NUMBER_DIGITS)
        {
            throw new IllegalArgumentException(
                "numeric subscript has " + digits.length() + " significant digits, the limit is " + MAX_NUMBER_DIGITS);
        }
        if (Math.abs(exponent) > MAX_NUMBER_EXPONENT)
        {
            throw new IllegalArgumentException("numeric subscript exponent " + exponent + " is out of range");
        }
        final boolean negative = stripped.signum() < 0;
        final int end = offset + 3 + digits.length() + 1;
        if (end > limit)
        {
            return OVERFLOW;
        }
        putHeader(buffer, offset, negative, (int)exponent);
        for (int i = 0; i < digits.length(); i++)
        {
            buffer.putByte(offset + 3 + i, digitByte(negative, digits.charAt(i) - '0'));
        }
        buffer.putByte(end - 1, negative ? (byte)0xFF : (byte)0);
        return end;
    }

    /**
     * Encode any supported subscript object: {@link CharSequence}, {@code byte[]} (a string),
     * {@link Long}, {@link Integer}, {@link Short}, {@link Byte}, {@link BigInteger}, {@link BigDecimal},
     * finite {@link Double} or {@link Float}.
     */
    public static int encodeObject(
        final MutableDirectBuffer buffer, final int offset, final Object value, final int limit)
    {
        if (value instanceof CharSequence)
        {
            return encodeString(buffer, offset, (CharSequence)value, limit);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)
        {
            return encodeLong(buffer, offset, ((Number)value).longValue(), limit);
        }
        if (value instanceof BigDecimal)
        {
            return encodeDecimal(buffer, offset, (BigDecimal)value, limit);
        }
        if (value instanceof BigInteger)
        {
            return encodeDecimal(buffer, offset, new BigDecimal((BigInteger)value), limit);
        }
        if (value instanceof Double || value instanceof Float)
        {
            final double d = ((Number)value).doubleValue();
            if (!Double.isFinite(d))
            {
                throw new IllegalArgumentException("subscript " + d + " is not a finite number");
            }
            return encodeDecimal(buffer, offset, BigDecimal.valueOf(d), limit);
        }
        if (value instanceof byte[])
        {
            return encodeBytes(buffer, offset, (byte[])value, limit);
        }
        if (null == value)
        {
            throw new IllegalArgumentException("a subscript must not be null");
        }
        throw new IllegalArgumentException("unsupported subscript type " + value.getClass().getName());
    }

    /**
     * @return true if the text is a canonical number in the M sense: optional '-', integer digits
     * without leading zeros, optional '.' followed by digits without a trailing zero; "0" alone for
     * zero; at least one digit. (Encoding one with more than {@link #MAX_NUMBER_DIGITS} significant
     * digits fails rather than treating it as a string.)
     */
    public static boolean isCanonicalNumber(final CharSequence s)
    {
        final int length = s.length();
        int i = 0;
        final boolean negative = length > 0 && s.charAt(0) == '-';
        if (negative)
        {
            i++;
        }
        final int intStart = i;
        while (i < length && isDigit(s.charAt(i)))
        {
            i++;
        }
        final int intDigits = i - intStart;
        if (intDigits > 0 && s.charAt(intStart) == '0')
        {
            return !negative && intDigits == 1 && length == 1; // only "0" itself
        }
        int fracDigits = 0;
        if (i < length)
        {
            if (s.charAt(i) != '.')
            {
                return false;
            }
            i++;
            final int fracStart = i;
            while (i < length && isDigit(s.charAt(i)))
            {
                i++;
            }
            fracDigits = i - fracStart;
            if (i != length || 0 == fracDigits || s.charAt(length - 1) == '0')
            {
                return false;
            }
        }
        return intDigits + fracDigits > 0;
    }

    /**
     * @return the offset just past the subscript that starts at {@code offset}.
     * @throws IllegalStateException if the bytes are not a well-formed subscript before {@code end}.
     */
    public static int subscriptEnd(final DirectBuffer key, final int offset, final int end)
    {
        if (offset >= end)
        {
            throw new IllegalStateException("subscript expected at offset " + offset);
        }
        final byte type = key.getByte(offset);
        final byte terminator;
        int i;
        switch (type)
        {
            case TYPE_ZERO:
                return offset + 1;
            case TYPE_POSITIVE:
                terminator = 0;
                i = offset + 3;
                break;
            case TYPE_NEGATIVE:
                terminator = (byte)0xFF;
                i = offset + 3;
                break;
            case TYPE_STRING:
                terminator = 0;
                i = offset + 1;
                break;
            default:
                throw new IllegalStateException("bad subscript type 0x" + Integer.toHexString(type & 0xFF) +
                    " at offset " + offset);
        }
        while (i < end)
        {
            final byte b = key.getByte(i++);
            if (b == terminator)
            {
                return i;
            }
            if (TYPE_STRING == type && 0x01 == b)
            {
                i++; // escape pair
            }
        }
        throw new IllegalStateException("unterminated subscript at offset " + offset);
    }

    /**
     * @return number of subscripts in the key, validating each.
     */
    public static int depth(final DirectBuffer key, final int offset, final int length)
    {
        int count = 0;
        int i = offset;
        final int end = offset + length;
        while (i < end)
        {
            i = subscriptEnd(key, i, end);
            count++;
        }
        return count;
    }

    /**
     * @return true if the subscript at {@code offset} is numeric.
     */
    public static boolean isNumeric(final DirectBuffer key, final int offset)
    {
        final byte type = key.getByte(offset);
        return TYPE_STRING != type;
    }

    /**
     * Append the subscript at {@code offset} as text: canonical number, or the string itself.
     *
     * @return the offset after the subscript.
     */
    public static int appendText(final DirectBuffer key, final int offset, final int end, final StringBuilder out)
    {
        final byte type = key.getByte(offset);
        final int subscriptEnd = subscriptEnd(key, offset, end);
        if (TYPE_ZERO == type)
        {
            out.append('0');
        }
        else if (TYPE_STRING == type)
        {
            appendUtf8(key, offset + 1, subscriptEnd - 1, out);
        }
        else
        {
            final boolean negative = TYPE_NEGATIVE == type;
            int biased = key.getShort(offset + 1, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
            if (negative)
            {
                biased = ~biased & 0xFFFF;
            }
            final int exponent = biased - EXPONENT_BIAS;
            final int digitCount = subscriptEnd - 1 - (offset + 3);
            if (negative)
            {
                out.append('-');
            }
            if (exponent <= 0)
            {
                out.append('.');
                for (int z = 0; z < -exponent; z++)
                {
                    out.append('0');
                }
            }
            for (int d = 0; d < digitCount; d++)
            {
                if (d == exponent && exponent > 0)
                {
                    out.append('.');
                }
                final int raw = key.getByte(offset + 3 + d) & 0xFF;
                out.append((char)('0' + (negative ? 254 - raw : raw - 1)));
            }
            for (int z = digitCount; z < exponent; z++)
            {
                out.append('0');
            }
        }
        return subscriptEnd;
    }

    /**
     * Append {@code ^name(sub1,sub2,...)} with strings quoted (doubled quotes inside) and numbers bare.
     */
    public static StringBuilder appendReference(
        final StringBuilder out, final String global, final DirectBuffer key, final int offset, final int length)
    {
        out.append('^').append(global);
        if (length > 0)
        {
            out.append('(');
            int i = offset;
            final int end = offset + length;
            boolean first = true;
            final StringBuilder text = new StringBuilder();
            while (i < end)
            {
                if (!first)
                {
                    out.append(',');
                }
                first = false;
                text.setLength(0);
                final boolean numeric = isNumeric(key, i);
                i = appendText(key, i, end, text);
                if (numeric)
                {
                    out.append(text);
                }
                else
                {
                    out.append('"');
                    for (int c = 0; c < text.length(); c++)
                    {
                        final char ch = text.charAt(c);
                        if (ch == '"')
                        {
                            out.append('"');
                        }
                        out.append(ch);
                    }
                    out.append('"');
                }
            }
            out.append(')');
        }
        return out;
    }

    /**
     * Compare two byte ranges as unsigned bytes, shorter prefix first.
     */
    public static int compare(
        final DirectBuffer a, final int aOffset, final int aLength,
        final DirectBuffer b, final int bOffset, final int bLength)
    {
        final int common = Math.min(aLength, bLength);
        int i = 0;
        // Compare 8 bytes at a time, big-endian so that the first differing byte decides.
        while (i + 8 <= common)
        {
            final long x = a.getLong(aOffset + i, java.nio.ByteOrder.BIG_ENDIAN);
            final long y = b.getLong(bOffset + i, java.nio.ByteOrder.BIG_ENDIAN);
            if (x != y)
            {
                return Long.compareUnsigned(x, y);
            }
            i += 8;
        }
        if (i + 4 <= common)
        {
            final int x = a.getInt(aOffset + i, java.nio.ByteOrder.BIG_ENDIAN);
            final int y = b.getInt(bOffset + i, java.nio.ByteOrder.BIG_ENDIAN);
            if (x != y)
            {
                return Integer.compareUnsigned(x, y);
            }
            i += 4;
        }
        while (i < common)
        {
            final int x = a.getByte(aOffset + i) & 0xFF;
            final int y = b.getByte(bOffset + i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
            i++;
        }
        return aLength - bLength;
    }

    /**
     * @return true if the range {@code a} starts with the range {@code prefix}.
     */
    public static boolean startsWith(
        final DirectBuffer a, final int aOffset, final int aLength,
        final DirectBuffer prefix, final int prefixOffset, final int prefixLength)
    {
        if (aLength < prefixLength)
        {
            return false;
        }
        for (int i = 0; i < prefixLength; i++)
        {
            if (a.getByte(aOffset + i) != prefix.getByte(prefixOffset + i))
            {
                return false;
            }
        }
        return true;
    }

    private static int encodeCanonicalNumber(
        final MutableDirectBuffer buffer, final int offset, final CharSequence s, final int limit)
    {
        final int length = s.length();
        if (length == 1 && s.charAt(0) == '0')
        {
            return encodeLong(buffer, offset, 0, limit);
        }
        final boolean negative = s.charAt(0) == '-';
        final int intStart = negative ? 1 : 0;
        int intEnd = intStart;
        while (intEnd < length && isDigit(s.charAt(intEnd)))
        {
            intEnd++;
        }
        final int intDigits = intEnd - intStart;
        final int fracStart = intEnd < length ? intEnd + 1 : length;

        // Significant digits: the integer digits then the fraction digits, without the zeros that
        // lead a pure fraction or trail an integer (the fraction never ends in a zero).
        int first = intStart;
        int exponent = intDigits;
        if (0 == intDigits)
        {
            first = fracStart;
            while (s.charAt(first) == '0')
            {
                first++;
                exponent--;
            }
        }
        int last = length - 1;
        if (fracStart >= length)
        {
            while (s.charAt(last) == '0')
            {
                last--;
            }
        }
        int significant = 0;
        for (int i = first; i <= last; i++)
        {
            if (s.charAt(i) != '.')
            {
                significant++;
            }
        }
        if (significant > MAX_NUMBER_DIGITS || Math.abs(exponent) > MAX_NUMBER_EXPONENT)
        {
            throw new IllegalArgumentException("numeric subscript " + s + " has more than " + MAX_NUMBER_DIGITS +
                " significant digits");
        }
        final int end = offset + 3 + significant + 1;
        if (end > limit)
        {
            return OVERFLOW;
        }
        putHeader(buffer, offset, negative, exponent);
        int position = offset + 3;
        for (int i = first; i <= last; i++)
        {
            final char c = s.charAt(i);
            if (c != '.')
            {
                buffer.putByte(position++, digitByte(negative, c - '0'));
            }
        }
        buffer.putByte(position++, negative ? (byte)0xFF : (byte)0);
        return position;
    }

    private static void putHeader(
        final MutableDirectBuffer buffer, final int offset, final boolean negative, final int exponent)
    {
        final int biased = exponent + EXPONENT_BIAS;
        buffer.putByte(offset, negative ? TYPE_NEGATIVE : TYPE_POSITIVE);
        buffer.putShort(offset + 1, (short)(negative ? ~biased : biased), java.nio.ByteOrder.BIG_ENDIAN);
    }

    private static byte digitByte(final boolean negative, final int digit)
    {
        return (byte)(negative ? 254 - digit : digit + 1);
    }

    private static boolean isDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }

    private static int putCodePoint(
        final MutableDirectBuffer buffer, final int offset, final int codePoint, final int limit)
    {
        int position = offset;
        if (codePoint < 0x80)
        {
            return putEscaped(buffer, position, (byte)codePoint, limit);
        }
        final int bytes = codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
        if (position + bytes > limit)
        {
            return OVERFLOW;
        }
        switch (bytes)
        {
            case 2:
                buffer.putByte(position++, (byte)(0xC0 | (codePoint >> 6)));
                break;
            case 3:
                buffer.putByte(position++, (byte)(0xE0 | (codePoint >> 12)));
                buffer.putByte(position++, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
                break;
            default:
                buffer.putByte(position++, (byte)(0xF0 | (codePoint >> 18)));
                buffer.putByte(position++, (byte)(0x80 | ((codePoint >> 12) & 0x3F)));
                buffer.putByte(position++, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
                break;
        }
        buffer.putByte(position++, (byte)(0x80 | (codePoint & 0x3F)));
        return position;
    }

    private static int putEscaped(final MutableDirectBuffer buffer, final int offset, final byte b, final int limit)
    {
        if (0x00 == b || 0x01 == b)
        {
            if (offset + 2 > limit)
            {
                return OVERFLOW;
            }
            buffer.putByte(offset, (byte)0x01);
            buffer.putByte(offset + 1, (byte)(b + 1));
            return offset + 2;
        }
        if (offset + 1 > limit)
        {
            return OVERFLOW;
        }
        buffer.putByte(offset, b);
        return offset + 1;
    }

    private static void appendUtf8(final DirectBuffer key, final int start, final int end, final StringBuilder out)
    {
        int i = start;
        while (i < end)
        {
            int b = key.getByte(i++) & 0xFF;
            if (0x01 == b)
            {
                b = (key.getByte(i++) & 0xFF) - 1;
            }
            if (b < 0x80)
            {
                out.append((char)b);
                continue;
            }
            final int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
            int codePoint = b & (0x3F >> extra);
            for (int k = 0; k < extra && i < end; k++)
            {
                codePoint = (codePoint << 6) | (key.getByte(i++) & 0x3F);
            }
            out.appendCodePoint(codePoint);
        }
    }
}
