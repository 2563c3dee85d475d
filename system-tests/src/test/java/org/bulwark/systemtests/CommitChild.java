package org.bulwark.systemtests;

import org.bulwark.server.BulwarkSession;
import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.bulwark.store.BulwarkException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of the commit crash and journal freeze tests (SPEC F-1, J-6): opens a member and
 * runs seeded {@link Transactions} until killed, printing {@code ACK n} on standard output once
 * transaction {@code n} (counted from 1) is committed (or rolled back) and acknowledged.
 *
 * <p>A transaction that fails prints {@code ERROR n STEP ms message} instead (the step that threw,
 * the milliseconds since the transaction started), then the session is closed as a client would
 * disconnect ({@code DISCONNECTED ms [message]}) and the next transaction runs on a new session.
 * After {@value #MAX_ERRORS} errors it prints {@code GAVE UP} and waits to be killed.
 *
 * <p>Arguments: configuration file, seed.
 */
public final class CommitChild
{
    static final int MAX_ERRORS = 3;

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
        BulwarkSession session = instance.openSession();
        final Transactions transactions = new Transactions(seed);
        out.println("READY");
        int errors = 0;
        for (long n = 1; errors < MAX_ERRORS; n++)
        {
            final Transactions.Transaction transaction = transactions.next();
            final long startNs = System.nanoTime();
            String step = "TSTART";
            try
            {
                session.tstart();
                for (final Workload.Op op : transaction.ops())
                {
                    step = op.kind().name();
                    Transactions.apply(session, op);
                }
                step = transaction.rollback() ? "TROLLBACK" : "TCOMMIT";
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
            catch (final BulwarkException ex)
            {
                errors++;
                out.println("ERROR " + n + " " + step + " " + millisSince(startNs) + " " + ex.getMessage());
                session = reconnect(instance, session, out);
            }
        }
        out.println("GAVE UP");
        Thread.sleep(TimeUnit.MINUTES.toMillis(10)); // the test kills it long before
        Runtime.getRuntime().halt(3);
    }

    /**
     * Disconnect as a client would after an error (an open transaction is rolled back), then connect again.
     */
    private static BulwarkSession reconnect(final Instance instance, final BulwarkSession session,
        final PrintStream out)
    {
        final long startNs = System.nanoTime();
        try
        {
            session.close();
            out.println("DISCONNECTED " + millisSince(startNs));
        }
        catch (final BulwarkException ex)
        {
            out.println("DISCONNECTED " + millisSince(startNs) + " " + ex.getMessage());
        }
        return instance.openSession();
    }

    private static long millisSince(final long startNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }
}
