package org.bulwark.systemtests;

import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.bulwark.store.MountedDatabase;
import org.bulwark.store.integrity.IntegrityReport;
import org.bulwark.wij.RecoveryCase;
import org.bulwark.wij.WriteDaemonProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC F-1: a child JVM runs a seeded workload on a member and is killed with SIGKILL — at random
 * moments, and at each point of a write daemon cycle. After every kill the member is opened in
 * this JVM: WIJ recovery runs, the integrity check must be clean, and the content must equal the
 * workload's model as of a write daemon cycle that may have become durable (the last one reported
 * complete, or one sealed after it). Until the journal exists a cycle is the unit of durability.
 *
 * <p>The data directory carries over from kill to kill, so recovery also starts from recovered
 * states. Seeds are printed in every failure.
 */
class CrashRecoveryTest
{
    private static final boolean SOAK = Boolean.getBoolean("bulwark.soak");
    private static final int RANDOM_KILLS = SOAK ? 500 : 50;
    private static final long CHILD_DEADLINE_MS = 60_000;

    @TempDir
    Path root;

    private Workload.Model state = new Workload.Model();

    @Test
    void randomKillsNeverLoseACompletedCycleOrTearABlock() throws Exception
    {
        final Path config = writeConfig();
        final long baseSeed = Long.getLong("bulwark.seed", System.nanoTime());
        final Random random = new Random(baseSeed);
        for (int i = 0; i < RANDOM_KILLS; i++)
        {
            final long seed = baseSeed + i;
            final ChildRun run = runChild(config, seed, "none", 0, 100 + random.nextInt(900));
            verify(config, run, seed, null, "base seed " + baseSeed + " kill " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(WriteDaemonProbe.Point.class)
    void killsAtEachPointOfACycleRecoverExactly(final WriteDaemonProbe.Point point) throws Exception
    {
        final Path config = writeConfig();
        final long baseSeed = Long.getLong("bulwark.seed", System.nanoTime());
        for (int i = 0; i < 2; i++)
        {
            final long seed = baseSeed + i;
            // Stop in the third cycle or later, so that earlier cycles put data on disk first.
            final ChildRun run = runChild(config, seed, point.name(), 3, 0);
            assertNotNull(run.stopLine, "seed " + seed + ": the child never reached " + point + "; output " +
                run.lines);
            verify(config, run, seed, point, "point " + point + " seed " + seed);
        }
    }

    /**
     * The harness must be able to fail: without the WIJ, a kill in the middle of phase 2 leaves
     * half a cycle in the block files, which the checks above must notice.
     */
    @Test
    void killsInsidePhaseTwoWithoutTheWijAreCaught() throws Exception
    {
        final Path config = writeConfig();
        final long baseSeed = Long.getLong("bulwark.seed", System.nanoTime());
        int caught = 0;
        final int attempts = 3;
        for (int i = 0; i < attempts; i++)
        {
            final long seed = baseSeed + i;
            final ChildRun run = runChild(config, seed, WriteDaemonProbe.Point.INSIDE_PHASE_2.name(), 3, 0, false);
            final String damage = check(config, run, seed, null, "no WIJ, seed " + seed);
            if (null != damage)
            {
                caught++;
                System.out.println("caught as expected: " + damage.lines().findFirst().orElse(""));
                state = new Workload.Model();
                deleteTree(root.resolve("data"));
            }
        }
        assertTrue(caught > 0, "base seed " + baseSeed + ": half-written cycles without the WIJ went unnoticed " +
            attempts + " times");
    }

    private static void deleteTree(final Path dir) throws java.io.IOException
    {
        try (var paths = Files.walk(dir))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * SPEC S-3: changed blocks live only in the buffer pool until the write daemon has them in the
     * WIJ. A child changes thousands of blocks with the daemon held off and is killed: not one byte
     * of the block files may have changed.
     */
    @Test
    void blockFilesAreUntouchedUntilTheWriteDaemonRuns() throws Exception
    {
        final Path config = root.resolve("quiet.conf");
        Files.writeString(config, String.join("\n",
            "data.directory = " + root.resolve("quiet"),
            "databases = MAIN, SECOND",
            "map.b* = SECOND",
            "pool.size = 64m",
            "journal.enabled = false", // a write daemon cycle is the unit here: the WIJ alone
            "writeDaemon.intervalMs = 3600000",
            "writeDaemon.dirtyThresholdPercent = 90",
            ""));
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            for (int i = 0; i < 2000; i++)
            {
                instance.store().session().set("before " + i, "a", i);
            }
        }
        final List<Path> files = List.of(root.resolve("quiet").resolve("main").resolve("bulwark.dat"),
            root.resolve("quiet").resolve("second").resolve("bulwark.dat"));
        final List<byte[]> before = new ArrayList<>();
        for (final Path file : files)
        {
            before.add(Files.readAllBytes(file));
        }
        final long seed = System.nanoTime();
        final ChildRun run = runChild(config, seed, "NO_CYCLE", 20_000, 0);
        assertNotNull(run.stopLine, "seed " + seed + ": " + run.lines);
        assertTrue(run.lines.stream().noneMatch(l -> l.startsWith("SEALED")), "a cycle ran: " + run.lines);
        final int dirty = Integer.parseInt(run.stopLine.split(" ")[2]);
        assertTrue(dirty > 50, "only " + dirty + " dirty blocks");
        for (int f = 0; f < files.size(); f++)
        {
            final byte[] after = Files.readAllBytes(files.get(f));
            final byte[] original = before.get(f);
            assertTrue(after.length >= original.length, files.get(f) + " shrank");
            assertArrayEquals(original, java.util.Arrays.copyOf(after, original.length),
                "seed " + seed + ": " + files.get(f) + " changed before the write daemon ran");
            for (int i = original.length; i < after.length; i++)
            {
                assertEquals(0, after[i], files.get(f) + ": the grown part holds data at byte " + i);
            }
        }
    }

    private Path writeConfig() throws Exception
    {
        final Path config = root.resolve("bulwark.conf");
        Files.writeString(config, String.join("\n",
            "data.directory = " + root.resolve("data"),
            "databases = MAIN, SECOND",
            "database.MAIN.blockSize = 4k",
            "database.MAIN.expansion = 256k",
            "database.SECOND.blockSize = 8k",
            "map.b* = SECOND",
            "pool.size = 4m",
            "journal.enabled = false", // a write daemon cycle is the unit here: the WIJ alone
            "writeDaemon.intervalMs = 20",
            "writeDaemon.dirtyThresholdPercent = 20",
            ""));
        return config;
    }

    /**
     * What a child printed before it died.
     */
    static final class ChildRun
    {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        String stopLine;
    }

    private ChildRun runChild(
        final Path config, final long seed, final String stopAt, final long stopFromCycle, final long killAfterMs)
        throws Exception
    {
        return runChild(config, seed, stopAt, stopFromCycle, killAfterMs, true);
    }

    private ChildRun runChild(
        final Path config, final long seed, final String stopAt, final long stopFromCycle, final long killAfterMs,
        final boolean wijEnabled) throws Exception
    {
        final ChildJvm child = new ChildJvm(root, CrashChild.class, config.toString(), Long.toString(seed), stopAt,
            Long.toString(stopFromCycle), Boolean.toString(wijEnabled));
        final ChildRun run = new ChildRun();
        final int exitCode;
        try
        {
            // (NO_CYCLE also reports with AT.)
            run.stopLine = child.awaitLine("none".equals(stopAt) ? "READY" : "AT ", CHILD_DEADLINE_MS);
            if (killAfterMs > 0)
            {
                Thread.sleep(killAfterMs);
            }
        }
        catch (final IllegalStateException ex)
        {
            fail("seed " + seed + ": " + ex.getMessage());
        }
        finally
        {
            exitCode = child.kill(); // SIGKILL
        }
        run.lines.addAll(child.snapshot());
        assertEquals(137, exitCode, "seed " + seed + ": the child should die of SIGKILL");
        return run;
    }

    /**
     * Recover the member and compare it with the states that may be durable.
     *
     * @param point the cycle point the child stopped at, or null for a random kill.
     */
    private void verify(
        final Path config, final ChildRun run, final long seed, final WriteDaemonProbe.Point point, final String where)
        throws Exception
    {
        final String damage = check(config, run, seed, point, where);
        assertNull(damage, damage);
        cyclesSeen += run.lines.stream().filter(l -> l.startsWith("COMPLETE ")).count();
    }

    private long cyclesSeen;

    @org.junit.jupiter.api.AfterEach
    void report()
    {
        System.out.println("cycles completed by children before their kills: " + cyclesSeen + "; nodes in the last " +
            "recovered state: " + state.nodes.size());
    }

    /**
     * @return null if the recovered member is sound and holds a durable state, else what is wrong.
     */
    private String check(
        final Path config, final ChildRun run, final long seed, final WriteDaemonProbe.Point point, final String where)
        throws Exception
    {
        // Sequences of the states that may be on disk: the last completed cycle's, and any sealed after it.
        long complete = 0;
        final List<Long> sealedAfter = new ArrayList<>();
        long stopSequence = -1;
        for (final String line : new ArrayList<>(run.lines))
        {
            final String[] parts = line.split(" ");
            if (line.startsWith("AT NO_CYCLE"))
            {
                continue;
            }
            if (line.startsWith("COMPLETE "))
            {
                complete = Long.parseLong(parts[2]);
                sealedAfter.clear();
            }
            else if (line.startsWith("SEALED "))
            {
                sealedAfter.add(Long.parseLong(parts[2]));
            }
            else if (line.startsWith("AT "))
            {
                stopSequence = Long.parseLong(parts[3]);
            }
        }
        final List<Long> candidates = new ArrayList<>();
        if (null == point)
        {
            candidates.add(complete);
            candidates.addAll(sealedAfter);
        }
        else
        {
            final Set<WriteDaemonProbe.Point> beforeFlag = Set.of(WriteDaemonProbe.Point.SEALED,
                WriteDaemonProbe.Point.INSIDE_PHASE_1, WriteDaemonProbe.Point.AFTER_PHASE_1);
            candidates.add(beforeFlag.contains(point) ? complete : stopSequence);
        }

        final TreeMap<Workload.Key, byte[]> actual;
        final RecoveryCase recoveryCase;
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            recoveryCase = instance.recovery().recoveryCase();
            for (final MountedDatabase db : instance.store().databases())
            {
                final IntegrityReport report = instance.store().checkIntegrity(db.name());
                if (!report.ok())
                {
                    return where + ": integrity after recovery (" + recoveryCase + ")\n" + report.format();
                }
            }
            actual = Workload.read(instance.store().session());
        }
        catch (final org.bulwark.store.BulwarkException ex)
        {
            return where + ": reading the recovered member failed: " + ex.getMessage();
        }
        if (null != point)
        {
            final Set<RecoveryCase> expected = switch (point)
            {
                case SEALED, INSIDE_PHASE_1, AFTER_PHASE_1 -> Set.of(RecoveryCase.COMPLETE_AFTER_CRASH,
                    RecoveryCase.COMPLETE_NOTHING_TO_COMPARE);
                case ACTIVE_FLAG_SET, INSIDE_PHASE_2, AFTER_PHASE_2 -> Set.of(RecoveryCase.ACTIVE_INTACT);
                case COMPLETE -> Set.of(RecoveryCase.COMPLETE_AFTER_CRASH);
            };
            if (!expected.contains(recoveryCase))
            {
                return where + ": recovery took " + recoveryCase;
            }
        }

        // Replay the child's operations on the model, trying each candidate state.
        final Workload workload = new Workload(seed);
        Workload.Model model = state.copy();
        long applied = 0;
        final StringBuilder tried = new StringBuilder();
        Collections.sort(candidates);
        for (final long candidate : candidates)
        {
            // The state sealed at sequence n holds operations 1..n-1 and, whole or in part, operation n.
            Workload.Op last = null;
            while (applied < candidate - 1)
            {
                model.apply(workload.next());
                applied++;
            }
            final Workload.Model before = model.copy();
            if (applied < candidate)
            {
                last = workload.next();
                model.apply(last);
                applied++;
            }
            final String differenceBefore = before.differenceFrom(actual);
            if (null == differenceBefore || null == model.differenceFrom(actual) ||
                (null != last && last.kind() == Workload.Kind.KILL &&
                    before.matchesPartialKill(actual, Workload.Key.of(last.global(), last.subscripts()))))
            {
                state = new Workload.Model();
                state.nodes.putAll(actual);
                return null;
            }
            tried.append("\n  state at sequence ").append(candidate).append(": ").append(differenceBefore);
        }
        return where + ": recovered content (" + actual.size() + " nodes, recovery " + recoveryCase + ") matches no " +
            "durable state; completed " + complete + ", sealed after " + sealedAfter + tried;
    }
}
