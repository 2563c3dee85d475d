package org.bulwark.store.integrity;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.block.BlockLayout;
import org.bulwark.store.block.DatabaseLabel;
import org.bulwark.store.block.FreeMapBits;
import org.bulwark.store.block.Node;
import org.bulwark.store.key.KeyCodec;

import java.util.BitSet;

/**
 * Verifies a database block by block (SPEC S-5): checksums, block numbers and types, slot and
 * heap structure, key order within blocks and between levels, right links of every level,
 * big-value chains, and that the free map marks exactly the blocks reachable from the label.
 *
 * <p>It reads through a {@link BlockSource}, so it checks a closed file or a quiet live store
 * alike. Damage is reported, never repaired.
 */
public final class IntegrityChecker
{
    private static final int MAX_DEPTH = 32;
    private static final int MAX_KEY = 512;

    private final BlockSource source;
    private final int blockSizeBytes;
    private final IntegrityReport report;
    /** Index 0 is where blocks are read; the walk keeps the node of depth d in d + 1. The
     * directory's walk and a global's walk (started below a directory leaf) share the array. */
    private static final int BUFFERS = 2 * MAX_DEPTH + 2;
    private final UnsafeBuffer[] levelBuffers = new UnsafeBuffer[BUFFERS];
    private final Node[] levelNodes = new Node[BUFFERS];
    private final UnsafeBuffer chainBuffer;
    private final Node chainNode = new Node();
    private final BitSet reachable = new BitSet();
    private final int[] lastAtLevel = new int[MAX_DEPTH + 1];
    private final int[] lastLinkAtLevel = new int[MAX_DEPTH + 1];
    private int sizeBlocks;
    private String tree;

    private IntegrityChecker(final BlockSource source, final String database)
    {
        this.source = source;
        this.blockSizeBytes = source.blockSizeBytes();
        this.report = new IntegrityReport(database);
        for (int i = 0; i < BUFFERS; i++)
        {
            levelBuffers[i] = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(blockSizeBytes));
            levelNodes[i] = new Node();
        }
        chainBuffer = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(blockSizeBytes));
    }

    /**
     * Check a whole database.
     */
    public static IntegrityReport check(final BlockSource source, final String database)
    {
        final long startNs = System.nanoTime();
        final IntegrityChecker checker = new IntegrityChecker(source, database);
        checker.run();
        checker.report.elapsedMs((System.nanoTime() - startNs) / 1_000_000);
        return checker.report;
    }

    private void run()
    {
        sizeBlocks = source.sizeBlocks();
        final UnsafeBuffer label = levelBuffers[0];
        final boolean trusted = source.read(DatabaseLabel.LABEL_BLOCK, label);
        final String labelProblem = trusted ? DatabaseLabel.validate(label, blockSizeBytes, "label") :
            (label.getLong(DatabaseLabel.MAGIC_OFFSET) == DatabaseLabel.MAGIC ? null : "label: bad magic");
        if (null != labelProblem)
        {
            report.problem(0, labelProblem);
            report.sizes(sizeBlocks, 0, 0, blockSizeBytes);
            return;
        }
        if (DatabaseLabel.sizeBlocks(label) != sizeBlocks)
        {
            report.problem(0, "label says " + DatabaseLabel.sizeBlocks(label) + " blocks, the database has " +
                sizeBlocks);
        }
        reachable.set(DatabaseLabel.LABEL_BLOCK);

        final BitSet allocated = readMaps();
        checkTree(DatabaseLabel.DIRECTORY_ROOT_BLOCK, "(directory)", true, 0);

        // Compare what the map says with what the trees reach.
        for (int b = allocated.nextSetBit(0); b >= 0; b = allocated.nextSetBit(b + 1))
        {
            if (!reachable.get(b))
            {
                report.problem(b, "marked in use in the free map but not reachable (leaked)");
            }
        }
        for (int b = reachable.nextSetBit(0); b >= 0; b = reachable.nextSetBit(b + 1))
        {
            if (b < sizeBlocks && !allocated.get(b))
            {
                report.problem(b, "reachable but marked free in the free map");
            }
        }
        report.sizes(sizeBlocks, allocated.cardinality(), regionCount(), blockSizeBytes);
    }

    private int regionCount()
    {
        final int regionBlocks = DatabaseLabel.regionBlocks(blockSizeBytes);
        return (sizeBlocks + regionBlocks - 1) / regionBlocks;
    }

    private BitSet readMaps()
    {
        final BitSet allocated = new BitSet(sizeBlocks);
        final int regionBlocks = DatabaseLabel.regionBlocks(blockSizeBytes);
        final UnsafeBuffer map = levelBuffers[0];
        for (int region = 0; region < regionCount(); region++)
        {
            final int mapBlock = DatabaseLabel.mapBlockOfRegion(region, regionBlocks);
            reachable.set(mapBlock);
            if (!readChecked(mapBlock, map, BlockLayout.TYPE_MAP))
            {
                continue;
            }
            final int start = region * regionBlocks;
            final int limit = Math.min(regionBlocks, sizeBlocks - start);
            for (int bit = 0; bit < regionBlocks; bit++)
            {
                if (FreeMapBits.isSet(map, bit))
                {
                    if (bit >= limit)
                    {
                        report.problem(mapBlock, "map marks block " + (start + bit) + " beyond the database size");
                    }
                    else
                    {
                        allocated.set(start + bit);
                    }
                }
            }
        }
        return allocated;
    }

    /**
     * Read a block and check its header: checksum (when trusted), number, type.
     */
    private boolean readChecked(final int block, final UnsafeBuffer into, final byte expectedType)
    {
        if (block <= 0 && expectedType != BlockLayout.TYPE_LABEL || block >= sizeBlocks)
        {
            report.problem(block, "block number out of range (database has " + sizeBlocks + " blocks)");
            return false;
        }
        final boolean trusted = source.read(block, into);
        if (trusted && !BlockLayout.checksumMatches(into, blockSizeBytes))
        {
            report.problem(block, "checksum mismatch (stored 0x" +
                Integer.toHexString(into.getInt(BlockLayout.CRC_OFFSET)) +
                ", computed 0x" + Integer.toHexString(BlockLayout.computeChecksum(into, blockSizeBytes)) + ")");
            return false;
        }
        if (BlockLayout.blockNumber(into) != block)
        {
            report.problem(block, "header carries block number " + BlockLayout.blockNumber(into));
            return false;
        }
        final int type = BlockLayout.type(into);
        if (0 != expectedType && type != expectedType)
        {
            report.problem(block, "expected a " + BlockLayout.typeName(expectedType) + " block, found " +
                BlockLayout.typeName(type));
            return false;
        }
        return true;
    }

    private void checkTree(final int root, final String name, final boolean directory, final int baseDepth)
    {
        tree = name;
        final IntegrityReport.TreeStats stats = report.stats(name);
        java.util.Arrays.fill(lastAtLevel, 0);
        java.util.Arrays.fill(lastLinkAtLevel, 0);
        final UnsafeBuffer rootBuffer = levelBuffers[0];
        if (!visit(root, root))
        {
            return;
        }
        final int rootLevel = levelNodes[0].wrap(rootBuffer).level();
        stats.levels = rootLevel + 1;
        if (rootLevel >= MAX_DEPTH)
        {
            report.problem(root, name + ": root claims level " + rootLevel);
            return;
        }
        walk(baseDepth, root, root, rootLevel, null, 0, null, 0, stats, directory);
        for (int level = 0; level <= rootLevel && level <= MAX_DEPTH; level++)
        {
            if (0 != lastAtLevel[level] && 0 != lastLinkAtLevel[level])
            {
                report.problem(lastAtLevel[level], name + ": last block of level " + level + " links to " +
                    lastLinkAtLevel[level] + " instead of nothing");
            }
        }
    }

    /**
     * Mark a block reachable, reporting a second reference.
     */
    private boolean visit(final int block, final int root)
    {
        if (block <= 0 || block >= sizeBlocks)
        {
            report.problem(block, tree + ": reference to block " + block + " outside the database");
            return false;
        }
        if (reachable.get(block))
        {
            report.problem(block, tree + ": block referenced more than once");
            return false;
        }
        reachable.set(block);
        return readChecked(block, levelBuffers[0], (byte)0) && treeIdOk(block, levelBuffers[0], root);
    }

    private boolean treeIdOk(final int block, final DirectBuffer buffer, final int root)
    {
        final int treeId = buffer.getInt(BlockLayout.TREE_ID_OFFSET);
        if (treeId != root)
        {
            report.problem(block, tree + ": belongs to tree " + treeId + ", reached from tree " + root);
            return false;
        }
        return true;
    }

    /**
     * Check the node at {@code depth} of the walk (already read into level buffer 0 by
     * {@link #visit}) and its subtree: its keys lie in {@code [low, high)}.
     */
    private void walk(
        final int depth, final int block, final int root, final int expectedLevel,
        final byte[] low, final int lowLength, final byte[] high, final int highLength,
        final IntegrityReport.TreeStats stats, final boolean directory)
    {
        if (depth + 1 >= BUFFERS)
        {
            report.problem(block, tree + ": tree deeper than " + MAX_DEPTH + " levels");
            return;
        }
        final UnsafeBuffer buffer = levelBuffers[depth + 1];
        buffer.putBytes(0, levelBuffers[0], 0, blockSizeBytes);
        final Node node = levelNodes[depth + 1].wrap(buffer);
        final int type = node.type();
        if (type != BlockLayout.TYPE_POINTER && type != BlockLayout.TYPE_DATA)
        {
            report.problem(block, tree + ": expected a tree block, found " + BlockLayout.typeName(type));
            return;
        }
        if (node.level() != expectedLevel || (type == BlockLayout.TYPE_DATA) != (expectedLevel == 0))
        {
            report.problem(block, tree + ": " + BlockLayout.typeName(type) + " block at level " + node.level() +
                " where level " + expectedLevel + " was expected");
            return;
        }
        if (!heapOk(block, node))
        {
            return;
        }

        // Right links: the previous block of this level must link here.
        if (0 != lastAtLevel[expectedLevel] && lastLinkAtLevel[expectedLevel] != block)
        {
            report.problem(lastAtLevel[expectedLevel], tree + ": links to " + lastLinkAtLevel[expectedLevel] +
                " but the next block of level " + expectedLevel + " is " + block);
        }
        lastAtLevel[expectedLevel] = block;
        lastLinkAtLevel[expectedLevel] = node.link();

        final int count = node.count();
        stats.usedBytes += node.usedBytes();
        for (int i = 0; i < count; i++)
        {
            final int keyLength = node.keyLength(i);
            final int keyOffset = node.keyOffset(i);
            if (i > 0 && node.compareKey(i - 1, buffer, keyOffset, keyLength) >= 0)
            {
                report.problem(block, tree + ": entry " + i + " is not above entry " + (i - 1));
            }
            if (!(type == BlockLayout.TYPE_POINTER && i == 0))
            {
                if (null != low && KeyCodec.compare(buffer, keyOffset, keyLength, new UnsafeBuffer(low), 0,
                    lowLength) < 0)
                {
                    report.problem(block, tree + ": entry " + i + " is below the separator of its parent");
                }
                if (null != high && KeyCodec.compare(buffer, keyOffset, keyLength, new UnsafeBuffer(high), 0,
                    highLength) >= 0)
                {
                    report.problem(block, tree + ": entry " + i + " is not below the next separator of its parent");
                }
                checkKey(block, i, buffer, keyOffset, keyLength, directory);
            }
            else if (keyLength != 0)
            {
                report.problem(block, tree + ": first entry of a pointer block has a key");
            }
        }

        if (type == BlockLayout.TYPE_DATA)
        {
            stats.dataBlocks++;
            stats.nodes += count;
            for (int i = 0; i < count; i++)
            {
                if (directory)
                {
                    checkDirectoryEntry(block, node, i, depth);
                }
                else if (node.isBig(i))
                {
                    checkChain(block, node.bigValueFirstBlock(i), node.bigValueLength(i), root, stats);
                }
            }
            return;
        }

        stats.pointerBlocks++;
        if (0 == count)
        {
            report.problem(block, tree + ": pointer block without entries");
        }
        for (int i = 0; i < count; i++)
        {
            final int child = node.child(i);
            final byte[] childLow;
            final int childLowLength;
            if (i == 0)
            {
                childLow = low;
                childLowLength = lowLength;
            }
            else
            {
                childLowLength = node.keyLength(i);
                childLow = new byte[childLowLength];
                buffer.getBytes(node.keyOffset(i), childLow);
            }
            final byte[] childHigh;
            final int childHighLength;
            if (i + 1 < count)
            {
                childHighLength = node.keyLength(i + 1);
                childHigh = new byte[childHighLength];
                buffer.getBytes(node.keyOffset(i + 1), childHigh);
            }
            else
            {
                childHigh = high;
                childHighLength = highLength;
            }
            if (visit(child, root))
            {
                walk(depth + 1, child, root, expectedLevel - 1, childLow, childLowLength, childHigh, childHighLength,
                    stats, directory);
            }
        }
    }

    private boolean heapOk(final int block, final Node node)
    {
        final int count = node.count();
        final int heapStart = node.heapStart();
        final int slotsEnd = BlockLayout.HEADER_LENGTH + 2 * count;
        if (heapStart < slotsEnd || heapStart > blockSizeBytes)
        {
            report.problem(block, tree + ": heap start " + heapStart + " overlaps " + count +
                " slots or passes the block");
            return false;
        }
        long entryBytes = 0;
        for (int i = 0; i < count; i++)
        {
            final int offset = node.entryOffset(i);
            if (offset < heapStart || offset + 2 > blockSizeBytes)
            {
                report.problem(block, tree + ": entry " + i + " at offset " + offset + " lies outside the heap");
                return false;
            }
            final int keyLength = node.keyLength(i);
            if (keyLength > MAX_KEY - 1 || offset + 2 + keyLength + 1 > blockSizeBytes)
            {
                report.problem(block, tree + ": entry " + i + " has a key of " + keyLength + " bytes");
                return false;
            }
            if (node.isLeaf())
            {
                final int kindOffset = offset + 2 + keyLength;
                final byte kind = node.buffer().getByte(kindOffset);
                if (kind != Node.KIND_INLINE && kind != Node.KIND_BIG)
                {
                    report.problem(block, tree + ": entry " + i + " has value kind " + kind);
                    return false;
                }
            }
            final int size = node.entrySize(i);
            if (offset + size > blockSizeBytes)
            {
                report.problem(block, tree + ": entry " + i + " runs past the end of the block");
                return false;
            }
            entryBytes += size;
        }
        if (entryBytes + node.garbage() != blockSizeBytes - heapStart)
        {
            report.problem(block, tree + ": heap accounting is off: " + entryBytes + " entry bytes and " +
                node.garbage() +
                " garbage in a heap of " + (blockSizeBytes - heapStart));
            return false;
        }
        return true;
    }

    private void checkKey(
        final int block, final int index, final DirectBuffer buffer, final int offset, final int length,
        final boolean directory)
    {
        if (directory)
        {
            final String name = buffer.getStringWithoutLengthAscii(offset, length);
            try
            {
                GlobalKey.validateName(name);
            }
            catch (final RuntimeException ex)
            {
                report.problem(block, tree + ": directory entry " + index + " is not a global name: " + name);
            }
            return;
        }
        try
        {
            if (KeyCodec.depth(buffer, offset, length) > GlobalKey.MAX_DEPTH)
            {
                report.problem(block, tree + ": entry " + index + " has more than " + GlobalKey.MAX_DEPTH +
                    " subscripts");
            }
        }
        catch (final IllegalStateException ex)
        {
            report.problem(block, tree + ": entry " + index + " has a malformed key: " + ex.getMessage());
        }
    }

    private void checkDirectoryEntry(final int block, final Node node, final int index, final int depth)
    {
        if (node.isBig(index) || node.inlineValueLength(index) != 4)
        {
            report.problem(block, "directory entry " + index + " does not hold a root block number");
            return;
        }
        final String name = node.buffer().getStringWithoutLengthAscii(node.keyOffset(index), node.keyLength(index));
        final int root = node.buffer().getInt(node.inlineValueOffset(index));
        final String directoryTree = tree;
        final int[] savedLast = lastAtLevel.clone();
        final int[] savedLinks = lastLinkAtLevel.clone();
        // The global's tree is walked with the deeper level buffers; the directory leaf stays intact.
        checkTree(root, "^" + name, false, depth + 1);
        System.arraycopy(savedLast, 0, lastAtLevel, 0, savedLast.length);
        System.arraycopy(savedLinks, 0, lastLinkAtLevel, 0, savedLinks.length);
        tree = directoryTree;
    }

    private void checkChain(
        final int leaf, final int first, final int length, final int root, final IntegrityReport.TreeStats stats)
    {
        int block = first;
        long seen = 0;
        while (seen < length)
        {
            if (0 == block)
            {
                report.problem(leaf, tree + ": big value chain ends after " + seen + " of " + length + " bytes");
                return;
            }
            if (block < 0 || block >= sizeBlocks || reachable.get(block))
            {
                report.problem(block, tree + ": big value block out of range or referenced twice");
                return;
            }
            reachable.set(block);
            if (!readChecked(block, chainBuffer, BlockLayout.TYPE_BIG) || !treeIdOk(block, chainBuffer, root))
            {
                return;
            }
            chainNode.wrap(chainBuffer);
            final int bytes = chainNode.count();
            if (bytes <= 0 || bytes > blockSizeBytes - BlockLayout.HEADER_LENGTH || seen + bytes > length)
            {
                report.problem(block, tree + ": big value block holds " + bytes + " bytes at " + seen + " of " +
                    length);
                return;
            }
            stats.bigBlocks++;
            seen += bytes;
            block = chainNode.link();
        }
        if (0 != block)
        {
            report.problem(leaf, tree + ": big value chain continues past its length to block " + block);
        }
    }
}
