package org.bulwark.store;

import org.agrona.DirectBuffer;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Numbers in values, as the M language reads and writes them: a value's numeric interpretation
 * is its longest numeric prefix ({@code "12abc"} is 12, {@code "abc"} is 0), and a number is
 * written canonically ({@code .5}, {@code -3}, {@code 100}, no trailing zeros).
 */
public final class NumericValue
{
    private NumericValue()
    {
    }

    /**
     * @return the numeric interpretation of {@code length} bytes at {@code offset}.
     */
    public static BigDecimal parse(final DirectBuffer buffer, final int offset, final int length)
    {
        int i = offset;
        final int end = offset + length;
        boolean negative = false;
        while (i < end && (buffer.getByte(i) == '+' || buffer.getByte(i) == '-'))
        {
            if (buffer.getByte(i) == '-')
            {
                negative = !negative;
            }
            i++;
        }
        final StringBuilder digits = new StringBuilder();
        int intDigits = 0;
        while (i < end && isDigit(buffer.getByte(i)))
        {
            digits.append((char)buffer.getByte(i++));
            intDigits++;
        }
        int fracDigits = 0;
        if (i < end && buffer.getByte(i) == '.')
        {
            int j = i + 1;
            while (j < end && isDigit(buffer.getByte(j)))
            {
                digits.append((char)buffer.getByte(j++));
                fracDigits++;
            }
            i = j;
        }
        if (intDigits + fracDigits == 0)
        {
            return BigDecimal.ZERO;
        }
        int exponent = 0;
        if (i + 1 < end && (buffer.getByte(i) == 'E' || buffer.getByte(i) == 'e'))
        {
            int j = i + 1;
            boolean negativeExponent = false;
            if (buffer.getByte(j) == '+' || buffer.getByte(j) == '-')
            {
                negativeExponent = buffer.getByte(j) == '-';
                j++;
            }
            int e = 0;
            boolean any = false;
            while (j < end && isDigit(buffer.getByte(j)) && e < 100_000)
            {
                e = e * 10 + (buffer.getByte(j++) - '0');
                any = true;
            }
            if (any)
            {
                exponent = negativeExponent ? -e : e;
            }
        }
        BigDecimal value = new BigDecimal(new java.math.BigInteger(digits.toString()), fracDigits - exponent);
        if (negative)
        {
            value = value.negate();
        }
        return value;
    }

    /**
     * @return the canonical text of a number.
     */
    public static String format(final BigDecimal value)
    {
        if (0 == value.signum())
        {
            return "0";
        }
        final String plain = value.stripTrailingZeros().toPlainString();
        if (plain.startsWith("0."))
        {
            return plain.substring(1);
        }
        if (plain.startsWith("-0."))
        {
            return "-" + plain.substring(2);
        }
        return plain;
    }

    public static byte[] formatBytes(final BigDecimal value)
    {
        return format(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }
}
