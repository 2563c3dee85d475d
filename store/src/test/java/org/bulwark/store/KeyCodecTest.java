package org.bulwark.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.key.KeyCodec;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class KeyCodecTest
{
    @Test
    void canonicalNumbersFollowTheMRules()
    {
        for (final String s : new String[] {"0", "1", "-1", "12", "-12.5", ".5", "-.5", "100", "3.25", ".0001"})
        {
            assertTrue(KeyCodec.isCanonicalNumber(s), s);
        }
        for (final String s : new String[] {"", "-", "-0", "01", "0.5", "1.", "1.50", "+1", "1e5", " 1", "1 ", ".",
            "abc",
            "--1", "1.2.3"})
        {
            assertFalse(KeyCodec.isCanonicalNumber(s), s);
        }
    }

    @Test
    void encodedOrderEqualsCollationOrder()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final List<Object> subscripts = new ArrayList<>(Arrays.asList(
            0L, 1L, -1L, 10L, 100L, 99L, -100L, Long.MAX_VALUE, Long.MIN_VALUE, "a", "b", "ab", "", "\u0000", "\u0001",
            "\u00e9", "\uD83D\uDE00", "z\u0000a", "1", "01", ".5", "0.5", "-.5", new BigDecimal("1.5"),
            new BigDecimal("-1.25"), new BigDecimal("1E+20"), new BigDecimal("-1E-20")));
        subscripts.remove("");
        for (int i = 0; i < 2000; i++)
        {
            subscripts.add(RandomSubscripts.next(random));
        }
        final UnsafeBuffer a = new UnsafeBuffer(new byte[600]);
        final UnsafeBuffer b = new UnsafeBuffer(new byte[600]);
        for (int i = 0; i < 20000; i++)
        {
            final Object x = subscripts.get(random.nextInt(subscripts.size()));
            final Object y = subscripts.get(random.nextInt(subscripts.size()));
            final int la = KeyCodec.encodeObject(a, 0, x, 600);
            final int lb = KeyCodec.encodeObject(b, 0, y, 600);
            final int expected = Integer.signum(Collation.compareSubscripts(x, y));
            final int actual = Integer.signum(KeyCodec.compare(a, 0, la, b, 0, lb));
            assertEquals(expected, actual, () -> "seed " + seed + ": " + x + " vs " + y);
            assertEquals(la, KeyCodec.subscriptEnd(a, 0, la), () -> "seed " + seed + ": end of " + x);
            final StringBuilder text = new StringBuilder();
            KeyCodec.appendText(a, 0, la, text);
            assertEquals(Collation.text(x), text.toString(), () -> "seed " + seed + ": text of " + x);
        }
    }

    @Test
    void subtreeEndIsAboveEveryDescendant()
    {
        final UnsafeBuffer parent = new UnsafeBuffer(new byte[600]);
        final UnsafeBuffer child = new UnsafeBuffer(new byte[600]);
        final int pl = KeyCodec.encodeString(parent, 0, "a", 600);
        parent.putByte(pl, (byte)KeyCodec.SUBTREE_END);
        child.putBytes(0, parent, 0, pl);
        for (final Object sub : new Object[] {-5L, 0L, 7L, "zzz", "\uFFFF"})
        {
            final int cl = KeyCodec.encodeObject(child, pl, sub, 600);
            assertTrue(KeyCodec.compare(child, 0, cl, parent, 0, pl + 1) < 0, sub.toString());
        }
    }

    @Test
    void referenceTextQuotesStrings()
    {
        final GlobalKey key = new GlobalKey().global("^x").add("a\"b").add(1).add(new BigDecimal("-0.50"));
        assertEquals("^x(\"a\"\"b\",1,-.5)", key.toString());
    }

    @Test
    void limitsAreEnforcedWithSubscriptErrors()
    {
        final GlobalKey key = new GlobalKey();
        assertEquals(ErrorCode.SUBSCRIPT, assertThrows(BulwarkException.class, () -> key.global("1abc")).code());
        assertEquals(ErrorCode.SUBSCRIPT, assertThrows(BulwarkException.class, () -> key.global("a_b")).code());
        assertEquals(ErrorCode.SUBSCRIPT,
            assertThrows(BulwarkException.class, () -> key.global("a234567890123456789012345678901x")).code());
        key.global("%ok1");
        assertEquals(ErrorCode.SUBSCRIPT, assertThrows(BulwarkException.class, () -> key.add("")).code());
        final BulwarkException tooLong = assertThrows(BulwarkException.class, () -> key.add("x".repeat(600)));
        assertTrue(tooLong.getMessage().contains("511"), tooLong.getMessage());
        key.global("d");
        for (int i = 0; i < GlobalKey.MAX_DEPTH; i++)
        {
            key.add(i);
        }
        assertEquals(ErrorCode.SUBSCRIPT, assertThrows(BulwarkException.class, () -> key.add(99)).code());
    }
}
