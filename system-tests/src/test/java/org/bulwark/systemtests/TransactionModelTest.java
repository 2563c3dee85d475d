package org.bulwark.systemtests;

import org.bulwark.server.BulwarkSession;
import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded transactions, some rolled back, on a live member with the write daemon cycling: the
 * member must equal the model all along (no crash), and again after a restart.
 */
class TransactionModelTest
{
    @TempDir
    Path root;

    /**
     * The same in one JVM, with simulated crashes (the journal's unwritten tail lost, no flush):
     * after each, the member holds exactly the acknowledged transactions, or one more.
     */
    @Test
    void crashesInProcessKeepEveryAcknowledgedTransaction() throws Exception
    {
        final Path config = MemberConfig.write(root.resolve("crash.conf"), root.resolve("crash"), "pool.size = 4m",
            "journal.fileSize = 1m", "writeDaemon.intervalMs = 5");
        final long baseSeed = Long.getLong("bulwark.seed", System.nanoTime());
        final java.util.Random random = new java.util.Random(baseSeed);
        Workload.Model state = new Workload.Model();
        for (int crash = 0; crash < 40; crash++)
        {
            final long seed = baseSeed + crash;
            final Transactions transactions = new Transactions(seed);
            final Workload.Model model = state.copy();
            final Workload.Model withNext;
            final int count = random.nextInt(300);
            final Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions());
            final BulwarkSession session = instance.openSession();
            for (int n = 0; n < count; n++)
            {
                final Transactions.Transaction transaction = transactions.next();
                transaction.runOn(session);
                transaction.applyTo(model);
            }
            // One more transaction, caught in the middle.
            final Transactions.Transaction last = transactions.next();
            session.tstart();
            final int partial = random.nextInt(last.ops().size() + 1);
            for (int i = 0; i < partial; i++)
            {
                Transactions.apply(session, last.ops().get(i));
            }
            withNext = model.copy();
            instance.abandon();

            try (Instance again = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
            {
                final java.util.TreeMap<Workload.Key, byte[]> actual = Workload.read(again.store().session());
                final String difference = model.differenceFrom(actual);
                assertNull(difference, "base seed " + baseSeed + " crash " + crash + " after " + count +
                    " transactions: " + difference + "\n" + model.describeDifferences(actual) +
                    String.join("\n", Files.readAllLines(root.resolve("crash").resolve("messages.log"))
                        .subList(Math.max(0, Files.readAllLines(root.resolve("crash").resolve("messages.log"))
                        .size() - 12), Files.readAllLines(root.resolve("crash").resolve("messages.log")).size())));
                state = new Workload.Model();
                state.nodes.putAll(actual);
            }
            assertNotNull(withNext);
        }
    }

    @Test
    void transactionsAndRollbacksMatchTheModel() throws Exception
    {
        final Path config = MemberConfig.write(root.resolve("bulwark.conf"), root.resolve("data"), "pool.size = 4m",
            "journal.fileSize = 1m", "writeDaemon.intervalMs = 5");
        final long seed = Long.getLong("bulwark.seed", System.nanoTime());
        final Transactions transactions = new Transactions(seed);
        final Workload.Model model = new Workload.Model();
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            final BulwarkSession session = instance.openSession();
            for (int n = 1; n <= 4000; n++)
            {
                final Transactions.Transaction transaction = transactions.next();
                transaction.runOn(session);
                transaction.applyTo(model);
                if (n % 250 == 0)
                {
                    final String difference = model.differenceFrom(Workload.read(instance.store().session()));
                    assertNull(difference, "seed " + seed + " after transaction " + n + ": " + difference + "\n" +
                        model.describeDifferences(Workload.read(instance.store().session())));
                }
            }
            session.close();
        }
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            final String difference = model.differenceFrom(Workload.read(instance.store().session()));
            assertNull(difference, "seed " + seed + " after a restart: " + difference);
        }
    }
}
