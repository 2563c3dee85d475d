package org.bulwark.systemtests;

import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.journal.JournalFiles;
import org.bulwark.journal.JournalReader;
import org.bulwark.journal.JournalRecord;
import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.bulwark.store.MountedDatabase;
import org.bulwark.store.integrity.IntegrityReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The check after a {@link CommitChild} stopped (killed, or frozen and then killed): restart the
 * member in this JVM and require exactly the transactions up to the last acknowledged one, or one
 * more (its commit became durable but was not acknowledged): every acknowledged commit present, no
 * transaction partly visible, integrity clean, and a clean restart that changes nothing.
 */
final class CommitVerifier
{
    private CommitVerifier()
    {
    }

    /**
     * @return the last {@code ACK n} the child printed, 0 if none.
     */
    static long lastAck(final List<String> lines)
    {
        long lastAck = 0;
        for (final String line : lines)
        {
            if (line.startsWith("ACK "))
            {
                lastAck = Long.parseLong(line.substring(4));
            }
        }
        return lastAck;
    }

    /**
     * Open the member (recovery runs), check every database's integrity and compare its content with
     * {@code before} plus the transactions of {@code seed} up to {@code lastAck}, or one more.
     *
     * @return the member's content, the model to start the next run from.
     */
    static Workload.Model verifyRecovered(
        final Path config, final Workload.Model before, final long seed, final long lastAck, final String where)
        throws Exception
    {
        final TreeMap<Workload.Key, byte[]> actual;
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            for (final MountedDatabase db : instance.store().databases())
            {
                final IntegrityReport report = instance.store().checkIntegrity(db.name());
                assertTrue(report.ok(), where + ": " + report.format());
            }
            actual = Workload.read(instance.store().session());
        }

        // Replay: the state after the acknowledged transactions, or after one more.
        final Transactions transactions = new Transactions(seed);
        final Workload.Model model = before.copy();
        for (long n = 1; n <= lastAck; n++)
        {
            transactions.next().applyTo(model);
        }
        final String difference = model.differenceFrom(actual);
        if (null != difference)
        {
            final Transactions.Transaction next = transactions.next();
            next.applyTo(model);
            final String withNext = model.differenceFrom(actual);
            if (null != withNext)
            {
                fail(where + ": after " + lastAck + " acknowledged transactions the member matches neither " +
                    "that state (" + difference + ") nor one more transaction (" + withNext + ")\n" +
                    explain(InstanceConfig.load(config), seed, lastAck, model, actual));
            }
        }
        final Workload.Model state = new Workload.Model();
        state.nodes.putAll(actual);
        // After a clean shutdown the member must still hold exactly that.
        try (Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions()))
        {
            final TreeMap<Workload.Key, byte[]> again = Workload.read(instance.store().session());
            final String changed = state.differenceFrom(again);
            assertNull(changed, where + ": a clean restart changed the content: " + changed + "\n" +
                state.describeDifferences(again));
        }
        return state;
    }

    /**
     * For a failure: the differing nodes, the transactions and journal records that touched them,
     * and the end of messages.log.
     */
    private static String explain(final InstanceConfig config, final long seed, final long lastAck,
        final Workload.Model model, final TreeMap<Workload.Key, byte[]> actual) throws Exception
    {
        final Set<Workload.Key> differing = differingKeys(model, actual);
        final StringBuilder out = new StringBuilder(model.describeDifferences(actual));
        final Transactions scan = new Transactions(seed);
        for (long n = 1; n <= lastAck + 1; n++)
        {
            final Transactions.Transaction t = scan.next();
            for (final Workload.Op op : t.ops())
            {
                final Workload.Key opKey = Workload.Key.of(op.global(), op.subscripts());
                for (final Workload.Key k : differing)
                {
                    if (k.isUnder(opKey) || opKey.isUnder(k))
                    {
                        out.append("  txn ").append(n).append(t.rollback() ? " (rolled back) " : " ").append(op)
                            .append(" touches ").append(k).append('\n');
                    }
                }
            }
        }
        out.append(journalRecordsTouching(config.journalConfig().directory(), differing));
        out.append("messages.log:\n").append(String.join("\n",
            tail(Files.readAllLines(config.logDirectory().resolve(MessageLog.FILE_NAME)), 40)));
        return out.toString();
    }

    private static Set<Workload.Key> differingKeys(
        final Workload.Model model, final TreeMap<Workload.Key, byte[]> actual)
    {
        final Set<Workload.Key> keys = new TreeSet<>();
        for (final var e : model.nodes.entrySet())
        {
            if (!Arrays.equals(e.getValue(), actual.get(e.getKey())))
            {
                keys.add(e.getKey());
            }
        }
        for (final Workload.Key k : actual.keySet())
        {
            if (!model.nodes.containsKey(k))
            {
                keys.add(k);
            }
        }
        return keys;
    }

    private static String journalRecordsTouching(final Path directory, final Set<Workload.Key> keys)
        throws IOException
    {
        final StringBuilder out = new StringBuilder("journal records touching them:\n");
        final JournalFiles files = new JournalFiles(directory, "", NioFileLayer.INSTANCE);
        try (JournalReader reader = new JournalReader(files, NioFileLayer.INSTANCE))
        {
            reader.seek(reader.startPosition());
            while (reader.next())
            {
                final JournalRecord r = reader.record();
                if (r.type() != JournalRecord.TYPE_SET && r.type() != JournalRecord.TYPE_KILL)
                {
                    continue;
                }
                final byte[] key = new byte[r.keyLength()];
                r.buffer().getBytes(r.keyOffset(), key);
                final Workload.Key k = new Workload.Key(r.globalName(), key);
                if (keys.contains(k))
                {
                    out.append("  @").append(reader.recordPosition()).append(' ')
                        .append(JournalRecord.typeName(r.type())).append(" txn ")
                        .append(r.transaction()).append(' ').append(k).append(" new ").append(r.newValueLength())
                        .append(" old ").append(r.oldValueLength()).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static List<String> tail(final List<String> lines, final int n)
    {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
