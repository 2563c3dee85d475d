package org.bulwark.store.block;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Bits of a free-map block: bit {@code i} set means block {@code regionStart + i} is in use.
 * The bits follow the block header, 64 to a long.
 */
public final class FreeMapBits
{
    private FreeMapBits()
    {
    }

    public static boolean isSet(final DirectBuffer map, final int bit)
    {
        final long word = map.getLong(BlockLayout.HEADER_LENGTH + (bit >>> 6) * 8);
        return (word & (1L << (bit & 63))) != 0;
    }

    public static void set(final MutableDirectBuffer map, final int bit)
    {
        final int index = BlockLayout.HEADER_LENGTH + (bit >>> 6) * 8;
        map.putLong(index, map.getLong(index) | (1L << (bit & 63)));
    }

    public static void clear(final MutableDirectBuffer map, final int bit)
    {
        final int index = BlockLayout.HEADER_LENGTH + (bit >>> 6) * 8;
        map.putLong(index, map.getLong(index) & ~(1L << (bit & 63)));
    }

    /**
     * @return the first clear bit at or after {@code from} and below {@code limit}, or -1.
     */
    public static int nextClear(final DirectBuffer map, final int from, final int limit)
    {
        int bit = from;
        while (bit < limit)
        {
            final long word = map.getLong(BlockLayout.HEADER_LENGTH + (bit >>> 6) * 8);
            final long free = ~word & (-1L << (bit & 63));
            if (free != 0)
            {
                final int found = (bit & ~63) + Long.numberOfTrailingZeros(free);
                return found < limit ? found : -1;
            }
            bit = (bit & ~63) + 64;
        }
        return -1;
    }

    /**
     * @return the number of set bits below {@code limit}.
     */
    public static int countSet(final DirectBuffer map, final int limit)
    {
        int count = 0;
        for (int bit = 0; bit < limit; bit += 64)
        {
            long word = map.getLong(BlockLayout.HEADER_LENGTH + (bit >>> 6) * 8);
            if (limit - bit < 64)
            {
                word &= (1L << (limit - bit)) - 1;
            }
            count += Long.bitCount(word);
        }
        return count;
    }
}
