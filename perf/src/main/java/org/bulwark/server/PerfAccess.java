package org.bulwark.server;

import org.bulwark.journal.Journal;

/**
 * Benchmarks only: the journal behind an {@link Instance}, so that perf can read its sync count,
 * bytes written and sync-latency histogram without widening the instance's public API. It lives
 * in the perf module, in the server's package.
 */
public final class PerfAccess
{
    private PerfAccess()
    {
    }

    public static Journal journal(final Instance instance)
    {
        return instance.journal();
    }
}
