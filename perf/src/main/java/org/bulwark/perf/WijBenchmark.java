package org.bulwark.perf;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.Store;
import org.bulwark.store.StoreSession;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.wij.RecoveryCase;
import org.bulwark.wij.RecoveryOptions;
import org.bulwark.wij.WijRecovery;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The write daemon and WIJ recovery at scale (SPEC W-1, W-2, W-4), one operation per measurement
 * ({@link Mode#SingleShotTime}): a full two-phase cycle of about 10,000 changed 8 KiB blocks
 * ({@code cycleBlocks}), and a WIJ restore of 1 GiB (131,072 blocks, {@code restoreBlocks}) after a
 * crash with the active flag set. Each setup prints the block count, so that MB/s = blocks × 8 KiB
 * / time. The block counts and pool sizes are parameters so that the CI smoke ({@code JmhSmokeTest})
 * runs both on a few blocks; the figures in perf/RESULTS.md are for the defaults.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=4g"})
public class WijBenchmark
{
    /** A value that fills exactly one big-value block: each key changed dirties one block of its own. */
    static final int ONE_BLOCK_VALUE_BYTES = BenchMember.BLOCK_SIZE_BYTES - 40;

    /**
     * Give {@code keys} keys a new one-block value each.
     */
    static void change(final Store store, final int keys, final int generation)
    {
        final StoreSession session = store.session();
        final GlobalKey key = new GlobalKey();
        final UnsafeBuffer value = new UnsafeBuffer(new byte[ONE_BLOCK_VALUE_BYTES]);
        value.setMemory(0, ONE_BLOCK_VALUE_BYTES, (byte)generation);
        for (int i = 0; i < keys; i++)
        {
            key.global("w").add(i);
            value.putInt(0, i);
            session.set(key, value, 0, ONE_BLOCK_VALUE_BYTES);
            if (store.freeFrameCount() < store.poolFrameCount() / 8)
            {
                throw new IllegalStateException("pool too small for the benchmark");
            }
        }
    }

    /**
     * One cycle of {@code cycleBlocks} changed blocks.
     */
    @State(Scope.Benchmark)
    public static class CycleState
    {
        /** Blocks changed before each cycle. */
        @Param("10000")
        public int cycleBlocks;

        /** The buffer pool, MiB of direct memory: at least 8/7 of the changed blocks. */
        @Param("512")
        public int cyclePoolMiB;

        Path dir;
        BenchMember member;
        int generation;

        @Setup(Level.Trial)
        public void open() throws Exception
        {
            dir = Files.createTempDirectory("bulwark-wij-bench");
            member = new BenchMember(dir, (long)cyclePoolMiB << 20, 3_600_000, WriteDaemonProbe.NONE);
            change(member.store, cycleBlocks, generation++);
            member.daemon.flushAll();
        }

        @Setup(Level.Invocation)
        public void dirty()
        {
            change(member.store, cycleBlocks, generation++);
            System.out.println("cycle of " + member.store.dirtyBlockCount() + " dirty blocks");
        }

        @TearDown(Level.Invocation)
        public void phases()
        {
            System.out.printf("phase 1 %.1f ms, phase 2 %.1f ms%n", member.daemon.lastPhase1Ns() / 1e6,
                member.daemon.lastPhase2Ns() / 1e6);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception
        {
            member.close();
            BenchMember.delete(dir);
        }
    }

    @Benchmark
    @Warmup(iterations = 3)
    @Measurement(iterations = 10)
    public int cycle(final CycleState state) throws IOException
    {
        return state.member.daemon.runCycle();
    }

    /**
     * A crashed member whose WIJ holds an active cycle of {@code restoreBlocks} blocks (1 GiB).
     */
    @State(Scope.Benchmark)
    public static class RestoreState
    {
        /** Blocks in the active cycle to restore. */
        @Param("131072")
        public int restoreBlocks;

        /** The buffer pool of the member that crashes, MiB: it holds every changed block at once. */
        @Param("1400")
        public int restorePoolMiB;

        Path dir;

        @Setup(Level.Invocation)
        public void crashWithAnActiveCycle() throws Exception
        {
            dir = Files.createTempDirectory("bulwark-restore-bench");
            final WriteDaemonProbe crash = (point, cycle, sequence) ->
            {
                if (point == WriteDaemonProbe.Point.ACTIVE_FLAG_SET)
                {
                    throw new IllegalStateException("crash");
                }
            };
            final BenchMember member = new BenchMember(dir, (long)restorePoolMiB << 20, 3_600_000, crash);
            change(member.store, restoreBlocks, 1);
            System.out.println("restore of " + member.store.dirtyBlockCount() + " blocks");
            try
            {
                member.daemon.runCycle();
            }
            catch (final IllegalStateException expected)
            {
                // the active flag is durable: a crash here leaves the whole cycle to restore
            }
            member.abandon();
        }

        @TearDown(Level.Invocation)
        public void delete() throws IOException
        {
            BenchMember.delete(dir);
        }
    }

    @Benchmark
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public int restore(final RestoreState state) throws Exception
    {
        try (MessageLog log = MessageLog.open(state.dir, null, Severity.FATAL))
        {
            final WijRecovery.Result result = new WijRecovery(BenchMember.wijConfig(state.dir),
                BenchMember.locations(state.dir), RecoveryOptions.NORMAL, NioFileLayer.INSTANCE, log).run();
            if (result.recoveryCase() != RecoveryCase.ACTIVE_INTACT)
            {
                throw new IllegalStateException("expected a restore, got " + result.recoveryCase());
            }
            result.wij().close();
            return result.blocksRestored();
        }
    }
}
