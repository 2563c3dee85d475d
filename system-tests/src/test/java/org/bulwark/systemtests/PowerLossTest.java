package org.bulwark.systemtests;

import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.bulwark.store.MountedDatabase;
import org.bulwark.store.integrity.IntegrityReport;
import org.bulwark.testsupport.PowerLossFileLayer;
import org.bulwark.wij.WriteDaemonProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC F-2: simulated power loss. A member runs a small workload on a file layer that records
 * every write and sync; then, for every sync of the run, the disk is rebuilt as a power cut just
 * before and just after that sync could leave it: everything synced survives, any subset of the
 * rest survives, torn at 512-byte sectors. Each image is opened as a member after a crash (same
 * paths): WIJ recovery, integrity check, and the content must be the state of the last cycle whose
 * active flag was durable (or of the next one, whose flag write may have survived unsynced).
 *
 * <p>The same sweep with the WIJ disabled must find damage, so the sweep can fail.
 */
class PowerLossTest
{
    private static final int CYCLES = 6;
    private static final int OPS_PER_CYCLE = 120;

    @TempDir
    Path root;

    /**
     * Trace positions of one cycle's active flag: the header write is event {@code flagWrite}, its
     * sync makes {@code durableFrom} the first cut that keeps it for sure.
     */
    record Flag(long flagWrite, long durableFrom)
    {
    }

    @Test
    void everySyncBoundaryRecoversToADurableCycle() throws Exception
    {
        final Sweep sweep = record(true);
        final long seed = Long.getLong("bulwark.seed", System.nanoTime());
        final Random random = new Random(seed);
        int images = 0;
        for (final long sync : sweep.syncs)
        {
            for (final long cut : new long[] {sync, sync + 1})
            {
                final List<Integer> candidates = candidates(sweep.flags, cut);
                for (int variant = 0; variant < 3; variant++)
                {
                    final String where = "seed " + seed + ", cut " + cut + " (sync event " + sync + "), variant " +
                        variant;
                    final String damage = openImage(sweep, cut, variant, random, candidates, where);
                    assertNull(damage, damage);
                    images++;
                }
            }
        }
        assertTrue(images >= 60, "only " + images + " images were checked");
        System.out.println("power-loss sweep: " + sweep.syncs.size() + " syncs, " + images + " crash images recovered");
    }

    @Test
    void withoutTheWijTheSweepFindsDamage() throws Exception
    {
        final Sweep sweep = record(false);
        final long seed = Long.getLong("bulwark.seed", System.nanoTime());
        final Random random = new Random(seed);
        int damaged = 0;
        int images = 0;
        for (final long sync : sweep.syncs)
        {
            final List<Integer> candidates = candidates(sweep.flags, sync);
            for (int variant = 0; variant < 3; variant++)
            {
                final String damage = openImage(sweep, sync, variant, random, candidates, "seed " + seed + " cut " +
                    sync);
                images++;
                if (null != damage)
                {
                    damaged++;
                }
            }
        }
        System.out.println("without the WIJ: " + damaged + " of " + images + " crash images damaged");
        assertTrue(damaged > 0, "seed " + seed + ": no damage in " + images + " images without the WIJ");
    }

    /**
     * What a recorded run leaves: the layer, the models after each cycle, the flags, the syncs.
     */
    static final class Sweep
    {
        PowerLossFileLayer layer;
        Path config;
        final List<Workload.Model> models = new ArrayList<>();
        final List<Flag> flags = new ArrayList<>();
        List<Long> syncs;
    }

    private Sweep record(final boolean wijEnabled) throws Exception
    {
        final Sweep sweep = new Sweep();
        sweep.config = root.resolve("bulwark.conf");
        Files.writeString(sweep.config, String.join("\n",
            "data.directory = " + root.resolve("live"),
            "databases = MAIN, SECOND",
            "database.MAIN.blockSize = 4k",
            "database.MAIN.initialSize = 64k",
            "database.MAIN.expansion = 64k",
            "database.SECOND.blockSize = 4k",
            "database.SECOND.initialSize = 64k",
            "database.SECOND.expansion = 64k",
            "map.b* = SECOND",
            "pool.size = 4m",
            "journal.enabled = false", // a write daemon cycle is the unit here: the WIJ alone
            ""));
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        sweep.layer = layer;
        final long[] afterPhase1 = new long[1];
        final WriteDaemonProbe probe = (point, cycle, sequence) ->
        {
            if (point == WriteDaemonProbe.Point.AFTER_PHASE_1)
            {
                afterPhase1[0] = layer.eventCount();
            }
            else if (point == WriteDaemonProbe.Point.ACTIVE_FLAG_SET)
            {
                sweep.flags.add(new Flag(afterPhase1[0], layer.eventCount()));
            }
        };
        final Workload workload = new Workload(Long.getLong("bulwark.seed", 20261123L));
        final Workload.Model model = new Workload.Model();
        try (Instance instance = Instance.open(InstanceConfig.load(sweep.config),
            new InstanceOptions().fileLayer(layer).daemonThread(false).probe(probe).wijEnabled(wijEnabled)))
        {
            layer.startRecording(); // what exists now was made durable by creation and recovery
            sweep.models.add(model.copy());
            for (int c = 0; c < CYCLES; c++)
            {
                for (int i = 0; i < OPS_PER_CYCLE; i++)
                {
                    final Workload.Op op = workload.next();
                    Workload.apply(instance.store().session(), op);
                    model.apply(op);
                }
                instance.daemon().runCycle();
                sweep.models.add(model.copy());
                if (!wijEnabled)
                {
                    // No flag: the cycle counts as durable once its blocks were synced.
                    sweep.flags.add(new Flag(layer.eventCount(), layer.eventCount()));
                }
            }
            sweep.syncs = layer.syncEventIndexes();
            assertEquals(CYCLES, sweep.flags.size());
            // The workload must make the databases grow, so cuts fall between growth and its sync too.
            assertTrue(instance.store().databases().stream().mapToInt(MountedDatabase::expansions).sum() > 0,
                "no database expanded during the recorded run");
            // The run ends here: what the shutdown would write is not part of the trace.
            sweep.syncs = new ArrayList<>(sweep.syncs);
            final long end = layer.eventCount();
            sweep.syncs.removeIf(s -> s >= end);
        }
        return sweep;
    }

    /**
     * @return the cycles (0 = before the first) whose state a cut may leave.
     */
    private static List<Integer> candidates(final List<Flag> flags, final long cut)
    {
        int durable = 0;
        while (durable < flags.size() && flags.get(durable).durableFrom() <= cut)
        {
            durable++;
        }
        final List<Integer> candidates = new ArrayList<>(List.of(durable));
        if (durable < flags.size() && flags.get(durable).flagWrite() < cut)
        {
            candidates.add(durable + 1);
        }
        return candidates;
    }

    /**
     * Build the image of a cut in place of the live directory, recover it, check it, put the live
     * directory back.
     *
     * @return null if sound and equal to a candidate cycle's state, else what is wrong.
     */
    private String openImage(
        final Sweep sweep, final long cut, final int variant, final Random random, final List<Integer> candidates,
        final String where) throws Exception
    {
        final Path live = root.resolve("live");
        final Path image = root.resolve("image");
        CrashImages.deleteTree(image);
        switch (variant)
        {
            case 0:
                sweep.layer.writeCrashImageDroppingPending(cut, live, image);
                break;
            default:
                sweep.layer.writeCrashImage(cut, live, image, random);
                break;
        }
        return CrashImages.checkInPlace(live, image, () ->
        {
            final TreeMap<Workload.Key, byte[]> actual;
            try (Instance instance = Instance.open(InstanceConfig.load(sweep.config), new InstanceOptions()))
            {
                for (final MountedDatabase db : instance.store().databases())
                {
                    final IntegrityReport report = instance.store().checkIntegrity(db.name());
                    if (!report.ok())
                    {
                        return where + ": integrity after recovery " + instance.recovery().recoveryCase() + "\n" +
                            report.format();
                    }
                }
                actual = Workload.read(instance.store().session());
            }
            catch (final Exception ex)
            {
                return where + ": recovery failed: " + ex;
            }
            final StringBuilder tried = new StringBuilder();
            for (final int cycle : candidates)
            {
                final String difference = sweep.models.get(cycle).differenceFrom(actual);
                if (null == difference)
                {
                    return null;
                }
                tried.append("; cycle ").append(cycle).append(": ").append(difference);
            }
            return where + ": content matches no durable cycle" + tried;
        });
    }
}
