package org.bulwark.store;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.block.DatabaseLabel;
import org.bulwark.store.key.KeyCodec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded globals API (SPEC G-3, V-4) for one thread. Get one with {@link Store#session()}.
 *
 * <p>Two flavours of each operation: a convenient one that names the global and its subscripts
 * ({@code session.set("v", "x", "a", 1)} is {@code set ^x("a",1)="v"}), and an allocation-free one
 * that takes a reusable {@link GlobalKey} and Agrona buffers.
 *
 * <p>Updates are applied in steps of one leaf each; a kill of a subtree that spans several
 * blocks is several steps, so a concurrent reader may see it half done (transactions and locks
 * come with the journal).
 */
public final class StoreSession
{
    public static final int FORWARD = 1;
    public static final int REVERSE = -1;

    private static final int MAX_STEP_ATTEMPTS = 1_000;

    private final Store store;
    private final TreeContext ctx;
    private final TreeOps ops;
    private final GlobalKey argKey = new GlobalKey();
    private final GlobalKey scanKey = new GlobalKey();
    private final UnsafeBuffer wrapper = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer searchKey = new UnsafeBuffer(new byte[TreeOps.MAX_KEY_BYTES + 2]);
    private final UnsafeBuffer nameKey = new UnsafeBuffer(new byte[GlobalKey.MAX_NAME_LENGTH + 1]);
    private final UnsafeBuffer rootValue = new UnsafeBuffer(new byte[4]);
    private final ExpandableDirectByteBuffer batch = new ExpandableDirectByteBuffer(16 * 1024);
    private final UnsafeBuffer fromKey = new UnsafeBuffer(new byte[TreeOps.MAX_KEY_BYTES + 1]);
    private final int[] batchLength = new int[1];

    private boolean applier;

    /**
     * Mark this session as the one applying another member's journal (a mirror backup's
     * dejournaler): it writes while the member is read-only to clients.
     */
    public void applier(final boolean applier)
    {
        this.applier = applier;
    }

    StoreSession(final Store store)
    {
        this.store = store;
        this.ctx = new TreeContext(store);
        this.ops = new TreeOps(ctx);
    }

    // =================================================================== convenience API

    /**
     * {@code set ^global(subscripts)=value}. The value may be a {@code byte[]}, text, or a number
     * (stored in canonical form).
     */
    public void set(final Object value, final String global, final Object... subscripts)
    {
        final byte[] bytes = valueBytes(value);
        wrapper.wrap(bytes);
        set(key(global, subscripts), wrapper, 0, bytes.length);
    }

    /**
     * @return the value of the node.
     * @throws BulwarkException {@code <UNDEFINED>} if the node has no value.
     */
    public byte[] get(final String global, final Object... subscripts)
    {
        final GlobalKey key = key(global, subscripts);
        if (!get(key))
        {
            throw new BulwarkException(ErrorCode.UNDEFINED, key.toString());
        }
        return valueCopy();
    }

    /**
     * @return the value as UTF-8 text.
     * @throws BulwarkException {@code <UNDEFINED>} if the node has no value.
     */
    public String getString(final String global, final Object... subscripts)
    {
        return new String(get(global, subscripts), StandardCharsets.UTF_8);
    }

    /**
     * @return the value, or {@code defaultValue} if the node has none.
     */
    public byte[] getOrDefault(final byte[] defaultValue, final String global, final Object... subscripts)
    {
        return get(key(global, subscripts)) ? valueCopy() : defaultValue;
    }

    /**
     * @return the value as text, or {@code defaultValue} if the node has none.
     */
    public String getStringOrDefault(final String defaultValue, final String global, final Object... subscripts)
    {
        return get(key(global, subscripts)) ? new String(valueCopy(), StandardCharsets.UTF_8) : defaultValue;
    }

    /**
     * {@code kill}: remove the node and everything below it.
     */
    public void kill(final String global, final Object... subscripts)
    {
        kill(key(global, subscripts));
    }

    /**
     * {@code zkill}: remove the node's value only, keeping its descendants.
     */
    public void zkill(final String global, final Object... subscripts)
    {
        zkill(key(global, subscripts));
    }

    /**
     * {@code $data}: 0 no node, 1 value only, 10 descendants only, 11 both.
     */
    public int data(final String global, final Object... subscripts)
    {
        return data(key(global, subscripts));
    }

    /**
     * {@code $order}: the next (or previous) subscript at the level of the last subscript, which
     * may be {@code ""} to start from the first (or last).
     *
     * @param direction {@link #FORWARD} or {@link #REVERSE}.
     * @return the subscript as text, {@code ""} when there is none.
     */
    public String order(final int direction, final String global, final Object... subscripts)
    {
        if (0 == subscripts.length)
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, "$order needs a subscript: ^" + global);
        }
        final GlobalKey parent = argKey.global(global);
        for (int i = 0; i < subscripts.length - 1; i++)
        {
            parent.add(subscripts[i]);
        }
        final Object last = subscripts[subscripts.length - 1];
        final boolean start = last instanceof CharSequence && ((CharSequence)last).length() == 0;
        final int parentLength = parent.length();
        if (!start)
        {
            parent.add(last);
        }
        return order(direction, parent, parentLength);
    }

    /**
     * {@code $query}: the next (or previous) node with a value in depth-first order.
     *
     * @return the reference, e.g. {@code ^x("a",2)}, or {@code ""} at the end.
     */
    public String query(final int direction, final String global, final Object... subscripts)
    {
        final GlobalKey key = key(global, subscripts);
        return query(direction, key) ? scanKey.toString() : "";
    }

    /**
     * {@code $increment} by 1.
     *
     * @return the new value, in canonical form.
     */
    public String increment(final String global, final Object... subscripts)
    {
        return incrementBy(BigDecimal.ONE, global, subscripts);
    }

    /**
     * {@code $increment(ref, by)}: atomically add {@code by} (a number or numeric text) to the
     * numeric interpretation of the node's value (0 if none).
     *
     * @return the new value, in canonical form.
     */
    public String incrementBy(final Object by, final String global, final Object... subscripts)
    {
        final BigDecimal amount;
        if (by instanceof BigDecimal)
        {
            amount = (BigDecimal)by;
        }
        else if (by instanceof Long || by instanceof Integer || by instanceof Short || by instanceof Byte)
        {
            amount = BigDecimal.valueOf(((Number)by).longValue());
        }
        else if (by instanceof BigInteger)
        {
            amount = new BigDecimal((BigInteger)by);
        }
        else
        {
            final byte[] text = valueBytes(by);
            wrapper.wrap(text);
            amount = NumericValue.parse(wrapper, 0, text.length);
        }
        increment(key(global, subscripts), amount);
        return new String(valueCopy(), StandardCharsets.US_ASCII);
    }

    /**
     * Visit every node with a value under (and including) the reference, in collation order.
     */
    public void scan(final String global, final Object[] subscripts, final ScanVisitor visitor)
    {
        scan(key(global, subscripts), visitor);
    }

    /**
     * @return the names of the globals that exist in every mounted database, sorted per database.
     */
    public List<String> globalNames()
    {
        final List<String> names = new ArrayList<>();
        for (final MountedDatabase mounted : store.databases())
        {
            final Database db = store.database(mounted.index());
            int length = 0;
            boolean inclusive = true;
            while (ops.seekForward(db, DatabaseLabel.DIRECTORY_ROOT_BLOCK, nameKey, length, inclusive, false))
            {
                length = ops.foundKeyLength;
                nameKey.putBytes(0, ops.foundKey, 0, length);
                names.add(nameKey.getStringWithoutLengthAscii(0, length));
                inclusive = false;
            }
        }
        return names;
    }

    // =================================================================== allocation-free API

    /**
     * @return a key owned by this session, to fill and pass to the calls below.
     */
    public GlobalKey newKey()
    {
        return new GlobalKey();
    }

    public void set(final GlobalKey key, final DirectBuffer value, final int offset, final int length)
    {
        store.checkOpen();
        if (length > store.maxValueBytes())
        {
            throw new BulwarkException(ErrorCode.MAXSTRING, "value of " + length + " bytes for " + key +
                " is longer than the limit of " + store.maxValueBytes() + " bytes");
        }
        final Database db = store.databaseOf(key.global());
        store.checkWritable(db, applier);
        applyPut(db, rootOf(db, key.global(), true), key, value, offset, length, null, "set");
    }

    /**
     * Read a node's value; on success it is in {@link #value()} for {@link #valueLength()} bytes.
     *
     * @return false if the node has no value.
     */
    public boolean get(final GlobalKey key)
    {
        store.checkOpen();
        final Database db = store.databaseOf(key.global());
        final int root = rootOf(db, key.global(), false);
        return 0 != root && ops.get(db, root, key.buffer(), key.length());
    }

    /**
     * @return the buffer holding the value read by the last get, increment or scan batch.
     */
    public DirectBuffer value()
    {
        return ops.value;
    }

    public int valueLength()
    {
        return ops.valueLength;
    }

    public void kill(final GlobalKey key)
    {
        remove(key, false);
    }

    public void zkill(final GlobalKey key)
    {
        remove(key, true);
    }

    public int data(final GlobalKey key)
    {
        store.checkOpen();
        final Database db = store.databaseOf(key.global());
        final int root = rootOf(db, key.global(), false);
        if (0 == root || !ops.seekForward(db, root, key.buffer(), key.length(), true, false))
        {
            return 0;
        }
        final boolean hasValue = ops.foundKeyLength == key.length() &&
            0 == KeyCodec.compare(ops.foundKey, 0, ops.foundKeyLength, key.buffer(), 0, key.length());
        if (hasValue && !ops.seekForward(db, root, key.buffer(), key.length(), false, false))
        {
            return 1;
        }
        final boolean hasDescendants = ops.foundKeyLength > key.length() &&
            KeyCodec.startsWith(ops.foundKey, 0, ops.foundKeyLength, key.buffer(), 0, key.length());
        return (hasValue ? 1 : 0) + (hasDescendants ? 10 : 0);
    }

    /**
     * {@code $order} with an encoded key: the parent is the first {@code parentLength} bytes; the
     * rest, if any, is the subscript to start from.
     */
    public String order(final int direction, final GlobalKey key, final int parentLength)
    {
        store.checkOpen();
        final Database db = store.databaseOf(key.global());
        final int root = rootOf(db, key.global(), false);
        if (0 == root)
        {
            return "";
        }
        final boolean start = key.length() == parentLength;
        searchKey.putBytes(0, key.buffer(), 0, key.length());
        int searchLength = key.length();
        final boolean found;
        if (direction >= 0)
        {
            if (start)
            {
                found = ops.seekForward(db, root, searchKey, searchLength, false, false);
            }
            else
            {
                searchKey.putByte(searchLength++, (byte)KeyCodec.SUBTREE_END); // skip the subscript's subtree
                found = ops.seekForward(db, root, searchKey, searchLength, true, false);
            }
        }
        else
        {
            if (start)
            {
                searchKey.putByte(searchLength++, (byte)KeyCodec.SUBTREE_END);
            }
            found = ops.seekBackward(db, root, searchKey, searchLength);
        }
        if (!found || ops.foundKeyLength <= parentLength ||
            !KeyCodec.startsWith(ops.foundKey, 0, ops.foundKeyLength, key.buffer(), 0, parentLength))
        {
            return "";
        }
        final StringBuilder text = new StringBuilder();
        KeyCodec.appendText(ops.foundKey, parentLength, ops.foundKeyLength, text);
        return text.toString();
    }

    /**
     * {@code $query} with an encoded key; on success the found reference is in the returned key.
     *
     * @return true if there is a next (previous) node.
     */
    public boolean query(final int direction, final GlobalKey key)
    {
        store.checkOpen();
        final Database db = store.databaseOf(key.global());
        final int root = rootOf(db, key.global(), false);
        if (0 == root)
        {
            return false;
        }
        final boolean found = direction >= 0 ?
            ops.seekForward(db, root, key.buffer(), key.length(), false, false) :
            ops.seekBackward(db, root, key.buffer(), key.length());
        if (found)
        {
            scanKey.setEncoded(key.global(), ops.foundKey, ops.foundKeyLength);
        }
        return found;
    }

    /**
     * @return the key found by the last {@link #query(int, GlobalKey)}.
     */
    public GlobalKey foundKey()
    {
        return scanKey;
    }

    /**
     * Atomic increment; the new value is left in {@link #value()}.
     */
    public void increment(final GlobalKey key, final BigDecimal by)
    {
        store.checkOpen();
        final Database db = store.databaseOf(key.global());
        store.checkWritable(db, applier);
        applyPut(db, rootOf(db, key.global(), true), key, null, 0, 0, by, "increment");
    }

    /**
     * Visit every node with a value under (and including) the key, in collation order. No latch is
     * held while the visitor runs.
     */
    public void scan(final GlobalKey prefix, final ScanVisitor visitor)
    {
        store.checkOpen();
        final Database db = store.databaseOf(prefix.global());
        final int root = rootOf(db, prefix.global(), false);
        if (0 == root)
        {
            return;
        }
        final String global = prefix.global();
        final int prefixLength = prefix.length();
        searchKey.putBytes(0, prefix.buffer(), 0, prefixLength);
        fromKey.putBytes(0, prefix.buffer(), 0, prefixLength);
        int fromLength = prefixLength;
        boolean inclusive = true;
        while (true)
        {
            final int count = ops.scanBatch(db, root, searchKey, prefixLength, fromKey, fromLength, inclusive,
                batch, batchLength);
            if (0 == count)
            {
                return;
            }
            int position = 0;
            for (int i = 0; i < count; i++)
            {
                final int keyLength = batch.getShort(position) & 0xFFFF;
                final int keyOffset = position + 2;
                final int valueLength = batch.getInt(keyOffset + keyLength);
                final int valueOffset = keyOffset + keyLength + 4;
                fromKey.putBytes(0, batch, keyOffset, keyLength);
                fromLength = keyLength;
                scanKey.setEncoded(global, fromKey, fromLength);
                if (!visitor.visit(scanKey, batch, valueOffset, valueLength))
                {
                    return;
                }
                position = valueOffset + valueLength;
            }
            inclusive = false;
        }
    }

    /**
     * Attach an object that the {@link UpdateListener} receives with every update of this session
     * (the server's transaction state).
     */
    public void attach(final Object attachment)
    {
        ctx.attachment(attachment);
    }

    // =================================================================== internals

    /**
     * @return true while an operation of this session holds latches (reads block memory).
     */
    boolean busy()
    {
        return ctx.active();
    }

    private GlobalKey key(final String global, final Object[] subscripts)
    {
        final GlobalKey key = argKey.global(global);
        for (final Object subscript : subscripts)
        {
            key.add(subscript);
        }
        return key;
    }

    private byte[] valueCopy()
    {
        final byte[] copy = new byte[ops.valueLength];
        ops.value.getBytes(0, copy);
        return copy;
    }

    static byte[] valueBytes(final Object value)
    {
        if (value instanceof byte[])
        {
            return (byte[])value;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)
        {
            return Long.toString(((Number)value).longValue()).getBytes(StandardCharsets.US_ASCII);
        }
        if (value instanceof BigDecimal)
        {
            return NumericValue.formatBytes((BigDecimal)value);
        }
        if (value instanceof BigInteger)
        {
            return value.toString().getBytes(StandardCharsets.US_ASCII);
        }
        if (value instanceof Double || value instanceof Float)
        {
            final double d = ((Number)value).doubleValue();
            if (!Double.isFinite(d))
            {
                throw new IllegalArgumentException("value " + d + " is not a finite number");
            }
            return NumericValue.formatBytes(BigDecimal.valueOf(d));
        }
        if (null == value)
        {
            throw new IllegalArgumentException("a value must not be null");
        }
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One put or increment: take a sequence number, then run the write step under the update gate
     * until it is done, topping up the frame reservation (outside the gate) when it asks for more.
     */
    private void applyPut(
        final Database db,
        final int root,
        final GlobalKey key,
        final DirectBuffer value,
        final int offset,
        final int length,
        final BigDecimal incrementBy,
        final String operation)
    {
        int frames = TreeOps.framesForOptimisticPut(db.blockSizeBytes, null == incrementBy ? length : 64);
        boolean numbered = false;
        try
        {
            for (int attempt = 0; attempt < MAX_STEP_ATTEMPTS; attempt++)
            {
                ctx.reserve(frames);
                final long stamp = store.enterUpdate();
                final int outcome;
                try
                {
                    if (!numbered)
                    {
                        // Numbered inside the gate: a cycle sealed with sequence n holds every update <= n.
                        ctx.updateSequence(store.nextUpdateSequence());
                        numbered = true;
                    }
                    ops.journalGlobal(key.global());
                    outcome = null == incrementBy ?
                        ops.put(db, root, key.buffer(), key.length(), value, offset, length) :
                        ops.increment(db, root, key.buffer(), key.length(), incrementBy);
                }
                finally
                {
                    store.exitUpdate(stamp);
                }
                if (TreeOps.DONE == outcome)
                {
                    return;
                }
                frames = ops.framesNeeded();
            }
            throw new BulwarkException(ErrorCode.DATABASE, operation + " " + key + " could not reserve buffer frames");
        }
        finally
        {
            ctx.releaseReservation();
        }
    }

    private void remove(final GlobalKey key, final boolean exact)
    {
        store.checkOpen();
        final Database db = store.databaseOf(key.global());
        store.checkWritable(db, applier);
        final int root = rootOf(db, key.global(), false);
        if (0 == root)
        {
            // Every update takes a sequence number, even one that finds nothing to remove, so that
            // the numbers count updates exactly (crash tests map them back to operations).
            final long stamp = store.enterUpdate();
            store.nextUpdateSequence();
            store.exitUpdate(stamp);
            return;
        }
        int frames = 8;
        int attempts = 0;
        boolean numbered = false;
        try
        {
            while (true)
            {
                ctx.reserve(frames);
                final long stamp = store.enterUpdate();
                final int outcome;
                try
                {
                    if (!numbered)
                    {
                        // Numbered inside the gate at the first step; a kill over several steps may
                        // be partly in a cycle sealed after its number.
                        ctx.updateSequence(store.nextUpdateSequence());
                        numbered = true;
                    }
                    ops.journalGlobal(key.global());
                    outcome = ops.removeStep(db, root, key.buffer(), key.length(), exact);
                }
                finally
                {
                    store.exitUpdate(stamp);
                }
                if (TreeOps.NOTHING == outcome || (exact && TreeOps.DONE == outcome))
                {
                    return;
                }
                if (TreeOps.NEED_FRAMES == outcome)
                {
                    frames = ops.framesNeeded();
                    if (++attempts > MAX_STEP_ATTEMPTS)
                    {
                        throw new BulwarkException(ErrorCode.DATABASE, "kill " + key +
                            " could not reserve buffer frames");
                    }
                }
                else
                {
                    // A step done: hand unused frames back so that a long kill does not hoard them.
                    ctx.releaseReservation();
                    frames = 8;
                }
            }
        }
        finally
        {
            ctx.releaseReservation();
        }
    }

    /**
     * @return the root block of a global's tree, creating the tree if asked; 0 if absent.
     */
    private int rootOf(final Database db, final String global, final boolean create)
    {
        final Integer cached = db.roots.get(global);
        if (null != cached)
        {
            return cached;
        }
        final int nameLength = nameKey.putStringWithoutLengthAscii(0, global);
        if (ops.get(db, DatabaseLabel.DIRECTORY_ROOT_BLOCK, nameKey, nameLength))
        {
            final int root = ops.value.getInt(0);
            db.roots.put(global, root);
            return root;
        }
        if (!create)
        {
            return 0;
        }
        synchronized (db.directoryLock)
        {
            if (ops.get(db, DatabaseLabel.DIRECTORY_ROOT_BLOCK, nameKey, nameLength))
            {
                final int root = ops.value.getInt(0);
                db.roots.put(global, root);
                return root;
            }
            final int root = createTree(db, nameLength);
            db.roots.put(global, root);
            return root;
        }
    }

    /**
     * Allocate an empty root leaf and enter it in the directory, in one update step.
     */
    private int createTree(final Database db, final int nameLength)
    {
        int frames = 32;
        try
        {
            for (int attempt = 0; attempt < MAX_STEP_ATTEMPTS; attempt++)
            {
                ctx.reserve(frames);
                final long stamp = store.enterUpdate();
                try
                {
                    final int root = db.allocator.allocate(ctx);
                    ctx.latchExclusive(db, root);
                    try
                    {
                        final MutableDirectBuffer block = ctx.fresh(db, root);
                        org.bulwark.store.block.BlockLayout.initHeader(block, db.blockSizeBytes,
                            org.bulwark.store.block.BlockLayout.TYPE_DATA, 0, root, root);
                    }
                    finally
                    {
                        ctx.unlatch(db, root);
                    }
                    rootValue.putInt(0, root);
                    final int outcome;
                    try
                    {
                        ops.journalGlobal(null); // the directory is structure, not a logical update
                        outcome = ops.put(db, DatabaseLabel.DIRECTORY_ROOT_BLOCK, nameKey, nameLength, rootValue, 0, 4);
                    }
                    catch (final RuntimeException ex)
                    {
                        db.allocator.free(ctx, root);
                        throw ex;
                    }
                    if (TreeOps.DONE == outcome)
                    {
                        return root;
                    }
                    db.allocator.free(ctx, root);
                    frames = ops.framesNeeded() + 8;
                }
                finally
                {
                    store.exitUpdate(stamp);
                }
            }
            throw new BulwarkException(ErrorCode.DATABASE, "could not reserve buffer frames to create a global");
        }
        finally
        {
            ctx.releaseReservation();
        }
    }
}
