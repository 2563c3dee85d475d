package org.bulwark.store;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;

/**
 * The collation of SPEC G-2 written plainly, independent of the key codec: numbers (canonical
 * numeric strings included) first in numeric order, then strings in code-point order; a shorter
 * reference that is a prefix of another sorts first.
 */
final class Collation
{
    static final Comparator<List<Object>> REFERENCES = Collation::compareReferences;

    private Collation()
    {
    }

    static Object normalise(final Object subscript)
    {
        if (subscript instanceof Number)
        {
            return new BigDecimal(subscript.toString()).stripTrailingZeros();
        }
        final String s = (String)subscript;
        if (org.bulwark.store.key.KeyCodec.isCanonicalNumber(s))
        {
            return new BigDecimal(s).stripTrailingZeros();
        }
        return s;
    }

    static int compareSubscripts(final Object a, final Object b)
    {
        final Object x = normalise(a);
        final Object y = normalise(b);
        if (x instanceof BigDecimal && y instanceof BigDecimal)
        {
            return ((BigDecimal)x).compareTo((BigDecimal)y);
        }
        if (x instanceof BigDecimal)
        {
            return -1;
        }
        if (y instanceof BigDecimal)
        {
            return 1;
        }
        return compareCodePoints((String)x, (String)y);
    }

    static int compareCodePoints(final String a, final String b)
    {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length())
        {
            final int ca = a.codePointAt(i);
            final int cb = b.codePointAt(j);
            if (ca != cb)
            {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static int compareReferences(final List<Object> a, final List<Object> b)
    {
        final int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++)
        {
            final int c = compareSubscripts(a.get(i), b.get(i));
            if (c != 0)
            {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /**
     * @return the canonical text of a subscript, as $order returns it.
     */
    static String text(final Object subscript)
    {
        final Object x = normalise(subscript);
        return x instanceof BigDecimal ? NumericValue.format((BigDecimal)x) : (String)x;
    }
}
