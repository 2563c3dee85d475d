package org.bulwark.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Several writers and readers on shared trees while a flusher seals cycles (SPEC S-6). Each
 * writer owns a first-level subscript and keeps its own model; all of them hit one shared
 * counter. At the end: every writer's subtree equals its model, the counter equals the number
 * of increments, readers never saw keys out of order, and the integrity check is clean.
 */
class ConcurrentStoreTest
{
    private static final int WRITERS = 3;
    private static final int READERS = 2;
    private static final int OPS_PER_WRITER = Boolean.getBoolean("bulwark.soak") ? 200_000 : 15_000;

    @TempDir
    Path dir;

    @Test
    void writersReadersAndFlusherKeepTheInvariants() throws Exception
    {
        final long seed = System.nanoTime();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        try (Store store = Store.open(TestStores.config(dir, 4096, 4L << 20)))
        {
            final Thread flusher = DirectFlusher.autoFlush(store, running);
            final List<TreeMap<List<Object>, byte[]>> models = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            final long[] increments = new long[WRITERS];
            for (int w = 0; w < WRITERS; w++)
            {
                final int writer = w;
                final TreeMap<List<Object>, byte[]> model = new TreeMap<>(Collation.REFERENCES);
                models.add(model);
                threads.add(new Thread(() -> runWriter(store, writer, new Random(seed + writer), model, increments,
                    failures),
                    "writer-" + w));
            }
            for (int r = 0; r < READERS; r++)
            {
                final int reader = r;
                threads.add(new Thread(() -> runReader(store, new Random(seed + 100 + reader), running, failures),
                    "reader-" + r));
            }
            threads.forEach(Thread::start);
            for (int i = 0; i < WRITERS; i++)
            {
                threads.get(i).join(TimeUnit.MINUTES.toMillis(5));
                assertFalse(threads.get(i).isAlive(), "seed " + seed + ": writer " + i + " did not finish");
            }
            running.set(false);
            for (final Thread t : threads)
            {
                t.join(TimeUnit.MINUTES.toMillis(1));
            }
            flusher.join(TimeUnit.MINUTES.toMillis(1));
            if (!failures.isEmpty())
            {
                final AssertionError error = new AssertionError("seed " + seed + ": " + failures.size() +
                    " thread failures");
                failures.forEach(error::addSuppressed);
                throw error;
            }
            DirectFlusher.flush(store);

            for (int w = 0; w < WRITERS; w++)
            {
                final TreeMap<List<Object>, byte[]> actual = new TreeMap<>(Collation.REFERENCES);
                store.session().scan("g", new Object[] {(long)w}, (key, value, offset, length) ->
                {
                    final List<Object> k = new ArrayList<>();
                    for (int i = 0; i < key.depth(); i++)
                    {
                        k.add(Collation.normalise(key.subscript(i)));
                    }
                    final byte[] bytes = new byte[length];
                    value.getBytes(offset, bytes);
                    actual.put(k, bytes);
                    return true;
                });
                final TreeMap<List<Object>, byte[]> model = models.get(w);
                assertEquals(model.size(), actual.size(), "seed " + seed + ": writer " + w + " node count");
                for (final Map.Entry<List<Object>, byte[]> e : model.entrySet())
                {
                    assertArrayEquals(e.getValue(), actual.get(e.getKey()), "seed " + seed + ": " + e.getKey());
                }
            }
            long total = 0;
            for (final long n : increments)
            {
                total += n;
            }
            assertEquals(Long.toString(total), store.session().getString("counter"), "seed " + seed +
                ": lost increments");
            final org.bulwark.store.integrity.IntegrityReport report = store.checkIntegrity("MAIN");
            assertTrue(report.ok(), "seed " + seed + ": " + report.format());
        }
    }

    private static void runWriter(
        final Store store, final int writer, final Random random, final TreeMap<List<Object>, byte[]> model,
        final long[] increments, final List<Throwable> failures)
    {
        try
        {
            final StoreSession session = store.session();
            for (int op = 0; op < OPS_PER_WRITER; op++)
            {
                final List<Object> key = new ArrayList<>();
                key.add((long)writer);
                key.add((long)random.nextInt(400));
                if (random.nextBoolean())
                {
                    key.add("s" + random.nextInt(20));
                }
                final int kind = random.nextInt(10);
                if (kind < 6)
                {
                    final byte[] value = StoreModelTest.randomValue(random);
                    session.set(value, "g", key.toArray());
                    model.put(StoreModelTest.normalised(key), value);
                }
                else if (kind < 7)
                {
                    session.kill("g", key.subList(0, 2).toArray());
                    final List<Object> prefix = StoreModelTest.normalised(key.subList(0, 2));
                    model.keySet().removeIf(k -> StoreModelTest.isPrefix(prefix, k));
                }
                else if (kind < 8)
                {
                    session.incrementBy(BigDecimal.ONE, "counter");
                    increments[writer]++;
                }
                else
                {
                    final byte[] expected = model.get(StoreModelTest.normalised(key));
                    final byte[] actual = session.getOrDefault(null, "g", key.toArray());
                    if (!java.util.Arrays.equals(expected, actual))
                    {
                        throw new AssertionError("writer " + writer + " op " + op + ": get " + key + " differs");
                    }
                }
            }
        }
        catch (final Throwable t)
        {
            failures.add(t);
        }
    }

    private static void runReader(
        final Store store, final Random random, final AtomicBoolean running, final List<Throwable> failures)
    {
        try
        {
            final StoreSession session = store.session();
            while (running.get())
            {
                // Forward and reverse walks at the first level must be strictly ordered.
                String previous = "";
                int steps = 0;
                while (steps++ < 50)
                {
                    final String next = session.order(1, "g", previous);
                    if (next.isEmpty())
                    {
                        break;
                    }
                    if (!previous.isEmpty() && Collation.compareSubscripts(next, previous) <= 0)
                    {
                        throw new AssertionError("$order went from " + previous + " to " + next);
                    }
                    previous = next;
                }
                final long writer = random.nextInt(WRITERS);
                String reverse = "";
                String last = null;
                for (int i = 0; i < 30; i++)
                {
                    reverse = session.order(-1, "g", writer, reverse);
                    if (reverse.isEmpty())
                    {
                        break;
                    }
                    if (null != last && Collation.compareSubscripts(reverse, last) >= 0)
                    {
                        throw new AssertionError("reverse $order went from " + last + " to " + reverse);
                    }
                    last = reverse;
                }
                session.data("g", writer, (long)random.nextInt(400));
            }
        }
        catch (final Throwable t)
        {
            failures.add(t);
        }
    }
}
