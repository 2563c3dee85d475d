package org.bulwark.systemtests;

import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.SyncLevel;
import org.bulwark.server.BulwarkSession;
import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.bulwark.store.MountedDatabase;
import org.bulwark.store.integrity.IntegrityReport;
import org.bulwark.common.io.ForwardingDurableFile;
import org.bulwark.testsupport.PowerLossFileLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC F-2 with the journal: a member commits seeded transactions (some rolled back) on a file
 * layer that records every write and sync, with write daemon cycles now and then. For every sync
 * of the run, the disk is rebuilt as a power cut just before and just after it could leave it
 * (unsynced writes lost, or kept in part, torn at 512-byte sectors), and opened: WIJ recovery,
 * journal roll-forward, rollback of the open transaction. Every commit acknowledged before the cut
 * must be there, and the content must be exactly the state after the acknowledged transactions or
 * after one more (whose commit record was durable but not yet acknowledged), integrity clean.
 *
 * <p>The same sweep with a journal whose syncs do nothing — a journal that acknowledges before its
 * records are durable — must lose an acknowledged commit, so the sweep can fail.
 */
class JournalPowerLossTest
{
    private static final int TRANSACTIONS = 32;
    private static final int TRANSACTIONS_PER_CYCLE = 12;

    @TempDir
    Path root;

    /**
     * What a recorded run leaves.
     *
     * @param models   the state after k transactions, k = 0..TRANSACTIONS.
     * @param ackEvent for transaction n (1-based, at index n - 1), the trace length when its commit returned.
     */
    record Sweep(PowerLossFileLayer layer, Path config, List<Workload.Model> models, List<Long> ackEvent,
        List<Long> syncs)
    {
        int acknowledgedBefore(final long cut)
        {
            int n = 0;
            while (n < ackEvent.size() && ackEvent.get(n) <= cut)
            {
                n++;
            }
            return n;
        }
    }

    @Test
    void everySyncBoundaryKeepsEveryAcknowledgedCommit() throws Exception
    {
        final Sweep sweep = record(false);
        final long seed = Long.getLong("bulwark.seed", System.nanoTime());
        final Random random = new Random(seed);
        int images = 0;
        for (final long sync : sweep.syncs())
        {
            for (final long cut : new long[] {sync, sync + 1})
            {
                for (int variant = 0; variant < 2; variant++)
                {
                    final String where = "seed " + seed + ", cut " + cut + " (sync event " + sync + "), variant " +
                        variant;
                    final String damage = openImage(sweep, cut, variant, random, where);
                    assertNull(damage, damage);
                    images++;
                }
            }
        }
        assertTrue(sweep.syncs().size() > TRANSACTIONS, "a sync per commit at least: " + sweep.syncs().size());
        System.out.println("journal power-loss sweep: " + sweep.syncs().size() + " syncs, " + images +
            " crash images recovered with every acknowledged commit");
    }

    @Test
    void aJournalThatAcknowledgesBeforeItsSyncIsCaught() throws Exception
    {
        final Sweep sweep = record(true);
        final Random random = new Random(1);
        int lost = 0;
        int refused = 0;
        for (final long sync : sweep.syncs())
        {
            final String damage = openImage(sweep, sync + 1, 0, random, "cut " + (sync + 1));
            if (null != damage && damage.contains("acknowledged commits the content is not"))
            {
                lost++;
            }
            else if (null != damage)
            {
                refused++;
            }
        }
        System.out.println("acknowledging before the sync: of " + sweep.syncs().size() + " crash images, " + lost +
            " lost an acknowledged commit and " + refused + " failed recovery (journal behind the checkpoint)");
        assertTrue(lost > 0, "the sweep did not notice acknowledged commits that were never durable");
    }

    private Sweep record(final boolean lyingJournalSync) throws Exception
    {
        final Path config = root.resolve("bulwark.conf");
        Files.writeString(config, String.join("\n",
            "data.directory = " + root.resolve("live"),
            "databases = MAIN, SECOND",
            "database.MAIN.blockSize = 4k",
            "database.SECOND.blockSize = 4k",
            "map.b* = SECOND",
            "pool.size = 4m",
            "journal.fileSize = 4m", // no file switch in the run: the layer does not model new directory entries
            "commit.mode = sync",
            ""));
        final PowerLossFileLayer layer = new PowerLossFileLayer();
        final Path journalDirectory = root.resolve("live").resolve("journal").toAbsolutePath();
        final FileLayer opened = lyingJournalSync ? new LyingSyncLayer(layer, journalDirectory) : layer;
        final long seed = Long.getLong("bulwark.seed", 20261123L);
        final Transactions transactions = new Transactions(seed);
        final Workload.Model model = new Workload.Model();
        final List<Workload.Model> models = new ArrayList<>(List.of(model.copy()));
        final List<Long> ackEvent = new ArrayList<>();
        final List<Long> syncs;
        try (Instance instance = Instance.open(InstanceConfig.load(config),
            new InstanceOptions().fileLayer(opened).daemonThread(false)))
        {
            layer.startRecording(); // what exists now was made durable by creation and recovery
            final BulwarkSession session = instance.openSession();
            for (int n = 1; n <= TRANSACTIONS; n++)
            {
                final Transactions.Transaction transaction = transactions.next();
                transaction.runOn(session);
                transaction.applyTo(model);
                ackEvent.add(layer.eventCount());
                models.add(model.copy());
                if (n % TRANSACTIONS_PER_CYCLE == 0)
                {
                    instance.daemon().runCycle();
                }
            }
            final long end = layer.eventCount();
            syncs = new ArrayList<>(layer.syncEventIndexes());
            syncs.removeIf(s -> s >= end); // the shutdown is not part of the run
        }
        return new Sweep(layer, config, models, ackEvent, syncs);
    }

    /**
     * @return null if the image recovers sound to the acknowledged state (or one transaction more),
     * else what is wrong.
     */
    private String openImage(final Sweep sweep, final long cut, final int variant, final Random random,
        final String where) throws Exception
    {
        final Path live = root.resolve("live");
        final Path image = root.resolve("image");
        CrashImages.deleteTree(image);
        if (0 == variant)
        {
            sweep.layer().writeCrashImageDroppingPending(cut, live, image);
        }
        else
        {
            sweep.layer().writeCrashImage(cut, live, image, random);
        }
        final int acknowledged = sweep.acknowledgedBefore(cut);
        return CrashImages.checkInPlace(live, image, () ->
        {
            final TreeMap<Workload.Key, byte[]> actual;
            try (Instance instance = Instance.open(InstanceConfig.load(sweep.config()), new InstanceOptions()))
            {
                for (final MountedDatabase db : instance.store().databases())
                {
                    final IntegrityReport report = instance.store().checkIntegrity(db.name());
                    if (!report.ok())
                    {
                        return where + ": integrity after recovery\n" + report.format();
                    }
                }
                actual = Workload.read(instance.store().session());
            }
            catch (final Exception ex)
            {
                return where + ": recovery failed: " + ex;
            }
            final String difference = sweep.models().get(acknowledged).differenceFrom(actual);
            if (null == difference || (acknowledged < TRANSACTIONS &&
                null == sweep.models().get(acknowledged + 1).differenceFrom(actual)))
            {
                return null;
            }
            return where + ": after " + acknowledged + " acknowledged commits the content is not their state (" +
                difference + ")";
        });
    }

    /**
     * The deliberately broken journal: its syncs reach the layer as syncs that make nothing durable.
     */
    private static final class LyingSyncLayer implements FileLayer
    {
        private final FileLayer delegate;
        private final Path lieUnder;

        LyingSyncLayer(final FileLayer delegate, final Path lieUnder)
        {
            this.delegate = delegate;
            this.lieUnder = lieUnder;
        }

        @Override
        public DurableFile open(final Path path, final boolean create) throws IOException
        {
            final DurableFile file = delegate.open(path, create);
            if (!path.toAbsolutePath().normalize().startsWith(lieUnder))
            {
                return file;
            }
            return new ForwardingDurableFile(file)
            {
                @Override
                public void sync(final SyncLevel level) throws IOException
                {
                    delegate.sync(SyncLevel.NONE);
                }
            };
        }

        @Override
        public void syncDirectory(final Path directory) throws IOException
        {
            delegate.syncDirectory(directory);
        }
    }
}
