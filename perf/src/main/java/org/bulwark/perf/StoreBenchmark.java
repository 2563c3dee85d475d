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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the embedded globals API's hot paths on a store of 1,000,000 nodes
 * {@code ^b(i)}, i = 0..999,999, each with a 16-byte value, in one database of 8 KiB blocks.
 *
 * <ul>
 *   <li>{@code get}: read a random node of a hot set (the first {@value #HOT_KEY_COUNT} keys, a few
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
 * (512 MiB of direct buffers) holds the whole tree, hence {@code -XX:MaxDirectMemorySize=1g}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=1g" })
@State(Scope.Benchmark)
public class StoreBenchmark
{
    /** Nodes loaded: {@code ^b(0)} to {@code ^b(KEY_COUNT - 1)}. */
    public static final int KEY_COUNT = 1_000_000;

    /** The hot set of {@code get}: {@code ^b(0)} to {@code ^b(HOT_KEY_COUNT - 1)}. */
    public static final int HOT_KEY_COUNT = 10_000;

    public static final int VALUE_LENGTH = 16;
    public static final int BLOCK_SIZE_BYTES = 8192;
    public static final long POOL_SIZE_BYTES = 512L << 20;
    public static final String GLOBAL = "b";

    /**
     * The write daemon's cycle interval (it also runs when half the pool is dirty).
     */
    @Param("1000")
    public long flushIntervalMs;

    private Path directory;
    private BenchMember member;
    private Store store;

    /**
     * Create the store, load {@value #KEY_COUNT} nodes in key order, flush them, check a few, and
     * start the write daemon on its own thread.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        final String parent = System.getProperty("bulwark.perf.dir");
        directory = null == parent ?
            Files.createTempDirectory("bulwark-jmh") :
            Files.createTempDirectory(Files.createDirectories(Paths.get(parent)), "bulwark-jmh");
        try
        {
            member = new BenchMember(directory, POOL_SIZE_BYTES, Math.max(1, flushIntervalMs), WriteDaemonProbe.NONE);
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
        for (int i = 0; i < KEY_COUNT; i++)
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

        check(session, key);
        System.out.printf(
            "%n[setup] loaded %,d nodes in %,d ms (%d flushes); database %s holds %,d blocks of %d bytes%n",
            KEY_COUNT, loadMs, flushes, directory, store.databases().get(0).sizeBlocks(), BLOCK_SIZE_BYTES);

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

        @Setup(Level.Trial)
        public void setUp(final StoreBenchmark benchmark, final ThreadParams threadParams)
        {
            session = benchmark.store.session();
            key = new GlobalKey().global(GLOBAL).add(0L);
            value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
            random = new SplittableRandom(0x9E3779B97F4A7C15L * (threadParams.getThreadIndex() + 1));
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
        key.pop().add(client.random.nextInt(HOT_KEY_COUNT));
        final StoreSession session = client.session;
        if (!session.get(key))
        {
            throw new IllegalStateException("missing node");
        }
        return session.value().getLong(0);
    }

    private static void set(final Client client)
    {
        final int i = client.random.nextInt(KEY_COUNT);
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
        key.add(client.random.nextInt(KEY_COUNT - 1));
        return client.session.order(StoreSession.FORWARD, key, parentLength);
    }

    private static void fillValue(final UnsafeBuffer value, final long first, final long second)
    {
        value.putLong(0, first);
        value.putLong(8, second);
    }

    private static void check(final StoreSession session, final GlobalKey key)
    {
        for (final int i : new int[]{ 0, 1, 12_345, KEY_COUNT - 1 })
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
        key.pop().add(KEY_COUNT - 1);
        if (!session.order(StoreSession.FORWARD, key, parentLength).isEmpty())
        {
            throw new IllegalStateException("$order past the last node is not empty");
        }
    }
}
