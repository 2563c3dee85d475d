package org.bulwark.systemtests;

import org.bulwark.server.BulwarkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded stream of transactions over {@link Workload} operations: each has one to five
 * updates, and about one in ten is rolled back instead of committed. The child applies it to a
 * member; the test replays it on a model.
 */
final class Transactions
{
    /**
     * One transaction.
     */
    record Transaction(List<Workload.Op> ops, boolean rollback)
    {
        /**
         * TSTART, the updates, then TROLLBACK or TCOMMIT on the member.
         */
        void runOn(final BulwarkSession session)
        {
            session.tstart();
            for (final Workload.Op op : ops)
            {
                apply(session, op);
            }
            if (rollback)
            {
                session.trollback();
            }
            else
            {
                session.tcommit();
            }
        }

        /**
         * What the transaction leaves: its updates if it commits, nothing if it rolls back.
         */
        void applyTo(final Workload.Model model)
        {
            if (!rollback)
            {
                ops.forEach(model::apply);
            }
        }
    }

    /**
     * One update on the member, outside any transaction bookkeeping.
     */
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

    private final Workload workload;
    private final Random shape;

    Transactions(final long seed)
    {
        this.workload = new Workload(seed);
        this.shape = new Random(~seed);
    }

    Transaction next()
    {
        final int size = 1 + shape.nextInt(5);
        final List<Workload.Op> ops = new ArrayList<>(size);
        for (int i = 0; i < size; i++)
        {
            ops.add(workload.next());
        }
        return new Transaction(ops, shape.nextInt(10) == 0);
    }
}
