package org.bulwark.perf.harness;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Weights of the operations ({@code --mix set=50,get=50}): each op is drawn at random with the
 * probability of its weight over the total. Drawing allocates nothing.
 */
final class OpMix
{
    private final Map<OpKind, Integer> weights;
    /** Cumulative weights in {@link OpKind} order: op i is drawn for a number below cumulative[i]. */
    private final int[] cumulative = new int[OpKind.count()];
    private final int total;

    private OpMix(final Map<OpKind, Integer> weights)
    {
        this.weights = weights;
        int sum = 0;
        for (int i = 0; i < cumulative.length; i++)
        {
            sum += weights.getOrDefault(OpKind.of(i), 0);
            cumulative[i] = sum;
        }
        this.total = sum;
    }

    /**
     * @param text {@code name=weight} pairs separated by commas, names of {@link OpKind}.
     * @throws IllegalArgumentException naming the bad part.
     */
    static OpMix parse(final String text)
    {
        final Map<OpKind, Integer> weights = new EnumMap<>(OpKind.class);
        long sum = 0;
        for (final String part : text.split(",", -1))
        {
            final String item = part.strip();
            final int equals = item.indexOf('=');
            if (equals < 0)
            {
                throw new IllegalArgumentException("--mix: '" + item + "' in '" + text +
                    "' is not name=weight (e.g. set=50,get=50; names: " + names() + ")");
            }
            final String name = item.substring(0, equals).strip();
            final OpKind kind = OpKind.byOptionName(name);
            if (null == kind)
            {
                throw new IllegalArgumentException("--mix: unknown operation '" + name + "' in '" + text +
                    "'; allowed: " + names());
            }
            if (weights.containsKey(kind))
            {
                throw new IllegalArgumentException("--mix: '" + name + "' appears twice in '" + text + "'");
            }
            final String weightText = item.substring(equals + 1).strip();
            final int weight;
            try
            {
                weight = Integer.parseInt(weightText);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("--mix: weight '" + weightText + "' of '" + name + "' in '" +
                    text + "' is not a whole number from 0 to 1000000");
            }
            if (weight < 0 || weight > 1_000_000)
            {
                throw new IllegalArgumentException("--mix: weight " + weight + " of '" + name + "' in '" + text +
                    "' is outside 0 to 1000000");
            }
            weights.put(kind, weight);
            sum += weight;
        }
        if (sum == 0)
        {
            throw new IllegalArgumentException("--mix: the weights in '" + text + "' add up to 0; give at least " +
                "one operation a weight above 0");
        }
        return new OpMix(weights);
    }

    private static String names()
    {
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < OpKind.count(); i++)
        {
            names.add(OpKind.of(i).optionName());
        }
        return String.join(", ", names);
    }

    /**
     * @param randomBits any int (e.g. from a random generator).
     */
    OpKind pick(final int randomBits)
    {
        final int draw = (randomBits & Integer.MAX_VALUE) % total;
        for (int i = 0; i < cumulative.length; i++)
        {
            if (draw < cumulative[i])
            {
                return OpKind.of(i);
            }
        }
        throw new IllegalStateException("draw " + draw + " beyond total " + total);
    }

    int weight(final OpKind kind)
    {
        return weights.getOrDefault(kind, 0);
    }

    boolean hasWrites()
    {
        for (final Map.Entry<OpKind, Integer> e : weights.entrySet())
        {
            if (e.getKey().isWrite() && e.getValue() > 0)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the mix as given in the options' canonical form, e.g. {@code set=50,get=50}.
     */
    @Override
    public String toString()
    {
        final List<String> parts = new ArrayList<>();
        for (final Map.Entry<OpKind, Integer> e : weights.entrySet())
        {
            parts.add(e.getKey().optionName() + "=" + e.getValue());
        }
        return String.join(",", parts);
    }
}
