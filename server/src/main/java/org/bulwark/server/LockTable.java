package org.bulwark.server;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.key.KeyCodec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks on global references (SPEC T-2), as the M {@code LOCK} command has them: a lock on a node
 * covers its subtree, so it conflicts with locks of other owners on the same node, its ancestors
 * and its descendants — exclusive against everything, shared only against exclusive. Locks are
 * incremental (an owner may take the same one several times and releases it as often), waits are
 * bounded by a timeout, and everything an owner holds goes when it disconnects.
 */
final class LockTable
{
    /**
     * What is held on one reference.
     */
    private static final class Entry
    {
        Object exclusiveOwner;
        int exclusiveCount;
        final Map<Object, Integer> shared = new HashMap<>(4);

        boolean isEmpty()
        {
            return null == exclusiveOwner && shared.isEmpty();
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private final Map<String, NavigableMap<byte[], Entry>> byGlobal = new HashMap<>();
    // Metrics, read from the metrics thread.
    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();

    /**
     * Take a lock (incrementally).
     *
     * @return false if it could not be had within the timeout.
     */
    boolean lock(final Object owner, final String global, final byte[] key, final boolean exclusive,
        final long timeoutNs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        lock.lock();
        try
        {
            boolean waited = false;
            while (conflicts(owner, global, key, exclusive))
            {
                if (!waited)
                {
                    waited = true;
                    waits.incrementAndGet();
                }
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    timeouts.incrementAndGet();
                    return false;
                }
                released.awaitNanos(Math.min(remainingNs, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            final Entry entry = byGlobal.computeIfAbsent(global, g -> new TreeMap<>(Arrays::compareUnsigned))
                .computeIfAbsent(key, k -> new Entry());
            if (exclusive)
            {
                entry.exclusiveOwner = owner;
                entry.exclusiveCount++;
            }
            else
            {
                entry.shared.merge(owner, 1, Integer::sum);
            }
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return lock requests that found a conflicting lock and had to wait (or time out at once).
     */
    long waits()
    {
        return waits.get();
    }

    /**
     * @return lock requests that timed out.
     */
    long timeouts()
    {
        return timeouts.get();
    }

    /**
     * Release one level of a lock.
     *
     * @return false if the owner did not hold it.
     */
    boolean unlock(final Object owner, final String global, final byte[] key, final boolean exclusive)
    {
        lock.lock();
        try
        {
            final NavigableMap<byte[], Entry> entries = byGlobal.getOrDefault(global, null);
            final Entry entry = null == entries ? null : entries.get(key);
            if (null == entry)
            {
                return false;
            }
            if (exclusive)
            {
                if (entry.exclusiveOwner != owner)
                {
                    return false;
                }
                if (--entry.exclusiveCount == 0)
                {
                    entry.exclusiveOwner = null;
                }
            }
            else
            {
                final Integer count = entry.shared.get(owner);
                if (null == count)
                {
                    return false;
                }
                if (count == 1)
                {
                    entry.shared.remove(owner);
                }
                else
                {
                    entry.shared.put(owner, count - 1);
                }
            }
            if (entry.isEmpty())
            {
                entries.remove(key);
            }
            released.signalAll();
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Release everything an owner holds (disconnect, or a non-incremental LOCK).
     *
     * @return locks released.
     */
    int releaseAll(final Object owner)
    {
        int count = 0;
        lock.lock();
        try
        {
            for (final NavigableMap<byte[], Entry> entries : byGlobal.values())
            {
                for (final Iterator<Entry> it = entries.values().iterator(); it.hasNext(); )
                {
                    final Entry entry = it.next();
                    if (entry.exclusiveOwner == owner)
                    {
                        entry.exclusiveOwner = null;
                        entry.exclusiveCount = 0;
                        count++;
                    }
                    if (null != entry.shared.remove(owner))
                    {
                        count++;
                    }
                    if (entry.isEmpty())
                    {
                        it.remove();
                    }
                }
            }
            released.signalAll();
            return count;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return a description of what is held, one line per reference (for tools and tests).
     */
    List<String> held()
    {
        final List<String> lines = new ArrayList<>();
        lock.lock();
        try
        {
            for (final Map.Entry<String, NavigableMap<byte[], Entry>> g : byGlobal.entrySet())
            {
                for (final Map.Entry<byte[], Entry> e : g.getValue().entrySet())
                {
                    final StringBuilder line = KeyCodec.appendReference(new StringBuilder(), g.getKey(),
                        new UnsafeBuffer(e.getKey()), 0, e.getKey().length);
                    if (null != e.getValue().exclusiveOwner)
                    {
                        line.append(" exclusive x").append(e.getValue().exclusiveCount);
                    }
                    if (!e.getValue().shared.isEmpty())
                    {
                        line.append(" shared by ").append(e.getValue().shared.size());
                    }
                    lines.add(line.toString());
                }
            }
        }
        finally
        {
            lock.unlock();
        }
        return lines;
    }

    private boolean conflicts(final Object owner, final String global, final byte[] key, final boolean exclusive)
    {
        final NavigableMap<byte[], Entry> entries = byGlobal.getOrDefault(global, null);
        if (null == entries || entries.isEmpty())
        {
            return false;
        }
        // Ancestors (and the node itself): every prefix at a subscript boundary.
        final UnsafeBuffer view = new UnsafeBuffer(key);
        int end = 0;
        while (true)
        {
            final Entry entry = entries.get(Arrays.copyOf(key, end));
            if (null != entry && conflictsWith(entry, owner, exclusive))
            {
                return true;
            }
            if (end >= key.length)
            {
                break;
            }
            end = KeyCodec.subscriptEnd(view, end, key.length);
        }
        // Descendants: keys that start with this one.
        final byte[] upper = Arrays.copyOf(key, key.length + 1);
        upper[key.length] = (byte)KeyCodec.SUBTREE_END;
        for (final Entry entry : entries.subMap(key, false, upper, false).values())
        {
            if (conflictsWith(entry, owner, exclusive))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean conflictsWith(final Entry entry, final Object owner, final boolean exclusive)
    {
        if (null != entry.exclusiveOwner && entry.exclusiveOwner != owner)
        {
            return true;
        }
        if (exclusive)
        {
            for (final Object other : entry.shared.keySet())
            {
                if (other != owner)
                {
                    return true;
                }
            }
        }
        return false;
    }

    boolean isEmpty()
    {
        lock.lock();
        try
        {
            return byGlobal.values().stream().allMatch(Map::isEmpty);
        }
        finally
        {
            lock.unlock();
        }
    }
}
