package org.bulwark.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random operation sequences against a {@link TreeMap} model (seeded; the seed is in every
 * failure message): sets of small and big values, gets, kills of nodes and subtrees, zkills,
 * $data, $order and $query both ways, increments, with flushes and reopens in between, so that
 * blocks split, merge, go to big-value chains and come back from the files.
 */
class StoreModelTest
{
    private static final int OPERATIONS = Boolean.getBoolean("bulwark.soak") ? 200_000 : 12_000;

    @TempDir
    Path dir;

    @Test
    void randomOperationsMatchTheModel() throws Exception
    {
        final long seed = Long.getLong("bulwark.seed", System.nanoTime());
        run(seed);
    }

    @Test
    void fixedSeedMatchesTheModel() throws Exception
    {
        run(42);
    }

    private void run(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final TreeMap<List<Object>, byte[]> model = new TreeMap<>(Collation.REFERENCES);
        Store store = TestStores.open(dir);
        try
        {
            for (int op = 0; op < OPERATIONS; op++)
            {
                final String where = "seed " + seed + " op " + op;
                final int kind = random.nextInt(100);
                final List<Object> key = randomKey(random);
                final Object[] subs = key.toArray();
                if (kind < 40)
                {
                    final byte[] value = randomValue(random);
                    store.session().set(value, "g", subs);
                    model.put(normalised(key), value);
                }
                else if (kind < 52)
                {
                    final byte[] expected = model.get(normalised(key));
                    final byte[] actual = store.session().getOrDefault(null, "g", subs);
                    assertArrayEquals(expected, actual, where + " get " + key);
                }
                else if (kind < 57)
                {
                    if (key.size() == 1 && random.nextInt(4) != 0)
                    {
                        continue; // whole first-level subtrees go rarely, so that the tree can grow
                    }
                    store.session().kill("g", subs);
                    model.keySet().removeIf(k -> isPrefix(normalised(key), k));
                }
                else if (kind < 61)
                {
                    store.session().zkill("g", subs);
                    model.remove(normalised(key));
                }
                else if (kind < 68)
                {
                    assertEquals(expectedData(model, normalised(key)), store.session().data("g", subs), where +
                        " data " + key);
                }
                else if (kind < 80)
                {
                    final int direction = random.nextBoolean() ? 1 : -1;
                    final List<Object> orderArgs = new ArrayList<>(key);
                    if (random.nextInt(4) == 0)
                    {
                        orderArgs.set(orderArgs.size() - 1, "");
                    }
                    assertEquals(expectedOrder(model, orderArgs, direction),
                        store.session().order(direction, "g", orderArgs.toArray()), where + " order " + orderArgs +
                            " " + direction);
                }
                else if (kind < 90)
                {
                    final int direction = random.nextBoolean() ? 1 : -1;
                    final List<Object> start = random.nextInt(10) == 0 ? List.of() : normalised(key);
                    assertEquals(expectedQuery(model, start, direction),
                        store.session().query(direction, "g", start.toArray()), where + " query " + start + " " +
                            direction);
                }
                else if (kind < 96)
                {
                    final long by = random.nextInt(21) - 10;
                    final byte[] old = model.get(normalised(key));
                    final BigDecimal expected = (null == old ? BigDecimal.ZERO :
                        NumericValue.parse(new org.agrona.concurrent.UnsafeBuffer(old), 0, old.length))
                        .add(BigDecimal.valueOf(by));
                    final String result = store.session().incrementBy(by, "g", subs);
                    assertEquals(NumericValue.format(expected), result, where + " increment " + key);
                    model.put(normalised(key), result.getBytes(StandardCharsets.US_ASCII));
                }
                else if (kind < 99)
                {
                    DirectFlusher.flush(store);
                }
                else
                {
                    DirectFlusher.flush(store);
                    store.close();
                    store = TestStores.open(dir);
                    assertContent(store, model, where + " after reopen");
                    final org.bulwark.store.integrity.IntegrityReport report = store.checkIntegrity("MAIN");
                    assertTrue(report.ok(), where + ": " + report.format());
                    noteShape(report);
                }
                if (store.dirtyBlockCount() > store.poolFrameCount() / 4)
                {
                    DirectFlusher.flush(store);
                }
            }
            assertContent(store, model, "seed " + seed + " at the end");
            final org.bulwark.store.integrity.IntegrityReport report = store.checkIntegrity("MAIN");
            assertTrue(report.ok(), "seed " + seed + ": " + report.format());
            noteShape(report);
            // The workload is sized so that the tree grows and shrinks across levels and uses big values.
            assertTrue(maxLevels >= 2 && sawBigValues, "seed " + seed + ": levels " + maxLevels + ", big " +
                sawBigValues);
            killEverything(store, model, seed);
            assertTrue(store.checkIntegrity("MAIN").ok(), store.checkIntegrity("MAIN").format());
        }
        finally
        {
            DirectFlusher.flush(store);
            store.close();
        }
    }

    private int maxLevels;
    private boolean sawBigValues;

    private void noteShape(final org.bulwark.store.integrity.IntegrityReport report)
    {
        final org.bulwark.store.integrity.IntegrityReport.TreeStats stats = report.globals().get("^g");
        if (null != stats)
        {
            maxLevels = Math.max(maxLevels, stats.levels());
            sawBigValues |= stats.bigBlocks() > 0;
        }
    }

    private static void killEverything(final Store store, final TreeMap<List<Object>, byte[]> model, final long seed)
    {
        store.session().kill("g");
        model.clear();
        assertContent(store, model, "seed " + seed + " after kill ^g");
        assertEquals(0, store.session().data("g"));
    }

    static void assertContent(final Store store, final TreeMap<List<Object>, byte[]> model, final String where)
    {
        final List<Map.Entry<String, byte[]>> actual = new ArrayList<>();
        store.session().scan("g", new Object[0], (key, value, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            value.getBytes(offset, bytes);
            actual.add(Map.entry(key.toString(), bytes));
            if (actual.size() > model.size() + 1)
            {
                fail(where + ": scan returned more nodes than the model holds, last " + key);
            }
            return true;
        });
        final List<Map.Entry<List<Object>, byte[]>> expected = new ArrayList<>(model.entrySet());
        assertEquals(expected.size(), actual.size(), where + ": node count");
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(reference(expected.get(i).getKey()), actual.get(i).getKey(), where + ": node " + i);
            assertArrayEquals(expected.get(i).getValue(), actual.get(i).getValue(), where + ": value of node " + i);
        }
    }

    static String reference(final List<Object> key)
    {
        final GlobalKey k = new GlobalKey().global("g");
        for (final Object s : key)
        {
            k.add(s);
        }
        return k.toString();
    }

    static List<Object> normalised(final List<Object> key)
    {
        final List<Object> out = new ArrayList<>();
        for (final Object s : key)
        {
            out.add(Collation.normalise(s));
        }
        return out;
    }

    static boolean isPrefix(final List<Object> prefix, final List<Object> key)
    {
        return key.size() >= prefix.size() && Collation.compareReferences(key.subList(0, prefix.size()), prefix) == 0;
    }

    static int expectedData(final TreeMap<List<Object>, byte[]> model, final List<Object> key)
    {
        final boolean value = model.containsKey(key);
        final List<Object> next = model.higherKey(key);
        final boolean descendants = null != next && next.size() > key.size() && isPrefix(key, next);
        return (value ? 1 : 0) + (descendants ? 10 : 0);
    }

    static String expectedOrder(final TreeMap<List<Object>, byte[]> model, final List<Object> args, final int direction)
    {
        final List<Object> parent = normalised(args.subList(0, args.size() - 1));
        final Object last = args.get(args.size() - 1);
        final boolean start = "".equals(last);
        Object best = null;
        for (final List<Object> k : model.keySet())
        {
            if (k.size() <= parent.size() || !isPrefix(parent, k))
            {
                continue;
            }
            final Object candidate = k.get(parent.size());
            final boolean beyond = start ||
                (direction > 0 ? Collation.compareSubscripts(candidate, last) > 0 :
                    Collation.compareSubscripts(candidate, last) < 0);
            if (beyond && (null == best || (direction > 0 ? Collation.compareSubscripts(candidate, best) < 0 :
                Collation.compareSubscripts(candidate, best) > 0)))
            {
                best = candidate;
            }
        }
        return null == best ? "" : Collation.text(best);
    }

    static String expectedQuery(final TreeMap<List<Object>, byte[]> model, final List<Object> key, final int direction)
    {
        final List<Object> found = direction > 0 ? model.higherKey(key) : model.lowerKey(key);
        return null == found ? "" : reference(found);
    }

    private static final Object[] FIRST = {1L, 2L, 3L, -1L, "a", "b", "x1", 10L, new BigDecimal("2.5"), "12", "01"};

    static List<Object> randomKey(final Random random)
    {
        final int depth = 1 + random.nextInt(3);
        final List<Object> key = new ArrayList<>();
        key.add(FIRST[random.nextInt(FIRST.length)]);
        for (int i = 1; i < depth; i++)
        {
            key.add(random.nextInt(3) == 0 ? "s" + random.nextInt(40) : (Object)(long)random.nextInt(60));
        }
        if (random.nextInt(50) == 0)
        {
            key.add("long-" + "k".repeat(random.nextInt(300)));
        }
        return key;
    }

    static byte[] randomValue(final Random random)
    {
        final int size;
        final int r = random.nextInt(100);
        if (r < 70)
        {
            size = random.nextInt(40);
        }
        else if (r < 95)
        {
            size = 100 + random.nextInt(400);
        }
        else
        {
            size = 490 + random.nextInt(9000);
        }
        final byte[] value = new byte[size];
        random.nextBytes(value);
        return value;
    }

    @Test
    void deepTreesSplitMergeAndCollapse() throws Exception
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final TreeMap<List<Object>, byte[]> model = new TreeMap<>(Collation.REFERENCES);
        try (Store store = TestStores.open(dir))
        {
            // Long keys make separators long, so pointer blocks hold few entries and the tree grows deep.
            final List<List<Object>> keys = new ArrayList<>();
            for (int i = 0; i < 3000; i++)
            {
                final List<Object> key = List.of((long)random.nextInt(1_000_000), "p".repeat(150 +
                    random.nextInt(200)));
                keys.add(key);
                final byte[] value = randomValue(random);
                store.session().set(value, "g", key.toArray());
                model.put(normalised(key), value);
                if (store.dirtyBlockCount() > store.poolFrameCount() / 4)
                {
                    DirectFlusher.flush(store);
                }
            }
            DirectFlusher.flush(store);
            org.bulwark.store.integrity.IntegrityReport report = store.checkIntegrity("MAIN");
            assertTrue(report.ok(), "seed " + seed + ": " + report.format());
            final int grownLevels = report.globals().get("^g").levels();
            assertTrue(grownLevels >= 4, "seed " + seed + ": only " + grownLevels + " levels\n" + report.format());
            assertContent(store, model, "seed " + seed + " grown");

            // Remove all but a few, in random order: leaves and pointer blocks merge, the root collapses.
            java.util.Collections.shuffle(keys, random);
            for (int i = 0; i < keys.size() - 5; i++)
            {
                final List<Object> key = keys.get(i);
                if (random.nextBoolean())
                {
                    store.session().zkill("g", key.toArray());
                }
                else
                {
                    store.session().kill("g", key.get(0));
                    model.keySet().removeIf(k -> isPrefix(normalised(List.of(key.get(0))), k));
                }
                model.remove(normalised(key));
                if (store.dirtyBlockCount() > store.poolFrameCount() / 4)
                {
                    DirectFlusher.flush(store);
                }
                if (i % 500 == 0)
                {
                    assertContent(store, model, "seed " + seed + " shrinking at " + i);
                }
            }
            DirectFlusher.flush(store);
            report = store.checkIntegrity("MAIN");
            assertTrue(report.ok(), "seed " + seed + ": " + report.format());
            assertContent(store, model, "seed " + seed + " shrunk");
            final int shrunkLevels = report.globals().get("^g").levels();
            assertTrue(shrunkLevels < grownLevels, "seed " + seed + ": still " + shrunkLevels + " levels");
            assertTrue(report.allocatedBlocks() < 40, "seed " + seed + ": blocks not freed\n" + report.format());
        }
    }

    @Test
    void databasesGrowByTheExpansionUpToTheirMaximum() throws Exception
    {
        final StoreConfig config = new StoreConfig()
            .addDatabase(new DatabaseConfig("SMALL", dir.resolve("small")).blockSizeBytes(4096)
                .initialSizeBytes(16 * 4096).expansionBytes(8 * 4096).maxSizeBytes(64 * 4096))
            .poolSizeBytes(2L << 20);
        final java.util.List<String> expansions = new java.util.ArrayList<>();
        config.events(new StoreEvents()
        {
            @Override
            public void databaseExpanded(final String name, final int oldSizeBlocks, final int newSizeBlocks,
                final int blockSizeBytes)
            {
                expansions.add(name + " " + oldSizeBlocks + "->" + newSizeBlocks);
            }
        });
        try (Store store = Store.open(config))
        {
            final byte[] value = new byte[3000];
            final BulwarkException full = assertThrows(BulwarkException.class, () ->
            {
                for (int i = 0; i < 10_000; i++)
                {
                    store.session().set(value, "g", i);
                }
            });
            assertEquals(ErrorCode.DATABASE, full.code());
            assertTrue(full.getMessage().contains("database SMALL is full: 64 blocks"), full.getMessage());
            assertEquals(java.util.List.of("SMALL 16->24", "SMALL 24->32", "SMALL 32->40", "SMALL 40->48",
                "SMALL 48->56", "SMALL 56->64"), expansions);
            assertEquals(64, store.databases().get(0).sizeBlocks());
            DirectFlusher.flush(store);
            final org.bulwark.store.integrity.IntegrityReport report = store.checkIntegrity("SMALL");
            assertTrue(report.ok(), report.format());
            // Space freed by a kill is reused without growing.
            store.session().kill("g");
            store.session().set(value, "g", 1);
            assertEquals(64, store.databases().get(0).sizeBlocks());
            DirectFlusher.flush(store);
        }
    }

    /**
     * A database that fills up fails the update that needs a block, before it changes anything:
     * every acknowledged set stays readable, a failed overwrite keeps the old value, and no block
     * leaks (splits two levels deep and big-value chains included).
     */
    @Test
    void aFullDatabaseFailsUpdatesWithoutDamage() throws Exception
    {
        for (int round = 0; round < 12; round++)
        {
            final long seed = System.nanoTime() + round;
            final Random random = new Random(seed);
            final Path where = dir.resolve("full" + round);
            final StoreConfig config = new StoreConfig()
                .addDatabase(new DatabaseConfig("SMALL", where).blockSizeBytes(4096)
                    .initialSizeBytes(16 * 4096).expansionBytes(4 * 4096)
                    .maxSizeBytes((40 + random.nextInt(40)) * 4096))
                .poolSizeBytes(2L << 20);
            final TreeMap<List<Object>, byte[]> model = new TreeMap<>(Collation.REFERENCES);
            try (Store store = Store.open(config))
            {
                int failures = 0;
                for (int i = 0; i < 3000 && failures < 60; i++)
                {
                    final List<Object> key = List.of((long)random.nextInt(400), "k".repeat(300 + random.nextInt(150)));
                    final byte[] value = new byte[random.nextInt(10) == 0 ? 5000 + random.nextInt(9000) :
                        random.nextInt(300)];
                    random.nextBytes(value);
                    try
                    {
                        store.session().set(value, "g", key.toArray());
                        model.put(normalised(key), value);
                    }
                    catch (final BulwarkException ex)
                    {
                        assertEquals(ErrorCode.DATABASE, ex.code(), ex.getMessage());
                        assertTrue(ex.getMessage().contains("is full"), ex.getMessage());
                        failures++;
                    }
                }
                assertTrue(failures > 0, "seed " + seed + ": the database never filled up");
                assertContent(store, model, "seed " + seed + " when full");
                DirectFlusher.flush(store);
                final org.bulwark.store.integrity.IntegrityReport report = store.checkIntegrity("SMALL");
                assertTrue(report.ok(), "seed " + seed + ": " + report.format());
            }
        }
    }

    @Test
    void aDatabaseCreatedLargerThanOneMapRegionHasEveryMapBlock() throws Exception
    {
        final int regionBlocks = org.bulwark.store.block.DatabaseLabel.regionBlocks(4096);
        final StoreConfig config = new StoreConfig()
            .addDatabase(new DatabaseConfig("WIDE", dir.resolve("wide")).blockSizeBytes(4096)
                .initialSizeBytes((regionBlocks * 2L + 100) * 4096))
            .poolSizeBytes(64L << 20);
        try (Store store = Store.open(config))
        {
            assertTrue(store.checkIntegrity("WIDE").ok(), store.checkIntegrity("WIDE").format());
            // Fill past the first region: the allocator must skip the second region's map block.
            final byte[] value = new byte[3000];
            for (int i = 0; i < regionBlocks + 2000; i++)
            {
                store.session().set(value, "g", i);
                if (store.dirtyBlockCount() > store.poolFrameCount() / 2)
                {
                    DirectFlusher.flush(store);
                }
            }
            DirectFlusher.flush(store);
            final org.bulwark.store.integrity.IntegrityReport report = store.checkIntegrity("WIDE");
            assertTrue(report.ok(), report.format());
            assertEquals(0, store.databases().get(0).expansions());
        }
    }

    @Test
    void errorsNameTheReference() throws Exception
    {
        try (Store store = TestStores.open(dir))
        {
            final BulwarkException undefined = assertThrows(BulwarkException.class,
                () -> store.session().get("g", "nope", 1));
            assertEquals(ErrorCode.UNDEFINED, undefined.code());
            assertEquals("<UNDEFINED> ^g(\"nope\",1)", undefined.getMessage());
            final BulwarkException tooBig = assertThrows(BulwarkException.class,
                () -> store.session().set(new byte[StoreConfig.DEFAULT_MAX_VALUE_BYTES + 1], "g", 1));
            assertEquals(ErrorCode.MAXSTRING, tooBig.code());
            assertEquals(Arrays.asList(), store.session().globalNames());
            DirectFlusher.flush(store);
        }
    }
}
