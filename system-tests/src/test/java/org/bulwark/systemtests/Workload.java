package org.bulwark.systemtests;

import org.bulwark.store.GlobalKey;
import org.bulwark.store.NumericValue;
import org.bulwark.store.StoreSession;
import org.agrona.concurrent.UnsafeBuffer;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded stream of updates that a child JVM applies to a member and the test replays on a model:
 * sets (small and big values), kills of nodes and subtrees, zkills and increments, over two
 * databases ({@code ^a}, {@code ^c} in MAIN; {@code ^b} in SECOND). Each operation is exactly one
 * store update, so the store's update sequence number {@code n} is operation {@code n}.
 */
final class Workload
{
    enum Kind
    {
        SET, KILL, ZKILL, INCREMENT
    }

    /**
     * One update.
     */
    record Op(Kind kind, String global, List<Object> subscripts, byte[] value, long by)
    {
        Object[] subs()
        {
            return subscripts.toArray();
        }

        @Override
        public String toString()
        {
            return kind + " ^" + global + subscripts + (null != value ? " (" + value.length + " bytes)" : "") +
                (kind == Kind.INCREMENT ? " by " + by : "");
        }
    }

    private static final String[] GLOBALS = {"a", "b", "c"};

    private final Random random;

    Workload(final long seed)
    {
        this.random = new Random(seed);
    }

    Op next()
    {
        final String global = GLOBALS[random.nextInt(GLOBALS.length)];
        final List<Object> subs = new ArrayList<>();
        final int r = random.nextInt(100);
        if (r < 62)
        {
            fill(subs, 1 + random.nextInt(3));
            return new Op(Kind.SET, global, subs, value(), 0);
        }
        if (r < 70)
        {
            if (random.nextInt(20) != 0)
            {
                fill(subs, 1 + random.nextInt(2));
            }
            return new Op(Kind.KILL, global, subs, null, 0);
        }
        if (r < 80)
        {
            fill(subs, 1 + random.nextInt(3));
            return new Op(Kind.ZKILL, global, subs, null, 0);
        }
        subs.add("counter");
        subs.add((long)random.nextInt(10));
        return new Op(Kind.INCREMENT, global, subs, null, 1 + random.nextInt(5));
    }

    private void fill(final List<Object> subs, final int depth)
    {
        subs.add((long)random.nextInt(40));
        if (depth > 1)
        {
            subs.add(random.nextBoolean() ? (Object)("s" + random.nextInt(15)) : (Object)(long)random.nextInt(30));
        }
        if (depth > 2)
        {
            subs.add((long)random.nextInt(8));
        }
    }

    private byte[] value()
    {
        final int r = random.nextInt(100);
        final int size = r < 80 ? random.nextInt(60) : r < 97 ? 200 + random.nextInt(2000) : 5000 +
            random.nextInt(15000);
        final byte[] value = new byte[size];
        random.nextBytes(value);
        return value;
    }

    static void apply(final StoreSession session, final Op op)
    {
        switch (op.kind())
        {
            case SET:
                session.set(op.value(), op.global(), op.subs());
                break;
            case KILL:
                session.kill(op.global(), op.subs());
                break;
            case ZKILL:
                session.zkill(op.global(), op.subs());
                break;
            default:
                session.incrementBy(op.by(), op.global(), op.subs());
                break;
        }
    }

    /**
     * A node of the model: global name and encoded subscripts, ordered as the store orders them.
     */
    record Key(String global, byte[] encoded) implements Comparable<Key>
    {
        static Key of(final String global, final List<Object> subscripts)
        {
            final GlobalKey key = new GlobalKey().global(global);
            subscripts.forEach(key::add);
            final byte[] encoded = new byte[key.length()];
            key.buffer().getBytes(0, encoded);
            return new Key(global, encoded);
        }

        boolean isUnder(final Key prefix)
        {
            return global.equals(prefix.global) && encoded.length >= prefix.encoded.length &&
                Arrays.equals(encoded, 0, prefix.encoded.length, prefix.encoded, 0, prefix.encoded.length);
        }

        @Override
        public int compareTo(final Key other)
        {
            final int byGlobal = global.compareTo(other.global);
            return byGlobal != 0 ? byGlobal : Arrays.compareUnsigned(encoded, other.encoded);
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Key && ((Key)o).global.equals(global) && Arrays.equals(((Key)o).encoded, encoded);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(global, Arrays.hashCode(encoded));
        }

        @Override
        public String toString()
        {
            final GlobalKey key = new GlobalKey().global(global);
            return key.toString() + Arrays.toString(encoded);
        }
    }

    /**
     * The model: what the member should hold.
     */
    static final class Model
    {
        final TreeMap<Key, byte[]> nodes = new TreeMap<>();

        Model copy()
        {
            final Model copy = new Model();
            copy.nodes.putAll(nodes);
            return copy;
        }

        void apply(final Op op)
        {
            final Key key = Key.of(op.global(), op.subscripts());
            switch (op.kind())
            {
                case SET:
                    nodes.put(key, op.value());
                    break;
                case KILL:
                    nodes.keySet().removeIf(k -> k.isUnder(key));
                    break;
                case ZKILL:
                    nodes.remove(key);
                    break;
                default:
                    final byte[] old = nodes.get(key);
                    final BigDecimal before = null == old ? BigDecimal.ZERO :
                        NumericValue.parse(new UnsafeBuffer(old), 0, old.length);
                    nodes.put(key, NumericValue.format(before.add(BigDecimal.valueOf(op.by())))
                        .getBytes(StandardCharsets.US_ASCII));
                    break;
            }
        }

        /**
         * @return null if {@code actual} equals this model, else a description of the first difference.
         */
        String differenceFrom(final TreeMap<Key, byte[]> actual)
        {
            if (actual.size() != nodes.size())
            {
                return "node count " + actual.size() + " instead of " + nodes.size();
            }
            final Iterator<Map.Entry<Key, byte[]>> a = actual.entrySet().iterator();
            for (final Map.Entry<Key, byte[]> e : nodes.entrySet())
            {
                final Map.Entry<Key, byte[]> x = a.next();
                if (!x.getKey().equals(e.getKey()))
                {
                    return "node " + x.getKey() + " where " + e.getKey() + " was expected";
                }
                if (!Arrays.equals(x.getValue(), e.getValue()))
                {
                    return "value of " + e.getKey() + " differs";
                }
            }
            return null;
        }

        /**
         * @return every node that differs, for failure messages.
         */
        String describeDifferences(final TreeMap<Key, byte[]> actual)
        {
            final StringBuilder out = new StringBuilder();
            for (final Map.Entry<Key, byte[]> e : nodes.entrySet())
            {
                final byte[] other = actual.get(e.getKey());
                if (null == other)
                {
                    out.append("  missing ").append(e.getKey()).append('\n');
                }
                else if (!Arrays.equals(other, e.getValue()))
                {
                    out.append("  differs ").append(e.getKey()).append(": ").append(preview(other))
                        .append(" instead of ").append(preview(e.getValue())).append('\n');
                }
            }
            for (final Key key : actual.keySet())
            {
                if (!nodes.containsKey(key))
                {
                    out.append("  extra ").append(key).append('\n');
                }
            }
            return out.toString();
        }

        private static String preview(final byte[] value)
        {
            return value.length + " bytes " + Arrays.toString(Arrays.copyOf(value, Math.min(8, value.length)));
        }

        /**
         * @return true if {@code actual} is this model with a leading part (in key order) of the
         * subtree under {@code prefix} removed: a kill caught between its steps.
         */
        boolean matchesPartialKill(final TreeMap<Key, byte[]> actual, final Key prefix)
        {
            boolean removing = true;
            final Iterator<Map.Entry<Key, byte[]>> a = actual.entrySet().iterator();
            Map.Entry<Key, byte[]> next = a.hasNext() ? a.next() : null;
            for (final Map.Entry<Key, byte[]> e : nodes.entrySet())
            {
                final boolean present = null != next && next.getKey().equals(e.getKey());
                if (!present)
                {
                    if (!e.getKey().isUnder(prefix) || !removing)
                    {
                        return false;
                    }
                    continue;
                }
                if (!Arrays.equals(next.getValue(), e.getValue()))
                {
                    return false;
                }
                if (e.getKey().isUnder(prefix))
                {
                    removing = false; // the kill stopped here: the rest of the subtree is intact
                }
                next = a.hasNext() ? a.next() : null;
            }
            return null == next;
        }
    }

    /**
     * @return everything a member holds, as model nodes.
     */
    static TreeMap<Key, byte[]> read(final StoreSession session)
    {
        final TreeMap<Key, byte[]> nodes = new TreeMap<>();
        for (final String global : session.globalNames())
        {
            session.scan(global, new Object[0], (key, value, offset, length) ->
            {
                final byte[] encoded = new byte[key.length()];
                key.buffer().getBytes(0, encoded);
                final byte[] bytes = new byte[length];
                value.getBytes(offset, bytes);
                nodes.put(new Key(global, encoded), bytes);
                return true;
            });
        }
        return nodes;
    }
}
