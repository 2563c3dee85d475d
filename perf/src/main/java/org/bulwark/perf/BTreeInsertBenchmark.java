package org.bulwark.perf;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.GlobalKey;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * B-tree insert (SPEC B-1): every operation sets a node that did not exist, with a 16-byte value,
 * in a global that was empty when the iteration began; the tree grows leaf split by leaf split.
 * Throughput in inserts per second, one thread.
 *
 * <ul>
 *   <li>{@code ascending}: keys in increasing order, as a loader or an id counter writes: every
 *   insert lands in the rightmost leaf.</li>
 *   <li>{@code random}: keys in a scattered order (a bijective scramble of the counter, so no key
 *   repeats and nothing is an overwrite): inserts land all over the tree, and once it outgrows the
 *   CPU caches nearly every one touches a leaf that is not in them.</li>
 * </ul>
 *
 * Both use integer subscripts of ten digits ({@value #KEY_BASE} plus up to 2^32), so that their
 * keys have the same encoded length.
 *
 * <p>State grows with every operation, so it is reset per iteration: each starts a new global
 * ({@link #newGlobal()}) and kills it at its end ({@link #dropGlobal()}), so its blocks go back to
 * the free map. An iteration of two seconds inserts one to three million nodes, some tens of MiB of
 * blocks; the write daemon runs on its own thread as in production ({@code flushIntervalMs}, or
 * when half the pool of {@code poolMiB} is dirty) and writes them out, so the pool never fills.
 * Longer iterations grow the database file on disk accordingly.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=1g" })
@State(Scope.Benchmark)
public class BTreeInsertBenchmark
{
    static final long KEY_BASE = 1_000_000_000L;
    static final int VALUE_LENGTH = 16;
    /** An odd constant: multiplying by it permutes the integers modulo 2^32. */
    private static final long SCRAMBLE = 0x9E3779B9L;
    private static final long LOW_32_BITS = 0xFFFF_FFFFL;

    /** The buffer pool, MiB of direct memory. */
    @Param("512")
    public int poolMiB;

    /** The write daemon's cycle interval (it also runs when half the pool is dirty). */
    @Param("1000")
    public long flushIntervalMs;

    private Path directory;
    private BenchMember member;
    private StoreSession session;
    private final GlobalKey key = new GlobalKey();
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
    private String global;
    private int globals;
    private long inserted;

    @Setup(Level.Trial)
    public void open() throws Exception
    {
        if (poolMiB < 16)
        {
            throw new IllegalArgumentException("BTreeInsertBenchmark: poolMiB must be at least 16: " + poolMiB);
        }
        directory = BenchMember.newDirectory("bulwark-jmh-insert");
        member = new BenchMember(directory, (long)poolMiB << 20, Math.max(1, flushIntervalMs),
            WriteDaemonProbe.NONE);
        session = member.store.session();
        member.startDaemon();
    }

    /**
     * Start an empty global for this iteration.
     */
    @Setup(Level.Iteration)
    public void newGlobal()
    {
        global = "i" + globals++;
        key.global(global).add(KEY_BASE);
        inserted = 0;
    }

    /**
     * Check the iteration's last insert, then kill its global: its blocks go back to the free map
     * for the next iteration's tree.
     */
    @TearDown(Level.Iteration)
    public void dropGlobal()
    {
        System.out.printf("%n[iteration] ^%s holds %,d inserted nodes%n", global, inserted);
        checkLastInsert();
        session.kill(key.global(global));
    }

    @TearDown(Level.Trial)
    public void close() throws Exception
    {
        try
        {
            if (null != member)
            {
                member.close();
            }
        }
        finally
        {
            BenchMember.delete(directory);
        }
    }

    @Benchmark
    public void ascending()
    {
        insert(KEY_BASE + inserted);
    }

    @Benchmark
    public void random()
    {
        insert(scrambled(inserted));
    }

    private void insert(final long subscript)
    {
        key.pop().add(subscript);
        value.putLong(0, inserted);
        value.putLong(8, subscript);
        session.set(key, value, 0, VALUE_LENGTH);
        inserted++;
    }

    /**
     * @return the subscript of insert {@code n}: a permutation of {@code [0, 2^32)}, offset by {@link #KEY_BASE}.
     */
    private static long scrambled(final long n)
    {
        return KEY_BASE + ((n * SCRAMBLE) & LOW_32_BITS);
    }

    private void checkLastInsert()
    {
        if (0 == inserted)
        {
            return;
        }
        // The key still names the last insert of either benchmark.
        if (!session.get(key) || session.value().getLong(0) != inserted - 1)
        {
            throw new IllegalStateException("the last insert into ^" + global + " is missing: " + key);
        }
    }
}
