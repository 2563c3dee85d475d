package org.bulwark.server;

import org.bulwark.journal.Journal;
import org.bulwark.server.metrics.CounterDescriptor;
import org.bulwark.server.metrics.MemberMetrics;
import org.bulwark.store.Store;
import org.bulwark.wij.WriteDaemon;

/**
 * Tells a member's {@link MemberMetrics} where each sampled figure comes from: the journal, the
 * write daemon, the store's pool, the sessions and the lock table. The engines only offer plain
 * getters and latency recorders; none of them knows about counters.
 */
final class InstanceMetrics
{
    private InstanceMetrics()
    {
    }

    static void wire(final MemberMetrics metrics, final Instance instance)
    {
        final Store store = instance.store();
        final WriteDaemon daemon = instance.daemon();
        final Journal journal = instance.journal();
        final JournalBridge bridge = instance.journalBridge();
        final LockTable locks = instance.locks();
        if (null != journal)
        {
            metrics.sample(CounterDescriptor.JOURNAL_RECORDS, journal::recordsAppended)
                .sample(CounterDescriptor.JOURNAL_BYTES_WRITTEN, journal::bytesWritten)
                .sample(CounterDescriptor.JOURNAL_SYNCS, journal::syncs)
                .sample(CounterDescriptor.JOURNAL_DURABLE_POSITION, journal::durablePosition)
                .sample(CounterDescriptor.JOURNAL_FROZEN, () -> null == journal.frozenReason() ? 0 : 1)
                .sample(CounterDescriptor.TRANSACTIONS_OPEN, bridge::openTransactionCount)
                .latency(journal.syncLatencyRecorderUs(), CounterDescriptor.JOURNAL_SYNC_LATENCY_P50_US);
        }
        metrics.sample(CounterDescriptor.WIJ_CYCLES, daemon::cycles)
            .sample(CounterDescriptor.WIJ_BLOCKS_WRITTEN, daemon::blocksWritten)
            .sample(CounterDescriptor.WIJ_CHECKPOINT, daemon::checkpoint)
            .sample(CounterDescriptor.POOL_DIRTY_BLOCKS, store::dirtyBlockCount)
            .sample(CounterDescriptor.POOL_FRAMES, store::poolFrameCount)
            .sample(CounterDescriptor.POOL_FRAMES_USED, () -> store.poolFrameCount() - store.freeFrameCount())
            .sample(CounterDescriptor.SESSIONS_OPEN, instance::openSessionCount)
            .sample(CounterDescriptor.LOCK_WAITS, locks::waits)
            .sample(CounterDescriptor.LOCK_TIMEOUTS, locks::timeouts)
            .latency(daemon.cycleTimeRecorderUs(), CounterDescriptor.WIJ_CYCLE_TIME_P50_US);
    }
}
