package org.bulwark.systemtests;

import org.bulwark.server.BulwarkSession;
import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child JVM of the commit crash test (SPEC F-1 with the journal): opens a member and runs
 * seeded {@link Transactions} until killed, printing {@code ACK n} on standard output once
 * transaction {@code n} (counted from 1) is committed (or rolled back) and acknowledged.
 *
 * <p>Arguments: configuration file, seed.
 */
public final class CommitChild
{
    private CommitChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path config = Path.of(args[0]);
        final long seed = Long.parseLong(args[1]);
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
            "UTF-8");
        final Instance instance = Instance.open(InstanceConfig.load(config), new InstanceOptions());
        final BulwarkSession session = instance.openSession();
        final Transactions transactions = new Transactions(seed);
        out.println("READY");
        for (long n = 1; ; n++)
        {
            final Transactions.Transaction transaction = transactions.next();
            session.tstart();
            for (final Workload.Op op : transaction.ops())
            {
                apply(session, op);
            }
            if (transaction.rollback())
            {
                session.trollback();
            }
            else
            {
                session.tcommit();
            }
            out.println("ACK " + n);
        }
    }

    static void apply(final BulwarkSession session, final Workload.Op op)
    {
        switch (op.kind())
        {
            case SET:
                session.set(op.value(), op.global(), op.subs());
                break;
            case KILL:
                session.kill(op.global(), op.subs());
                break;
            case ZKILL:
                session.zkill(op.global(), op.subs());
                break;
            default:
                session.incrementBy(op.by(), op.global(), op.subs());
                break;
        }
    }
}
