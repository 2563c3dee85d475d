package org.bulwark.store.integrity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of an integrity check of one database (SPEC S-5): every error with its block, and
 * per-global block counts.
 */
public final class IntegrityReport
{
    /**
     * One problem found.
     */
    public static final class Problem
    {
        private final int block;
        private final String message;

        Problem(final int block, final String message)
        {
            this.block = block;
            this.message = message;
        }

        public int block()
        {
            return block;
        }

        public String message()
        {
            return message;
        }

        @Override
        public String toString()
        {
            return "block " + block + ": " + message;
        }
    }

    /**
     * Counts for one global (or the directory).
     */
    public static final class TreeStats
    {
        int pointerBlocks;
        int dataBlocks;
        int bigBlocks;
        long nodes;
        long usedBytes;
        int levels;

        public int pointerBlocks()
        {
            return pointerBlocks;
        }

        public int dataBlocks()
        {
            return dataBlocks;
        }

        public int bigBlocks()
        {
            return bigBlocks;
        }

        public long nodes()
        {
            return nodes;
        }

        public int levels()
        {
            return levels;
        }

        public int totalBlocks()
        {
            return pointerBlocks + dataBlocks + bigBlocks;
        }
    }

    private static final int MAX_PROBLEMS = 10_000;

    private final String database;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, TreeStats> globals = new TreeMap<>();
    private int sizeBlocks;
    private int allocatedBlocks;
    private int mapBlocks;
    private int blockSizeBytes;
    private long elapsedMs;
    private int suppressed;

    IntegrityReport(final String database)
    {
        this.database = database;
    }

    void problem(final int block, final String message)
    {
        if (problems.size() < MAX_PROBLEMS)
        {
            problems.add(new Problem(block, message));
        }
        else
        {
            suppressed++;
        }
    }

    TreeStats stats(final String global)
    {
        return globals.computeIfAbsent(global, g -> new TreeStats());
    }

    void sizes(final int sizeBlocks, final int allocatedBlocks, final int mapBlocks, final int blockSizeBytes)
    {
        this.sizeBlocks = sizeBlocks;
        this.allocatedBlocks = allocatedBlocks;
        this.mapBlocks = mapBlocks;
        this.blockSizeBytes = blockSizeBytes;
    }

    void elapsedMs(final long elapsedMs)
    {
        this.elapsedMs = elapsedMs;
    }

    public String database()
    {
        return database;
    }

    public boolean ok()
    {
        return problems.isEmpty();
    }

    public List<Problem> problems()
    {
        return Collections.unmodifiableList(problems);
    }

    public Map<String, TreeStats> globals()
    {
        return Collections.unmodifiableMap(globals);
    }

    public int sizeBlocks()
    {
        return sizeBlocks;
    }

    public int allocatedBlocks()
    {
        return allocatedBlocks;
    }

    /**
     * @return a report for people: totals, one line per global, then every problem.
     */
    public String format()
    {
        final StringBuilder out = new StringBuilder();
        out.append("Integrity of database ").append(database).append(": ")
            .append(ok() ? "no errors" : (problems.size() + suppressed) + " error(s)").append('\n');
        out.append(String.format("  %d blocks of %d bytes, %d in use, %d map block(s), checked in %d ms%n",
            sizeBlocks, blockSizeBytes, allocatedBlocks, mapBlocks, elapsedMs));
        out.append(String.format("  %-32s %8s %8s %8s %10s %6s%n", "global", "pointer", "data", "big", "nodes",
            "levels"));
        for (final Map.Entry<String, TreeStats> e : globals.entrySet())
        {
            final TreeStats s = e.getValue();
            out.append(String.format("  %-32s %8d %8d %8d %10d %6d%n",
                e.getKey(), s.pointerBlocks, s.dataBlocks, s.bigBlocks, s.nodes, s.levels));
        }
        for (final Problem p : problems)
        {
            out.append("  ERROR ").append(p).append('\n');
        }
        if (suppressed > 0)
        {
            out.append("  ... and ").append(suppressed).append(" more errors\n");
        }
        return out.toString();
    }

    @Override
    public String toString()
    {
        return format();
    }
}
