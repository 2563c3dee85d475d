package org.bulwark.server.metrics;

/**
 * Every counter a member publishes in its counters file (SPEC V-5), in registration order: a
 * member allocates them in this order, so a counter's id is its ordinal. Readers in other
 * processes need not know this enum: each counter's label and type id are in the file.
 *
 * <p>Latency counters hold microseconds over the last metrics interval (the percentiles and the
 * maximum) or since start (sample count and sum); the Prometheus endpoint turns them into summaries
 * in seconds.
 */
public enum CounterDescriptor
{
    COMMITS(Kind.COUNTER, "commits", "bulwark_commits_total",
        "Commits: outermost TCOMMITs and updates outside a transaction"),
    ROLLBACKS(Kind.COUNTER, "rollbacks", "bulwark_rollbacks_total",
        "Transactions rolled back whole (TROLLBACK, disconnect, crash recovery)"),
    JOURNAL_RECORDS(Kind.COUNTER, "journal records appended", "bulwark_journal_records_total",
        "Journal records appended since start"),
    JOURNAL_BYTES_WRITTEN(Kind.COUNTER, "journal bytes written", "bulwark_journal_written_bytes_total",
        "Bytes the journal writer wrote and synced"),
    JOURNAL_SYNCS(Kind.COUNTER, "journal syncs", "bulwark_journal_syncs_total",
        "Journal writes made durable (one per group commit)"),
    JOURNAL_DURABLE_POSITION(Kind.GAUGE, "journal durable position", "bulwark_journal_durable_position",
        "Journal position (byte offset in the journal stream) up to which records are durable"),
    JOURNAL_FROZEN(Kind.GAUGE, "journal frozen (1 = frozen)", "bulwark_journal_frozen",
        "1 if the journal froze after an I/O error (J-6), else 0"),
    WIJ_CYCLES(Kind.COUNTER, "write daemon cycles", "bulwark_wij_cycles_total",
        "Completed two-phase write daemon cycles"),
    WIJ_BLOCKS_WRITTEN(Kind.COUNTER, "write daemon blocks written", "bulwark_wij_blocks_written_total",
        "Blocks the write daemon wrote to their block files"),
    WIJ_CHECKPOINT(Kind.GAUGE, "write daemon checkpoint position", "bulwark_wij_checkpoint_position",
        "Journal position the block files are complete to (-1 before the first cycle)"),
    POOL_DIRTY_BLOCKS(Kind.GAUGE, "dirty blocks", "bulwark_pool_dirty_blocks",
        "Changed blocks waiting for the write daemon"),
    POOL_FRAMES(Kind.GAUGE, "pool frames total", "bulwark_pool_frames",
        "Frames of the buffer pool"),
    POOL_FRAMES_USED(Kind.GAUGE, "pool frames used", "bulwark_pool_frames_used",
        "Frames of the buffer pool in use: changed blocks and those of a write daemon cycle in progress"),
    SESSIONS_OPEN(Kind.GAUGE, "open sessions", "bulwark_sessions_open",
        "Open client sessions"),
    TRANSACTIONS_OPEN(Kind.GAUGE, "open transactions", "bulwark_transactions_open",
        "Transactions open now"),
    LOCK_WAITS(Kind.COUNTER, "lock waits", "bulwark_lock_waits_total",
        "LOCK requests that had to wait for another owner"),
    LOCK_TIMEOUTS(Kind.COUNTER, "lock timeouts", "bulwark_lock_timeouts_total",
        "LOCK requests that timed out"),

    COMMIT_LATENCY_P50_US(Kind.QUANTILE_US, "commit latency p50 (us)", "bulwark_commit_latency_seconds", 0.5),
    COMMIT_LATENCY_P99_US(Kind.QUANTILE_US, "commit latency p99 (us)", "bulwark_commit_latency_seconds", 0.99),
    COMMIT_LATENCY_P999_US(Kind.QUANTILE_US, "commit latency p99.9 (us)", "bulwark_commit_latency_seconds", 0.999),
    COMMIT_LATENCY_MAX_US(Kind.MAX_US, "commit latency max (us)", "bulwark_commit_latency_max_seconds",
        "Longest synchronous commit in the last interval"),
    COMMIT_LATENCY_COUNT(Kind.SUMMARY_COUNT, "commit latency samples", "bulwark_commit_latency_seconds",
        "Latency of synchronous commits, from the call to durable"),
    COMMIT_LATENCY_SUM_US(Kind.SUMMARY_SUM_US, "commit latency sum (us)", "bulwark_commit_latency_seconds", ""),

    JOURNAL_SYNC_LATENCY_P50_US(Kind.QUANTILE_US, "journal sync p50 (us)", "bulwark_journal_sync_latency_seconds",
        0.5),
    JOURNAL_SYNC_LATENCY_P99_US(Kind.QUANTILE_US, "journal sync p99 (us)", "bulwark_journal_sync_latency_seconds",
        0.99),
    JOURNAL_SYNC_LATENCY_MAX_US(Kind.MAX_US, "journal sync max (us)", "bulwark_journal_sync_latency_max_seconds",
        "Longest journal write and sync in the last interval"),
    JOURNAL_SYNC_LATENCY_COUNT(Kind.SUMMARY_COUNT, "journal sync samples", "bulwark_journal_sync_latency_seconds",
        "Latency of a journal write and its sync (group commit)"),
    JOURNAL_SYNC_LATENCY_SUM_US(Kind.SUMMARY_SUM_US, "journal sync sum (us)", "bulwark_journal_sync_latency_seconds",
        ""),

    WIJ_CYCLE_TIME_P50_US(Kind.QUANTILE_US, "write daemon cycle p50 (us)", "bulwark_wij_cycle_seconds", 0.5),
    WIJ_CYCLE_TIME_P99_US(Kind.QUANTILE_US, "write daemon cycle p99 (us)", "bulwark_wij_cycle_seconds", 0.99),
    WIJ_CYCLE_TIME_MAX_US(Kind.MAX_US, "write daemon cycle max (us)", "bulwark_wij_cycle_max_seconds",
        "Longest two-phase write daemon cycle in the last interval"),
    WIJ_CYCLE_TIME_COUNT(Kind.SUMMARY_COUNT, "write daemon cycle samples", "bulwark_wij_cycle_seconds",
        "Time of a whole two-phase write daemon cycle (W-2)"),
    WIJ_CYCLE_TIME_SUM_US(Kind.SUMMARY_SUM_US, "write daemon cycle sum (us)", "bulwark_wij_cycle_seconds", "");

    /**
     * What a counter's value means; published as its Agrona type id so that a reader in another
     * process (bulwark stat) knows which values have a rate.
     */
    public enum Kind
    {
        /**
         * Only grows while the member runs: has a rate.
         */
        COUNTER(1),
        /**
         * A level that goes up and down.
         */
        GAUGE(2),
        /**
         * A latency percentile over the last interval, in microseconds.
         */
        QUANTILE_US(3),
        /**
         * The largest latency of the last interval, in microseconds.
         */
        MAX_US(4),
        /**
         * Latency samples since start: has a rate.
         */
        SUMMARY_COUNT(5),
        /**
         * Sum of latency samples since start, in microseconds.
         */
        SUMMARY_SUM_US(6);

        /**
         * Type ids start here so that they differ from Agrona's default type id 0.
         */
        public static final int TYPE_ID_BASE = 0x4277_0000;

        private final int code;

        Kind(final int code)
        {
            this.code = code;
        }

        public int typeId()
        {
            return TYPE_ID_BASE + code;
        }

        /**
         * @return true if the value only grows, so that a per-second rate means something.
         */
        public boolean hasRate()
        {
            return this == COUNTER || this == SUMMARY_COUNT;
        }

        /**
         * @return the kind with this Agrona type id, or null if it is not one of ours.
         */
        public static Kind ofTypeId(final int typeId)
        {
            for (final Kind kind : values())
            {
                if (kind.typeId() == typeId)
                {
                    return kind;
                }
            }
            return null;
        }
    }

    private final Kind kind;
    private final String label;
    private final String metricName;
    private final String help;
    private final double quantile;

    CounterDescriptor(final Kind kind, final String label, final String metricName, final String help)
    {
        this.kind = kind;
        this.label = label;
        this.metricName = metricName;
        this.help = help;
        this.quantile = Double.NaN;
    }

    CounterDescriptor(final Kind kind, final String label, final String metricName, final double quantile)
    {
        this.kind = kind;
        this.label = label;
        this.metricName = metricName;
        this.help = "";
        this.quantile = quantile;
    }

    public Kind kind()
    {
        return kind;
    }

    /**
     * @return the label in the counters file, as {@code bulwark stat} shows it.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return the Prometheus metric name (a summary's quantiles, count and sum share one).
     */
    public String metricName()
    {
        return metricName;
    }

    /**
     * @return the Prometheus HELP text; empty for the parts of a summary other than its count.
     */
    public String help()
    {
        return help;
    }

    /**
     * @return the quantile of a {@link Kind#QUANTILE_US} counter, NaN for the others.
     */
    public double quantile()
    {
        return quantile;
    }

    /**
     * @return the counter id a member gives this counter.
     */
    public int id()
    {
        return ordinal();
    }
}
