package org.bulwark.systemtests;

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
