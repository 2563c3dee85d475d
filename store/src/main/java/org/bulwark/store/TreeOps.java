package org.bulwark.store;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.block.BlockLayout;
import org.bulwark.store.block.Node;
import org.bulwark.store.key.KeyCodec;

import java.math.BigDecimal;
import java.nio.ByteBuffer;

/**
 * B+tree operations on one thread's behalf (SPEC S-2, S-6). Every tree has a fixed root block
 * (a root split moves the root's entries into two new children, so the directory never changes).
 *
 * <p>Readers crab down with shared latches and follow right links between leaves with latch
 * coupling. Writers first try the optimistic path (shared latches down to the leaf's parent, the
 * leaf exclusive), which suffices unless the leaf must split or merge; otherwise they take the
 * pessimistic path: exclusive latches from the root, releasing ancestors above a child that is
 * safe (cannot split, or cannot underflow), then split or merge upwards within the held path.
 *
 * <p>Merges only join a node with a sibling under the same parent, left into right order, so
 * the right links of the level stay correct without latching nodes outside the held path.
 * Write steps run under the update gate and a frame reservation made by the caller.
 */
final class TreeOps
{
    static final int MAX_DEPTH = 32;
    /** Longest key a tree holds: the encoded subscripts of a reference (SPEC G-4 bounds the whole). */
    static final int MAX_KEY_BYTES = 511;

    static final int DONE = 0;
    static final int NEED_PESSIMISTIC = 1;
    static final int NEED_FRAMES = 2;
    static final int NOTHING = 3;

    private final TreeContext ctx;

    private final Node[] path = new Node[MAX_DEPTH];
    private final int[] pathBlock = new int[MAX_DEPTH];
    private final int[] pathIndex = new int[MAX_DEPTH];
    private int pathBase;
    private int pathTop;

    private final Node node = new Node();
    private final Node sibling = new Node();
    private final Node chainNode = new Node();
    private final Node scratch = new Node();
    private final UnsafeBuffer scratchMemory;
    private final UnsafeBuffer separator = new UnsafeBuffer(new byte[MAX_KEY_BYTES + 1]);
    private int separatorLength;
    private final UnsafeBuffer bound = new UnsafeBuffer(new byte[MAX_KEY_BYTES + 2]);
    private int boundLength;
    private final UnsafeBuffer emptyKey = new UnsafeBuffer(new byte[1]);

    /** The key found by the last seek. */
    final UnsafeBuffer foundKey = new UnsafeBuffer(new byte[MAX_KEY_BYTES + 1]);
    int foundKeyLength;
    /** The value read by the last get or seek that asked for it. */
    final ExpandableDirectByteBuffer value = new ExpandableDirectByteBuffer(1024);
    int valueLength;

    private int framesNeeded;

    /**
     * Blocks allocated before a write step changes anything, so that running out of space (or a
     * failed growth) fails the step while the tree is still untouched; unused ones are freed.
     */
    private int[] spareBlocks = new int[64];
    private int spareCount;

    /** The global of the update in progress, for the listener; null for structural changes. */
    private String journalGlobal;
    private final ExpandableDirectByteBuffer oldValue = new ExpandableDirectByteBuffer(256);

    TreeOps(final TreeContext ctx)
    {
        this.ctx = ctx;
        for (int i = 0; i < MAX_DEPTH; i++)
        {
            path[i] = new Node();
        }
        scratchMemory = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * BlockLayout.MAX_BLOCK_SIZE_BYTES));
    }

    /**
     * @return frames the last {@link #NEED_FRAMES} outcome asked for.
     */
    int framesNeeded()
    {
        return framesNeeded;
    }

    /**
     * @return the longest value kept inside a leaf; longer ones go to a chain of big blocks. Chosen
     * so that every leaf entry takes at most a quarter of a block, which makes any split fit.
     */
    static int inlineValueMaxBytes(final int blockSizeBytes)
    {
        return (blockSizeBytes - BlockLayout.HEADER_LENGTH) / 4 - Node.leafInlineFootprint(MAX_KEY_BYTES, 0);
    }

    static int bigPayloadBytes(final int blockSizeBytes)
    {
        return blockSizeBytes - BlockLayout.HEADER_LENGTH;
    }

    static int chainBlocks(final int blockSizeBytes, final int valueLength)
    {
        if (valueLength <= inlineValueMaxBytes(blockSizeBytes))
        {
            return 0;
        }
        final int payload = bigPayloadBytes(blockSizeBytes);
        return (valueLength + payload - 1) / payload;
    }

    /**
     * @return frames an optimistic put may need; the caller reserves this before the gate.
     */
    static int framesForOptimisticPut(final int blockSizeBytes, final int valueLength)
    {
        return 8 + chainBlocks(blockSizeBytes, valueLength) * (1 + Allocator.FRAMES_PER_ALLOCATION);
    }

    // =================================================================== reads

    /**
     * Read the value at {@code key} into {@link #value}.
     *
     * @return false if the key is absent.
     */
    boolean get(final Database db, final int root, final DirectBuffer key, final int keyLength)
    {
        try
        {
            final int leafBlock = descendShared(db, root, key, keyLength);
            final int index = node.search(key, 0, keyLength);
            if (index < 0)
            {
                return false;
            }
            copyValue(db, node, index, root);
            ctx.unlatch(db, leafBlock);
            return true;
        }
        finally
        {
            ctx.unlatchAll();
        }
    }

    /**
     * Find the first key at or after {@code key} ({@code inclusive}) or after it, into
     * {@link #foundKey}; with {@code withValue} also its value into {@link #value}.
     *
     * @return false if there is none.
     */
    boolean seekForward(
        final Database db, final int root, final DirectBuffer key, final int keyLength, final boolean inclusive,
        final boolean withValue)
    {
        try
        {
            int block = descendShared(db, root, key, keyLength);
            int index = node.search(key, 0, keyLength);
            if (index >= 0)
            {
                if (!inclusive)
                {
                    index++;
                }
            }
            else
            {
                index = -index - 1;
            }
            while (index >= node.count())
            {
                final int next = node.link();
                if (0 == next)
                {
                    return false;
                }
                ctx.latchShared(db, next);
                ctx.unlatch(db, block);
                block = next;
                wrapChecked(node, db, next, root, BlockLayout.TYPE_DATA);
                index = 0;
            }
            copyKey(node, index);
            if (withValue)
            {
                copyValue(db, node, index, root);
            }
            return true;
        }
        finally
        {
            ctx.unlatchAll();
        }
    }

    /**
     * Find the last key strictly before {@code key} into {@link #foundKey}.
     *
     * @return false if there is none.
     */
    boolean seekBackward(final Database db, final int root, final DirectBuffer key, final int keyLength)
    {
        bound.putBytes(0, key, 0, keyLength);
        boundLength = keyLength;
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                if (0 == boundLength)
                {
                    return false; // nothing sorts before the empty key
                }
                if (attempt > 1_000_000)
                {
                    throw new BulwarkException(ErrorCode.DATABASE, "reverse search did not converge in " + db.name);
                }
                // Descend towards the largest keys below the bound, remembering the tightest lower
                // bound of the subtree chosen, in case its leftmost leaf holds nothing below the bound.
                int block = root;
                ctx.latchShared(db, root);
                wrapChecked(node, db, root, root, (byte)0);
                int lowerLength = -1;
                while (!node.isLeaf())
                {
                    final int i = node.childIndexBelow(bound, 0, boundLength);
                    if (i > 0)
                    {
                        lowerLength = node.keyLength(i);
                        separator.putBytes(0, node.buffer(), node.keyOffset(i), lowerLength);
                    }
                    final int child = node.child(i);
                    ctx.latchShared(db, child);
                    ctx.unlatch(db, block);
                    block = child;
                    wrapChecked(node, db, child, root, (byte)0);
                }
                final int found = node.search(bound, 0, boundLength);
                final int index = (found >= 0 ? found : -found - 1) - 1;
                if (index >= 0)
                {
                    copyKey(node, index);
                    return true;
                }
                ctx.unlatch(db, block);
                if (lowerLength < 0)
                {
                    return false;
                }
                bound.putBytes(0, separator, 0, lowerLength);
                boundLength = lowerLength;
            }
        }
        finally
        {
            ctx.unlatchAll();
        }
    }

    /**
     * Copy the entries of the leaf that holds the first key at or after {@code from} into
     * {@code batch} while they start with {@code prefix}: {@code | key length u16 | key | value
     * length u32 | value |} each. Stops at the end of that leaf (or after one big value).
     *
     * @return entries copied; 0 means no more keys under the prefix.
     */
    int scanBatch(
        final Database db, final int root,
        final DirectBuffer prefix, final int prefixLength,
        final DirectBuffer from, final int fromLength, final boolean inclusive,
        final ExpandableDirectByteBuffer batch, final int[] batchLengthOut)
    {
        try
        {
            int block = descendShared(db, root, from, fromLength);
            int index = node.search(from, 0, fromLength);
            index = index >= 0 ? (inclusive ? index : index + 1) : -index - 1;
            while (index >= node.count())
            {
                final int next = node.link();
                if (0 == next)
                {
                    return 0;
                }
                ctx.latchShared(db, next);
                ctx.unlatch(db, block);
                block = next;
                wrapChecked(node, db, next, root, BlockLayout.TYPE_DATA);
                index = 0;
            }
            int position = 0;
            int copied = 0;
            final int count = node.count();
            for (; index < count; index++)
            {
                final int keyOffset = node.keyOffset(index);
                final int keyLength = node.keyLength(index);
                if (!KeyCodec.startsWith(node.buffer(), keyOffset, keyLength, prefix, 0, prefixLength))
                {
                    break;
                }
                batch.putShort(position, (short)keyLength);
                batch.putBytes(position + 2, node.buffer(), keyOffset, keyLength);
                position += 2 + keyLength;
                final boolean big = node.isBig(index);
                copyValue(db, node, index, root);
                batch.putInt(position, valueLength);
                batch.putBytes(position + 4, value, 0, valueLength);
                position += 4 + valueLength;
                copied++;
                if (big)
                {
                    break;
                }
            }
            batchLengthOut[0] = position;
            return copied;
        }
        finally
        {
            ctx.unlatchAll();
        }
    }

    // =================================================================== put

    /**
     * Insert or replace {@code key → value}. One write step: caller holds the update gate and a
     * reservation of at least {@link #framesForOptimisticPut}.
     *
     * @return {@link #DONE}, or {@link #NEED_FRAMES} after releasing everything ({@link #framesNeeded()}).
     */
    int put(
        final Database db, final int root,
        final DirectBuffer key, final int keyLength,
        final DirectBuffer val, final int valOffset, final int valLength)
    {
        try
        {
            putValue = val;
            putOffset = valOffset;
            putLength = valLength;
            final int outcome = putOptimistic(db, root, key, keyLength);
            if (NEED_PESSIMISTIC != outcome)
            {
                return outcome;
            }
            ctx.unlatchAll();
            return putPessimistic(db, root, key, keyLength);
        }
        finally
        {
            putValue = null;
            try
            {
                freeSpares(db);
            }
            finally
            {
                ctx.unlatchAll();
            }
        }
    }

    /**
     * Add {@code by} to the numeric interpretation of the value at {@code key} (absent counts as 0)
     * and store the canonical result, atomically under the leaf's exclusive latch. The result is
     * left in {@link #value}. One write step, as {@link #put}.
     */
    int increment(
        final Database db, final int root, final DirectBuffer key, final int keyLength, final BigDecimal by)
    {
        incrementBy = by;
        try
        {
            return put(db, root, key, keyLength, null, 0, 0);
        }
        finally
        {
            incrementBy = null;
        }
    }

    private DirectBuffer putValue;
    private int putOffset;
    private int putLength;
    private BigDecimal incrementBy;
    private final UnsafeBuffer incremented = new UnsafeBuffer(new byte[0]);

    /**
     * In increment mode, compute the new value from the entry at {@code index} (if any).
     */
    private void resolveIncrement(final Database db, final Node leaf, final int index, final int root)
    {
        if (null == incrementBy)
        {
            return;
        }
        final BigDecimal old;
        if (index >= 0)
        {
            copyValue(db, leaf, index, root);
            old = NumericValue.parse(value, 0, valueLength);
        }
        else
        {
            old = BigDecimal.ZERO;
        }
        final byte[] text = NumericValue.formatBytes(old.add(incrementBy));
        incremented.wrap(text);
        value.putBytes(0, text);
        valueLength = text.length;
        putValue = incremented;
        putOffset = 0;
        putLength = text.length;
    }

    private int putOptimistic(final Database db, final int root, final DirectBuffer key, final int keyLength)
    {
        final int leafBlock = descendToLeafExclusive(db, root, key, keyLength);
        if (leafBlock < 0)
        {
            return NEED_PESSIMISTIC;
        }
        final int bs = db.blockSizeBytes;
        final int index = node.search(key, 0, keyLength);
        resolveIncrement(db, node, index, root);
        final int newFootprint = leafFootprint(bs, keyLength, putLength);
        final int oldFootprint = index >= 0 ? node.entryFootprint(index) : 0;
        if (node.freeBytes() + oldFootprint < newFootprint)
        {
            return NEED_PESSIMISTIC;
        }
        final int oldChain = index >= 0 && node.isBig(index) ? node.bigValueFirstBlock(index) : 0;
        final int oldChainBlocks = index >= 0 && node.isBig(index) ? chainBlocks(bs, node.bigValueLength(index)) : 0;
        final int needed = 1 + chainBlocks(bs, putLength) * (1 + Allocator.FRAMES_PER_ALLOCATION) +
            oldChainBlocks * Allocator.FRAMES_PER_FREE;
        if (!ctx.tryReserve(needed))
        {
            framesNeeded = needed;
            return NEED_FRAMES;
        }
        allocateSpares(db, chainBlocks(bs, putLength));
        reportSet(db, node, index, root, key, keyLength);
        final int newChain = writeChain(db, root, putValue, putOffset, putLength);
        node.wrap(ctx.writableAddress(db, leafBlock), bs);
        insertIntoLeaf(node, index, key, keyLength, putLength, newChain, putValue, putOffset);
        freeChain(db, oldChain);
        return DONE;
    }

    private int putPessimistic(final Database db, final int root, final DirectBuffer key, final int keyLength)
    {
        final int bs = db.blockSizeBytes;
        final int maxPointerFootprint = Node.pointerFootprint(MAX_KEY_BYTES);

        // Exclusive descent, releasing ancestors above a child that cannot split. (In increment
        // mode the new value's size is unknown until the leaf, so the leaf counts as unsafe.)
        startPath(db, root);
        while (!path[pathTop].isLeaf())
        {
            final Node parent = path[pathTop];
            final int i = parent.childIndexFor(key, 0, keyLength);
            pathIndex[pathTop] = i;
            final int child = parent.child(i);
            pushExclusive(db, child, root);
            final Node c = path[pathTop];
            final boolean safe;
            if (c.isLeaf())
            {
                final int found = c.search(key, 0, keyLength);
                safe = null == incrementBy &&
                    c.freeBytes() + (found >= 0 ? c.entryFootprint(found) : 0) >= leafFootprint(bs, keyLength,
                        putLength);
            }
            else
            {
                safe = c.freeBytes() >= maxPointerFootprint;
            }
            if (safe)
            {
                releaseAncestors(db);
            }
        }

        final Node leaf = path[pathTop];
        final int index = leaf.search(key, 0, keyLength);
        resolveIncrement(db, leaf, index, root);
        final int newFootprint = leafFootprint(bs, keyLength, putLength);
        final int oldChainBlocks = index >= 0 && leaf.isBig(index) ? chainBlocks(bs, leaf.bigValueLength(index)) : 0;
        final int heldNodes = pathTop - pathBase + 1;
        final int needed = heldNodes * (2 + Allocator.FRAMES_PER_ALLOCATION) +
            2 * (1 + Allocator.FRAMES_PER_ALLOCATION) +
            chainBlocks(bs, putLength) * (1 + Allocator.FRAMES_PER_ALLOCATION) +
            oldChainBlocks * Allocator.FRAMES_PER_FREE + 2;
        if (!ctx.tryReserve(needed))
        {
            framesNeeded = needed;
            return NEED_FRAMES;
        }

        // Every held level may split (one new block each, two for the root) and the value may need
        // a chain: allocate all of it now, so that a full database fails here, with nothing changed.
        allocateSpares(db, heldNodes + 1 + chainBlocks(bs, putLength));
        reportSet(db, leaf, index, root, key, keyLength);
        final int oldChain = index >= 0 && leaf.isBig(index) ? leaf.bigValueFirstBlock(index) : 0;
        final int newChain = writeChain(db, root, putValue, putOffset, putLength);
        makePathWritable(db);
        final Node writableLeaf = path[pathTop];
        int insertAt;
        if (index >= 0)
        {
            writableLeaf.remove(index);
            insertAt = index;
        }
        else
        {
            insertAt = -index - 1;
        }

        if (writableLeaf.freeBytes() >= newFootprint)
        {
            insertLeafEntry(writableLeaf, insertAt, key, keyLength, putLength, newChain, putValue, putOffset);
        }
        else
        {
            // Split: build the overfull leaf in the scratch, then share it out.
            scratch.wrap(scratchMemory.addressOffset(), 2 * bs);
            copyAllTo(writableLeaf, scratch);
            insertLeafEntry(scratch, insertAt, key, keyLength, putLength, newChain, putValue, putOffset);
            splitFromScratch(db, root, pathTop);
        }
        freeChain(db, oldChain);
        return DONE;
    }

    /**
     * The node at {@code level} of the path has its overfull content in {@link #scratch}: split it
     * into itself and a new right sibling (or, for the root, into two new children), then insert
     * the separator into the parent, splitting upwards as needed.
     */
    private void splitFromScratch(final Database db, final int root, final int level)
    {
        final int bs = db.blockSizeBytes;
        int at = level;
        while (true)
        {
            final Node target = path[at];
            final boolean leaf = target.isLeaf();
            final int k = scratch.splitIndex();
            separatorLength = scratch.keyLength(k);
            separator.putBytes(0, scratch.buffer(), scratch.keyOffset(k), separatorLength);

            if (pathBlock[at] == root)
            {
                splitRoot(db, root, target, k);
                return;
            }

            final int right = allocateNode(db, root, leaf ? BlockLayout.TYPE_DATA : BlockLayout.TYPE_POINTER,
                target.level(), sibling);
            fillFromScratch(target, 0, k, false);
            fillFromScratch(sibling, k, scratch.count(), !leaf);
            sibling.link(target.link());
            target.link(right);
            ctx.unlatch(db, right);

            // Insert (separator → right) into the parent, right after the target's entry.
            if (at - 1 < pathBase)
            {
                throw new IllegalStateException("split reached a released ancestor in " + db.name);
            }
            final Node parent = path[at - 1];
            final int insertAt = pathIndex[at - 1] + 1;
            if (parent.freeBytes() >= Node.pointerFootprint(separatorLength))
            {
                parent.insertPointer(insertAt, separator, 0, separatorLength, right);
                return;
            }
            scratch.wrap(scratchMemory.addressOffset(), 2 * bs);
            copyAllTo(parent, scratch);
            scratch.insertPointer(insertAt, separator, 0, separatorLength, right);
            at--;
        }
    }

    /**
     * Split the root whose overfull content is in the scratch: two new children take the halves,
     * the root becomes a pointer block one level up. The root's block number never changes.
     */
    private void splitRoot(final Database db, final int root, final Node rootNode, final int k)
    {
        final boolean leaf = scratch.isLeaf();
        final byte childType = leaf ? BlockLayout.TYPE_DATA : BlockLayout.TYPE_POINTER;
        final int level = rootNode.level();
        final Node left = node;
        final int leftBlock = allocateNode(db, root, childType, level, left);
        final int rightBlock = allocateNode(db, root, childType, level, sibling);
        fillFromScratch(left, 0, k, false);
        fillFromScratch(sibling, k, scratch.count(), !leaf);
        left.link(rightBlock);
        sibling.link(0);
        ctx.unlatch(db, leftBlock);
        ctx.unlatch(db, rightBlock);
        if (level + 1 >= MAX_DEPTH)
        {
            throw new BulwarkException(ErrorCode.DATABASE, "tree rooted at block " + root + " of " + db.name +
                " would exceed " + MAX_DEPTH + " levels");
        }
        rootNode.type(BlockLayout.TYPE_POINTER);
        rootNode.level(level + 1);
        rootNode.link(0);
        rootNode.clearEntries();
        rootNode.insertPointer(0, emptyKey, 0, 0, leftBlock);
        rootNode.insertPointer(1, separator, 0, separatorLength, rightBlock);
    }

    /**
     * Rebuild {@code target} from scratch entries {@code [from, to)}; with {@code emptyFirstKey}
     * the first entry (a pointer) gets the empty key.
     */
    private void fillFromScratch(final Node target, final int from, final int to, final boolean emptyFirstKey)
    {
        target.clearEntries();
        for (int i = from; i < to; i++)
        {
            if (emptyFirstKey && i == from)
            {
                target.insertPointer(0, emptyKey, 0, 0, scratch.child(i));
            }
            else
            {
                target.insertCopy(i - from, scratch, i);
            }
        }
    }

    private static void copyAllTo(final Node source, final Node target)
    {
        target.init((byte)source.type(), source.level(), source.blockNumber(), source.treeId());
        target.link(source.link());
        final int count = source.count();
        for (int i = 0; i < count; i++)
        {
            target.insertCopy(i, source, i);
        }
    }

    private void insertIntoLeaf(
        final Node leaf, final int index,
        final DirectBuffer key, final int keyLength, final int valLength, final int chain,
        final DirectBuffer val, final int valOffset)
    {
        int insertAt;
        if (index >= 0)
        {
            leaf.remove(index);
            insertAt = index;
        }
        else
        {
            insertAt = -index - 1;
        }
        insertLeafEntry(leaf, insertAt, key, keyLength, valLength, chain, val, valOffset);
    }

    private static void insertLeafEntry(
        final Node leaf, final int insertAt,
        final DirectBuffer key, final int keyLength, final int valLength, final int chain,
        final DirectBuffer val, final int valOffset)
    {
        if (0 != chain)
        {
            leaf.insertBig(insertAt, key, 0, keyLength, valLength, chain);
        }
        else
        {
            leaf.insertInline(insertAt, key, 0, keyLength, val, valOffset, valLength);
        }
    }

    private static int leafFootprint(final int blockSizeBytes, final int keyLength, final int valueLength)
    {
        return valueLength <= inlineValueMaxBytes(blockSizeBytes) ?
            Node.leafInlineFootprint(keyLength, valueLength) : Node.leafBigFootprint(keyLength);
    }

    // =================================================================== remove

    /**
     * Remove, from the leaf holding the first key at or after {@code prefix}, every entry that
     * starts with {@code prefix} (with {@code exact}, only the key equal to it). One write step.
     *
     * @return {@link #DONE} if something was removed, {@link #NOTHING} if no key matched,
     * {@link #NEED_FRAMES} after releasing everything.
     */
    int removeStep(
        final Database db, final int root, final DirectBuffer prefix, final int prefixLength, final boolean exact)
    {
        try
        {
            final int outcome = removeOptimistic(db, root, prefix, prefixLength, exact);
            if (NEED_PESSIMISTIC != outcome)
            {
                return outcome;
            }
            ctx.unlatchAll();
            return removePessimistic(db, root, prefix, prefixLength, exact);
        }
        finally
        {
            ctx.unlatchAll();
        }
    }

    private int removeOptimistic(
        final Database db, final int root, final DirectBuffer prefix, final int prefixLength, final boolean exact)
    {
        separatorLength = 0;
        int leafBlock = descendToLeafExclusive(db, root, prefix, prefixLength);
        if (leafBlock < 0)
        {
            return NEED_PESSIMISTIC;
        }
        int from = node.search(prefix, 0, prefixLength);
        if (exact && from < 0)
        {
            return NOTHING;
        }
        from = from >= 0 ? from : -from - 1;
        // The first key at or after the prefix may be in a right sibling (exclusive coupling, left to right).
        while (from >= node.count())
        {
            final int next = node.link();
            if (0 == next)
            {
                return NOTHING;
            }
            ctx.latchExclusive(db, next);
            ctx.unlatch(db, leafBlock);
            leafBlock = next;
            wrapChecked(node, db, next, root, BlockLayout.TYPE_DATA);
            from = 0;
        }
        final int to = matchEnd(node, from, prefix, prefixLength, exact);
        if (to == from)
        {
            return NOTHING;
        }
        int removedBytes = 0;
        int chainBlockCount = 0;
        for (int i = from; i < to; i++)
        {
            removedBytes += node.entryFootprint(i);
            chainBlockCount += node.isBig(i) ? chainBlocks(db.blockSizeBytes, node.bigValueLength(i)) : 0;
        }
        final boolean underflow = node.usedBytes() - removedBytes < node.payloadCapacity() / 4;
        if (underflow && leafBlock != root)
        {
            // Remember where the matches start, so the pessimistic descent goes straight to this leaf.
            separatorLength = node.keyLength(from);
            separator.putBytes(0, node.buffer(), node.keyOffset(from), separatorLength);
            return NEED_PESSIMISTIC;
        }
        final int needed = 1 + chainBlockCount * Allocator.FRAMES_PER_FREE;
        if (!ctx.tryReserve(needed))
        {
            framesNeeded = needed;
            return NEED_FRAMES;
        }
        reportKills(db, node, from, to, root);
        node.wrap(ctx.writableAddress(db, leafBlock), db.blockSizeBytes);
        removeEntries(db, node, from, to);
        return DONE;
    }

    private int removePessimistic(
        final Database db, final int root, final DirectBuffer prefix, final int prefixLength, final boolean exact)
    {
        // Descend towards the first match (remembered in the separator buffer), or the prefix itself.
        final DirectBuffer target = separatorLength > 0 ? separator : prefix;
        final int targetLength = separatorLength > 0 ? separatorLength : prefixLength;
        bound.putBytes(0, target, 0, targetLength);
        boundLength = targetLength;
        separatorLength = 0;
        final int minUsed = (db.blockSizeBytes - BlockLayout.HEADER_LENGTH) / 4;
        final int maxPointerFootprint = Node.pointerFootprint(MAX_KEY_BYTES);

        startPath(db, root);
        while (!path[pathTop].isLeaf())
        {
            final Node parent = path[pathTop];
            final int i = parent.childIndexFor(bound, 0, boundLength);
            pathIndex[pathTop] = i;
            pushExclusive(db, parent.child(i), root);
            final Node c = path[pathTop];
            // A pointer child that keeps a quarter after losing its largest possible entry cannot
            // underflow, so nothing above it changes. A leaf's parent is always kept.
            if (!c.isLeaf() && c.usedBytes() - maxPointerFootprint >= minUsed)
            {
                releaseAncestors(db);
            }
        }

        final Node leaf = path[pathTop];
        int from = leaf.search(bound, 0, boundLength);
        if (exact && from < 0)
        {
            return NOTHING;
        }
        from = from >= 0 ? from : -from - 1;
        final int to = matchEnd(leaf, from, prefix, prefixLength, exact);
        if (to == from)
        {
            // The matches moved (a concurrent change): report progress so the caller looks again,
            // unless nothing can match any more.
            return exact || from < leaf.count() || 0 == leaf.link() ? NOTHING : DONE;
        }
        int chainBlockCount = 0;
        for (int i = from; i < to; i++)
        {
            chainBlockCount += leaf.isBig(i) ? chainBlocks(db.blockSizeBytes, leaf.bigValueLength(i)) : 0;
        }
        final int heldNodes = pathTop - pathBase + 1;
        final int needed = heldNodes * (3 + Allocator.FRAMES_PER_FREE) + chainBlockCount * Allocator.FRAMES_PER_FREE +
            4 + Allocator.FRAMES_PER_FREE;
        if (!ctx.tryReserve(needed))
        {
            framesNeeded = needed;
            return NEED_FRAMES;
        }
        reportKills(db, leaf, from, to, root);
        makePathWritable(db);
        removeEntries(db, path[pathTop], from, to);
        mergeUpwards(db, root, minUsed);
        return DONE;
    }

    /**
     * After removals in the held path's leaf, merge under-full nodes with a sibling under the same
     * parent, bottom up, as far as the held path reaches; then shrink the root while it has a
     * single child.
     */
    private void mergeUpwards(final Database db, final int root, final int minUsed)
    {
        final int bs = db.blockSizeBytes;
        final int mergeLimit = (bs - BlockLayout.HEADER_LENGTH) * 3 / 4;
        int at = pathTop;
        while (at > pathBase)
        {
            final Node n = path[at];
            if (n.usedBytes() >= minUsed)
            {
                break;
            }
            final Node parent = path[at - 1];
            if (parent.count() < 2)
            {
                break;
            }
            final int i = pathIndex[at - 1];
            final boolean withRight = i + 1 < parent.count();
            final int rightIndex = withRight ? i + 1 : i;
            final int leftBlock = withRight ? pathBlock[at] : parent.child(i - 1);
            final int rightBlock = withRight ? parent.child(i + 1) : pathBlock[at];

            // Latch the sibling in left-to-right order: release n first if the sibling is on its left.
            if (withRight)
            {
                ctx.latchExclusive(db, rightBlock);
            }
            else
            {
                ctx.unlatch(db, pathBlock[at]);
                ctx.latchExclusive(db, leftBlock);
                ctx.latchExclusive(db, rightBlock);
            }
            final Node left = sibling;
            final Node right = chainNode;
            wrapChecked(left, db, leftBlock, root, (byte)0);
            wrapChecked(right, db, rightBlock, root, (byte)0);
            final int separatorFootprint = left.isLeaf() ? 0 : parent.keyLength(rightIndex);
            if (left.usedBytes() + right.usedBytes() + separatorFootprint > mergeLimit)
            {
                ctx.unlatch(db, withRight ? rightBlock : leftBlock);
                break;
            }
            left.wrap(ctx.writableAddress(db, leftBlock), bs);
            final int base = left.count();
            final int rightCount = right.count();
            for (int r = 0; r < rightCount; r++)
            {
                if (!left.isLeaf() && 0 == r)
                {
                    left.insertPointer(base, parent.buffer(), parent.keyOffset(rightIndex),
                        parent.keyLength(rightIndex), right.child(0));
                }
                else
                {
                    left.insertCopy(base + r, right, r);
                }
            }
            left.link(right.link());
            parent.remove(rightIndex);
            db.allocator.free(ctx, rightBlock);
            ctx.unlatch(db, leftBlock);
            ctx.unlatch(db, rightBlock);
            at--;
        }

        if (0 == pathBase)
        {
            collapseRoot(db, root);
        }
    }

    /**
     * While the root is a pointer block with one child, pull that child's content into the root.
     */
    private void collapseRoot(final Database db, final int root)
    {
        final Node rootNode = path[0];
        while (!rootNode.isLeaf() && 1 == rootNode.count())
        {
            final int child = rootNode.child(0);
            ctx.latchExclusive(db, child);
            wrapChecked(sibling, db, child, root, (byte)0);
            rootNode.copyShape(sibling);
            rootNode.link(0);
            final int count = sibling.count();
            for (int i = 0; i < count; i++)
            {
                rootNode.insertCopy(i, sibling, i);
            }
            db.allocator.free(ctx, child);
            ctx.unlatch(db, child);
        }
    }

    private int matchEnd(
        final Node leaf, final int from, final DirectBuffer prefix, final int prefixLength, final boolean exact)
    {
        final int count = leaf.count();
        if (exact)
        {
            return from < count && 0 == leaf.compareKey(from, prefix, 0, prefixLength) ? from + 1 : from;
        }
        int to = from;
        while (to < count &&
            KeyCodec.startsWith(leaf.buffer(), leaf.keyOffset(to), leaf.keyLength(to), prefix, 0, prefixLength))
        {
            to++;
        }
        return to;
    }

    private void removeEntries(final Database db, final Node leaf, final int from, final int to)
    {
        for (int i = to - 1; i >= from; i--)
        {
            final int chain = leaf.isBig(i) ? leaf.bigValueFirstBlock(i) : 0;
            leaf.remove(i);
            freeChain(db, chain);
        }
    }

    // =================================================================== big values

    /**
     * Write a value longer than the inline limit to a chain of new big blocks, last block first so
     * that each block is written once with its link.
     *
     * @return the first block of the chain, or 0 if the value stays inline.
     */
    private int writeChain(
        final Database db, final int root, final DirectBuffer val, final int valOffset, final int valLength)
    {
        final int bs = db.blockSizeBytes;
        final int blocks = chainBlocks(bs, valLength);
        if (0 == blocks)
        {
            return 0;
        }
        final int payload = bigPayloadBytes(bs);
        int next = 0;
        for (int b = blocks - 1; b >= 0; b--)
        {
            final int start = b * payload;
            final int length = Math.min(payload, valLength - start);
            final int block = allocateNode(db, root, BlockLayout.TYPE_BIG, 0, chainNode);
            final MutableDirectBuffer buffer = chainNode.buffer();
            buffer.putShort(BlockLayout.COUNT_OFFSET, (short)length);
            buffer.putBytes(BlockLayout.HEADER_LENGTH, val, valOffset + start, length);
            chainNode.link(next);
            ctx.unlatch(db, block);
            next = block;
        }
        return next;
    }

    private void freeChain(final Database db, final int first)
    {
        int block = first;
        int guard = 0;
        while (0 != block)
        {
            ctx.latchShared(db, block);
            final DirectBuffer big = ctx.readable(db, block);
            if (BlockLayout.type(big) != BlockLayout.TYPE_BIG)
            {
                throw damaged(db, block, "expected a big-value block, found " +
                    BlockLayout.typeName(BlockLayout.type(big)));
            }
            final int next = big.getInt(BlockLayout.LINK_OFFSET);
            ctx.unlatch(db, block);
            db.allocator.free(ctx, block);
            block = next;
            if (++guard > (1 << 24))
            {
                throw damaged(db, first, "big-value chain does not end");
            }
        }
    }

    private void copyValue(final Database db, final Node leaf, final int index, final int root)
    {
        if (!leaf.isBig(index))
        {
            valueLength = leaf.inlineValueLength(index);
            value.putBytes(0, leaf.buffer(), leaf.inlineValueOffset(index), valueLength);
            return;
        }
        valueLength = readChainInto(db, leaf, index, root, value);
    }

    /**
     * Read a big value's chain into {@code into}, each block under its shared latch.
     *
     * @return the value's length.
     */
    private int readChainInto(
        final Database db, final Node leaf, final int index, final int root, final ExpandableDirectByteBuffer into)
    {
        final int total = leaf.bigValueLength(index);
        int block = leaf.bigValueFirstBlock(index);
        int position = 0;
        while (position < total)
        {
            if (0 == block)
            {
                throw damaged(db, leaf.blockNumber(), "big-value chain ends after " + position + " of " + total +
                    " bytes");
            }
            ctx.latchShared(db, block);
            wrapChecked(chainNode, db, block, root, BlockLayout.TYPE_BIG);
            final int length = chainNode.count();
            if (length <= 0 || position + length > total)
            {
                throw damaged(db, block, "big-value block holds " + length + " bytes at " + position + " of " + total);
            }
            into.putBytes(position, chainNode.buffer(), BlockLayout.HEADER_LENGTH, length);
            position += length;
            final int next = chainNode.link();
            ctx.unlatch(db, block);
            block = next;
        }
        return total;
    }

    private void copyKey(final Node leaf, final int index)
    {
        foundKeyLength = leaf.keyLength(index);
        foundKey.putBytes(0, leaf.buffer(), leaf.keyOffset(index), foundKeyLength);
    }

    // =================================================================== descent helpers

    /**
     * Shared descent to the leaf whose range holds {@code key}; the leaf stays latched and wrapped
     * in {@link #node}.
     *
     * @return the leaf's block.
     */
    private int descendShared(final Database db, final int root, final DirectBuffer key, final int keyLength)
    {
        int block = root;
        ctx.latchShared(db, root);
        wrapChecked(node, db, root, root, (byte)0);
        while (!node.isLeaf())
        {
            final int child = node.child(node.childIndexFor(key, 0, keyLength));
            ctx.latchShared(db, child);
            ctx.unlatch(db, block);
            block = child;
            wrapChecked(node, db, child, root, (byte)0);
        }
        return block;
    }

    /**
     * Shared descent to the leaf's parent, then the leaf exclusive (wrapped in {@link #node}).
     *
     * @return the leaf's block, or -1 if the root is a leaf that could not be latched exclusively
     * without waiting (the pessimistic path then handles it).
     */
    private int descendToLeafExclusive(
        final Database db, final int root, final DirectBuffer key, final int keyLength)
    {
        ctx.latchShared(db, root);
        wrapChecked(node, db, root, root, (byte)0);
        if (node.isLeaf())
        {
            ctx.unlatch(db, root);
            ctx.latchExclusive(db, root);
            wrapChecked(node, db, root, root, (byte)0);
            if (!node.isLeaf())
            {
                return -1; // it split meanwhile
            }
            return root;
        }
        int block = root;
        while (true)
        {
            final int child = node.child(node.childIndexFor(key, 0, keyLength));
            final boolean childIsLeaf = 1 == node.level();
            if (childIsLeaf)
            {
                ctx.latchExclusive(db, child);
            }
            else
            {
                ctx.latchShared(db, child);
            }
            ctx.unlatch(db, block);
            block = child;
            wrapChecked(node, db, child, root, (byte)0);
            if (childIsLeaf)
            {
                if (!node.isLeaf())
                {
                    throw damaged(db, child, "level-1 pointer block points to a " +
                        BlockLayout.typeName(node.type()) + " block");
                }
                return block;
            }
        }
    }

    /**
     * Start an exclusive path at the root.
     */
    private void startPath(final Database db, final int root)
    {
        pathBase = 0;
        pathTop = 0;
        ctx.latchExclusive(db, root);
        wrapChecked(path[0], db, root, root, (byte)0);
        pathBlock[0] = root;
    }

    private void pushExclusive(final Database db, final int block, final int root)
    {
        if (pathTop + 1 >= MAX_DEPTH)
        {
            throw damaged(db, block, "tree deeper than " + MAX_DEPTH + " levels");
        }
        final int at = pathTop + 1;
        ctx.latchExclusive(db, block);
        wrapChecked(path[at], db, block, root, (byte)0);
        pathBlock[at] = block;
        pathTop = at;
    }

    private void releaseAncestors(final Database db)
    {
        for (int i = pathBase; i < pathTop; i++)
        {
            ctx.unlatch(db, pathBlock[i]);
        }
        pathBase = pathTop;
    }

    /**
     * Switch every held node of the path to a writable frame.
     */
    private void makePathWritable(final Database db)
    {
        for (int i = pathBase; i <= pathTop; i++)
        {
            path[i].wrap(ctx.writableAddress(db, pathBlock[i]), db.blockSizeBytes);
        }
    }

    void journalGlobal(final String global)
    {
        this.journalGlobal = global;
    }

    /**
     * Tell the listener (the journal) about a set before anything changes, and stamp its position.
     */
    private void reportSet(
        final Database db, final Node leaf, final int index, final int root, final DirectBuffer key,
            final int keyLength)
    {
        final UpdateListener listener = ctx.store().listener();
        if (null == listener || null == journalGlobal)
        {
            return;
        }
        final Object attachment = ctx.attachment();
        DirectBuffer old = null;
        int oldOffset = 0;
        int oldLength = -1;
        if (index >= 0 && listener.wantsOldValues(attachment))
        {
            if (leaf.isBig(index))
            {
                oldLength = readChainInto(db, leaf, index, root, oldValue);
                old = oldValue;
            }
            else
            {
                old = leaf.buffer();
                oldOffset = leaf.inlineValueOffset(index);
                oldLength = leaf.inlineValueLength(index);
            }
        }
        ctx.updateSequence(listener.beforeSet(attachment, db.index, journalGlobal, key, keyLength,
            putValue, putOffset, putLength, old, oldOffset, oldLength));
    }

    /**
     * Tell the listener about every node a removal takes, before anything changes.
     */
    private void reportKills(final Database db, final Node leaf, final int from, final int to, final int root)
    {
        final UpdateListener listener = ctx.store().listener();
        if (null == listener || null == journalGlobal)
        {
            return;
        }
        final Object attachment = ctx.attachment();
        for (int i = from; i < to; i++)
        {
            final DirectBuffer old;
            final int oldOffset;
            final int oldLength;
            if (leaf.isBig(i))
            {
                oldLength = readChainInto(db, leaf, i, root, oldValue);
                old = oldValue;
                oldOffset = 0;
            }
            else
            {
                old = leaf.buffer();
                oldOffset = leaf.inlineValueOffset(i);
                oldLength = leaf.inlineValueLength(i);
            }
            ctx.updateSequence(listener.beforeKill(attachment, db.index, journalGlobal, leaf.buffer(),
                leaf.keyOffset(i), leaf.keyLength(i), old, oldOffset, oldLength));
        }
    }

    /**
     * Allocate every block a step may need, before it changes anything. On failure (the database
     * is full, growth failed) those already allocated are freed and the error propagates.
     */
    private void allocateSpares(final Database db, final int blocks)
    {
        if (spareBlocks.length < blocks)
        {
            spareBlocks = new int[Math.max(blocks, spareBlocks.length * 2)];
        }
        try
        {
            while (spareCount < blocks)
            {
                spareBlocks[spareCount] = db.allocator.allocate(ctx);
                spareCount++;
            }
        }
        catch (final RuntimeException ex)
        {
            freeSpares(db);
            throw ex;
        }
    }

    /**
     * Return the spare blocks a step did not use.
     */
    private void freeSpares(final Database db)
    {
        while (spareCount > 0)
        {
            db.allocator.free(ctx, spareBlocks[--spareCount]);
        }
    }

    /**
     * Allocate a block (a spare if there is one), latch it exclusively, give it a fresh frame and
     * initialise it.
     */
    private int allocateNode(final Database db, final int root, final byte type, final int level, final Node into)
    {
        final int block = spareCount > 0 ? spareBlocks[--spareCount] : db.allocator.allocate(ctx);
        ctx.latchExclusive(db, block);
        into.wrap(ctx.freshAddress(db, block), db.blockSizeBytes);
        into.init(type, level, block, root);
        into.journalPosition(ctx.updateSequence());
        return block;
    }

    /**
     * Wrap a latched block and check that it is a live block of this tree.
     *
     * @param expectedType a block type, or 0 for "pointer or data".
     */
    private void wrapChecked(
        final Node into, final Database db, final int block, final int root, final byte expectedType)
    {
        into.wrap(ctx.readAddress(db, block), db.blockSizeBytes);
        final int type = into.type();
        final boolean typeOk = 0 == expectedType ?
            type == BlockLayout.TYPE_POINTER || type == BlockLayout.TYPE_DATA : type == expectedType;
        if (!typeOk || into.blockNumber() != block || into.treeId() != root)
        {
            throw damaged(db, block, "expected a " + (0 == expectedType ? "tree" : BlockLayout.typeName(expectedType)) +
                " block of the tree rooted at " + root + ", found type " + BlockLayout.typeName(type) +
                ", number " + into.blockNumber() + ", tree " + into.treeId());
        }
    }

    static BulwarkException damaged(final Database db, final int block, final String what)
    {
        return new BulwarkException(ErrorCode.DATABASE, "database " + db.name + " block " + block + ": " + what);
    }
}
