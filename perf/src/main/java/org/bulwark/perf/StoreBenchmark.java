package org.bulwark.perf;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.Store;
import org.bulwark.store.StoreSession;
import org.bulwark.wij.WriteDaemonProbe;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the embedded globals API's hot paths on a store of {@code keyCount} (by default
 * 1,000,000) nodes {@code ^b(i)}, i = 0..keyCount - 1, each with a 16-byte value, in one database of
 * 8 KiB blocks.
 *
 * <ul>
 *   <li>{@code get}: read a random node of a hot set (the first {@code hotKeyCount} keys, a few
 *   dozen leaves that stay in the CPU caches) through the allocation-free
 *   {@link StoreSession#get(GlobalKey)}. Measures the cost of a descent under shared latches
 *   and the copy of the value, without the memory-latency of a cold tree: the read path's
 *   fixed overhead. Should allocate nothing.</li>
 *   <li>{@code set}: overwrite a random node of the whole set with a new 16-byte value. Measures
 *   an update step (update gate, exclusive latch on the leaf, copy-on-write of a clean leaf into
 *   a pool frame) while the write daemon (with the WIJ, as in production) writes changed
 *   blocks out every {@code flushIntervalMs}, so that leaves keep turning clean.</li>
 *   <li>{@code order}: {@code $order(^b(i))} forward from a random node of the whole set. Measures
 *   a seek plus the conversion of the found subscript to text; the API returns a {@link String},
 *   so this one allocates by design.</li>
 * </ul>
 *
 * <p>Each runs with one and with two threads (suffixes {@code T1}, {@code T2}) to show how the
 * shared latches and the update gate scale. Every thread has its own session, key, value buffer
 * and random generator, so the measured methods allocate nothing of their own.
 *
 * <p>The store lives in a temporary directory (under {@code -Dbulwark.perf.dir} if set) and is
 * loaded and flushed once per trial, in {@link #setUp()}; the load is not measured. The pool
 * ({@code poolMiB}, 512 MiB of direct buffers by default) holds the whole tree, hence
 * {@code -XX:MaxDirectMemorySize=1g}. The sizes are parameters so that the CI smoke
 * ({@code JmhSmokeTest}) can run every method on a small store; the figures in perf/RESULTS.md are
 * for the defaults.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=1g" })
@State(Scope.Benchmark)
public class StoreBenchmark
{
    public static final int VALUE_LENGTH = 16;
    public static final int BLOCK_SIZE_BYTES = 8192;
    public static final String GLOBAL = "b";
    /** The load check looks at {@code ^b(41)} and its successor. */
    private static final int MIN_KEY_COUNT = 100;

    /** Nodes loaded: {@code ^b(0)} to {@code ^b(keyCount - 1)}. */
    @Param("1000000")
    public int keyCount;

    /** The hot set of {@code get}: {@code ^b(0)} to {@code ^b(hotKeyCount - 1)}. */
    @Param("10000")
    public int hotKeyCount;

    /** The buffer pool, MiB of direct memory. */
    @Param("512")
    public int poolMiB;

    /**
     * The write daemon's cycle interval (it also runs when half the pool is dirty).
     */
    @Param("1000")
    public long flushIntervalMs;

    private Path directory;
    private BenchMember member;
    private Store store;

    /**
     * Create the store, load {@code keyCount} nodes in key order, flush them, check a few, and
     * start the write daemon on its own thread.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        if (keyCount < MIN_KEY_COUNT)
        {
            throw new IllegalArgumentException("StoreBenchmark: keyCount must be at least " + MIN_KEY_COUNT + ": " +
                keyCount);
        }
        if (hotKeyCount < 1 || hotKeyCount > keyCount)
        {
            throw new IllegalArgumentException("StoreBenchmark: hotKeyCount must be 1.." + keyCount + " (keyCount): " +
                hotKeyCount);
        }
        if (poolMiB < 16)
        {
            throw new IllegalArgumentException("StoreBenchmark: poolMiB must be at least 16: " + poolMiB);
        }
        directory = BenchMember.newDirectory("bulwark-jmh");
        try
        {
            member = new BenchMember(directory, (long)poolMiB << 20, Math.max(1, flushIntervalMs),
                WriteDaemonProbe.NONE);
        }
        catch (final Exception ex)
        {
            throw new IOException("cannot open the benchmark member", ex);
        }
        store = member.store;

        final long startNs = System.nanoTime();
        final StoreSession session = store.session();
        final GlobalKey key = new GlobalKey().global(GLOBAL).add(0L);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
        int flushes = 0;
        for (int i = 0; i < keyCount; i++)
        {
            key.pop().add(i);
            fillValue(value, i, i);
            session.set(key, value, 0, VALUE_LENGTH);
            if (store.dirtyBlockCount() > store.poolFrameCount() / 2)
            {
                member.daemon.runCycle();
                flushes++;
            }
        }
        member.daemon.flushAll();
        flushes++;
        final long loadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        check(session, key, keyCount);
        System.out.printf(
            "%n[setup] loaded %,d nodes in %,d ms (%d flushes); database %s holds %,d blocks of %d bytes%n",
            keyCount, loadMs, flushes, directory, store.databases().get(0).sizeBlocks(), BLOCK_SIZE_BYTES);

        member.startDaemon();
    }

    /**
     * Stop the write daemon after a last flush, close the member and delete its directory.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        try
        {
            if (null != member)
            {
                member.close();
                System.out.printf("%n[teardown] the write daemon wrote %,d blocks in %,d cycles%n",
                    member.daemon.blocksWritten(), member.daemon.cycles());
            }
        }
        finally
        {
            BenchMember.delete(directory);
        }
    }

    /**
     * Per-thread client: its own session (taken on the benchmark thread), reusable key and value
     * buffer, and random generator.
     */
    @State(Scope.Thread)
    public static class Client
    {
        StoreSession session;
        GlobalKey key;
        UnsafeBuffer value;
        SplittableRandom random;
        long sequence;
        int keyCount;
        int hotKeyCount;

        @Setup(Level.Trial)
        public void setUp(final StoreBenchmark benchmark, final ThreadParams threadParams)
        {
            session = benchmark.store.session();
            key = new GlobalKey().global(GLOBAL).add(0L);
            value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
            random = new SplittableRandom(0x9E3779B97F4A7C15L * (threadParams.getThreadIndex() + 1));
            keyCount = benchmark.keyCount;
            hotKeyCount = benchmark.hotKeyCount;
        }
    }

    // ------------------------------------------------------------------ get

    @Benchmark
    @Threads(1)
    public long getT1(final Client client)
    {
        return get(client);
    }

    @Benchmark
    @Threads(2)
    public long getT2(final Client client)
    {
        return get(client);
    }

    // ------------------------------------------------------------------ set

    @Benchmark
    @Threads(1)
    public void setT1(final Client client)
    {
        set(client);
    }

    @Benchmark
    @Threads(2)
    public void setT2(final Client client)
    {
        set(client);
    }

    // ------------------------------------------------------------------ order

    @Benchmark
    @Threads(1)
    public String orderT1(final Client client)
    {
        return order(client);
    }

    @Benchmark
    @Threads(2)
    public String orderT2(final Client client)
    {
        return order(client);
    }

    // ------------------------------------------------------------------ operations

    private static long get(final Client client)
    {
        final GlobalKey key = client.key;
        key.pop().add(client.random.nextInt(client.hotKeyCount));
        final StoreSession session = client.session;
        if (!session.get(key))
        {
            throw new IllegalStateException("missing node");
        }
        return session.value().getLong(0);
    }

    private static void set(final Client client)
    {
        final int i = client.random.nextInt(client.keyCount);
        final GlobalKey key = client.key;
        key.pop().add(i);
        fillValue(client.value, client.sequence++, i);
        client.session.set(key, client.value, 0, VALUE_LENGTH);
    }

    private static String order(final Client client)
    {
        final GlobalKey key = client.key;
        key.pop();
        final int parentLength = key.length();
        key.add(client.random.nextInt(client.keyCount - 1));
        return client.session.order(StoreSession.FORWARD, key, parentLength);
    }

    private static void fillValue(final UnsafeBuffer value, final long first, final long second)
    {
        value.putLong(0, first);
        value.putLong(8, second);
    }

    private static void check(final StoreSession session, final GlobalKey key, final int keyCount)
    {
        for (final int i : new int[]{ 0, 1, keyCount / 2, keyCount - 1 })
        {
            key.pop().add(i);
            if (!session.get(key) || session.valueLength() != VALUE_LENGTH || session.value().getLong(8) != i)
            {
                throw new IllegalStateException("load check failed at ^" + GLOBAL + "(" + i + ")");
            }
        }
        key.pop();
        final int parentLength = key.length();
        key.add(41L);
        final String next = session.order(StoreSession.FORWARD, key, parentLength);
        if (!"42".equals(next))
        {
            throw new IllegalStateException("$order(^" + GLOBAL + "(41)) gave '" + next + "'");
        }
        key.pop().add(keyCount - 1);
        if (!session.order(StoreSession.FORWARD, key, parentLength).isEmpty())
        {
            throw new IllegalStateException("$order past the last node is not empty");
        }
    }
}
