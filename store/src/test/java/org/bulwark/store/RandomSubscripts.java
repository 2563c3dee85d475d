package org.bulwark.store;

import java.math.BigDecimal;
import java.util.Random;

/**
 * Seeded random subscripts of every kind the codec handles.
 */
final class RandomSubscripts
{
    private static final String ALPHABET = "abcXYZ019 .-\"\u00e9\u4e2d";

    private RandomSubscripts()
    {
    }

    static Object next(final Random random)
    {
        switch (random.nextInt(6))
        {
            case 0:
                return (long)(random.nextInt(2001) - 1000);
            case 1:
                return random.nextLong();
            case 2:
                return BigDecimal.valueOf(random.nextInt(200001) - 100000, random.nextInt(6));
            case 3:
                return Long.toString(random.nextInt(1000));
            default:
                final int length = 1 + random.nextInt(6);
                final StringBuilder s = new StringBuilder();
                for (int i = 0; i < length; i++)
                {
                    s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                }
                return s.toString();
        }
    }
}
