package org.bulwark.store.block;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.key.KeyCodec;

import static org.bulwark.store.block.BlockLayout.*;

/**
 * Flyweight over a B+tree block (pointer or data): a slotted page whose slot array, in key order,
 * grows up from the header while entries grow down from the end.
 *
 * <pre>
 * data entry:    | key length u16 | key bytes | kind u8 = 0 | value length u16 | value bytes |
 *                | key length u16 | key bytes | kind u8 = 1 | total length u32 | first big block u32 |
 * pointer entry: | key length u16 | key bytes | child block u32 |
 * </pre>
 *
 * In a pointer block the key of entry 0 is always empty: it stands for "everything below entry 1",
 * and since the empty key is the smallest key this needs no special case in searches. The
 * flyweight works on any capacity (a block, or a scratch of twice a block for splits).
 */
public final class Node
{
    public static final byte KIND_INLINE = 0;
    public static final byte KIND_BIG = 1;

    private static final int KEY_LENGTH_SIZE = 2;
    private static final int SLOT_SIZE = 2;
    private static final int CHILD_SIZE = 4;
    private static final int INLINE_VALUE_HEADER = 3;
    private static final int BIG_VALUE_SIZE = 9;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int capacity;
    private int[] sortScratch;

    public Node wrap(final long address, final int capacity)
    {
        buffer.wrap(address, capacity);
        this.capacity = capacity;
        return this;
    }

    public Node wrap(final DirectBuffer source)
    {
        return wrap(source.addressOffset(), source.capacity());
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public long address()
    {
        return buffer.addressOffset();
    }

    public int capacity()
    {
        return capacity;
    }

    public void init(final byte type, final int level, final int blockNumber, final int treeId)
    {
        BlockLayout.initHeader(buffer, capacity, type, level, blockNumber, treeId);
    }

    /**
     * Empty the heap and slots, keeping the header's identity (type, level, number, tree, link).
     */
    public void clearEntries()
    {
        buffer.putShort(COUNT_OFFSET, (short)0);
        buffer.putShort(HEAP_START_OFFSET, (short)capacity);
        buffer.putShort(GARBAGE_OFFSET, (short)0);
    }

    public int type()
    {
        return buffer.getByte(TYPE_OFFSET);
    }

    public boolean isLeaf()
    {
        return buffer.getByte(TYPE_OFFSET) == TYPE_DATA;
    }

    public int level()
    {
        return buffer.getShort(LEVEL_OFFSET);
    }

    public void level(final int level)
    {
        buffer.putShort(LEVEL_OFFSET, (short)level);
    }

    public void type(final byte type)
    {
        buffer.putByte(TYPE_OFFSET, type);
    }

    public int blockNumber()
    {
        return buffer.getInt(BLOCK_NUMBER_OFFSET);
    }

    public int treeId()
    {
        return buffer.getInt(TREE_ID_OFFSET);
    }

    public int link()
    {
        return buffer.getInt(LINK_OFFSET);
    }

    public void link(final int blockNumber)
    {
        buffer.putInt(LINK_OFFSET, blockNumber);
    }

    public void journalPosition(final long position)
    {
        buffer.putLong(JOURNAL_POSITION_OFFSET, position);
    }

    public int count()
    {
        return buffer.getShort(COUNT_OFFSET) & 0xFFFF;
    }

    public int heapStart()
    {
        return buffer.getShort(HEAP_START_OFFSET) & 0xFFFF;
    }

    public int garbage()
    {
        return buffer.getShort(GARBAGE_OFFSET) & 0xFFFF;
    }

    /**
     * @return bytes available for slots and entries in a block of this capacity.
     */
    public int payloadCapacity()
    {
        return capacity - HEADER_LENGTH;
    }

    /**
     * @return bytes held by live slots and entries.
     */
    public int usedBytes()
    {
        return count() * SLOT_SIZE + (capacity - heapStart()) - garbage();
    }

    /**
     * @return bytes that compaction would make available.
     */
    public int freeBytes()
    {
        return payloadCapacity() - usedBytes();
    }

    /**
     * @return offset of entry {@code index}.
     */
    public int entryOffset(final int index)
    {
        return buffer.getShort(HEADER_LENGTH + index * SLOT_SIZE) & 0xFFFF;
    }

    public int keyLength(final int index)
    {
        return buffer.getShort(entryOffset(index)) & 0xFFFF;
    }

    public int keyOffset(final int index)
    {
        return entryOffset(index) + KEY_LENGTH_SIZE;
    }

    /**
     * @return the size of entry {@code index} in the heap, without its slot.
     */
    public int entrySize(final int index)
    {
        final int offset = entryOffset(index);
        final int keyLength = buffer.getShort(offset) & 0xFFFF;
        final int payload = offset + KEY_LENGTH_SIZE + keyLength;
        if (isLeaf())
        {
            final byte kind = buffer.getByte(payload);
            return KEY_LENGTH_SIZE + keyLength +
                (KIND_BIG == kind ? BIG_VALUE_SIZE : INLINE_VALUE_HEADER + (buffer.getShort(payload + 1) & 0xFFFF));
        }
        return KEY_LENGTH_SIZE + keyLength + CHILD_SIZE;
    }

    /**
     * @return the space (slot included) an entry of this node at {@code index} takes.
     */
    public int entryFootprint(final int index)
    {
        return SLOT_SIZE + entrySize(index);
    }

    public static int leafInlineFootprint(final int keyLength, final int valueLength)
    {
        return SLOT_SIZE + KEY_LENGTH_SIZE + keyLength + INLINE_VALUE_HEADER + valueLength;
    }

    public static int leafBigFootprint(final int keyLength)
    {
        return SLOT_SIZE + KEY_LENGTH_SIZE + keyLength + BIG_VALUE_SIZE;
    }

    public static int pointerFootprint(final int keyLength)
    {
        return SLOT_SIZE + KEY_LENGTH_SIZE + keyLength + CHILD_SIZE;
    }

    public int compareKey(final int index, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final int offset = entryOffset(index);
        return KeyCodec.compare(
            buffer, offset + KEY_LENGTH_SIZE, buffer.getShort(offset) & 0xFFFF, key, keyOffset, keyLength);
    }

    /**
     * Binary search among the entries.
     *
     * @return the index of the key, or {@code -(insertion point) - 1}.
     */
    public int search(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        int low = 0;
        int high = count() - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int cmp = compareKey(mid, key, keyOffset, keyLength);
            if (cmp < 0)
            {
                low = mid + 1;
            }
            else if (cmp > 0)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        return -(low + 1);
    }

    /**
     * In a pointer block: the index of the child whose range holds the key.
     */
    public int childIndexFor(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final int found = search(key, keyOffset, keyLength);
        return found >= 0 ? found : Math.max(0, -found - 2);
    }

    /**
     * In a pointer block: the index of the child that holds the largest keys below {@code key}.
     */
    public int childIndexBelow(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final int found = search(key, keyOffset, keyLength);
        final int insertion = found >= 0 ? found : -found - 1;
        return Math.max(0, insertion - 1);
    }

    public int child(final int index)
    {
        final int offset = entryOffset(index);
        return buffer.getInt(offset + KEY_LENGTH_SIZE + (buffer.getShort(offset) & 0xFFFF));
    }

    public void child(final int index, final int blockNumber)
    {
        final int offset = entryOffset(index);
        buffer.putInt(offset + KEY_LENGTH_SIZE + (buffer.getShort(offset) & 0xFFFF), blockNumber);
    }

    private int payloadOffset(final int index)
    {
        final int offset = entryOffset(index);
        return offset + KEY_LENGTH_SIZE + (buffer.getShort(offset) & 0xFFFF);
    }

    public boolean isBig(final int index)
    {
        return buffer.getByte(payloadOffset(index)) == KIND_BIG;
    }

    public int inlineValueOffset(final int index)
    {
        return payloadOffset(index) + INLINE_VALUE_HEADER;
    }

    public int inlineValueLength(final int index)
    {
        return buffer.getShort(payloadOffset(index) + 1) & 0xFFFF;
    }

    public int bigValueLength(final int index)
    {
        return buffer.getInt(payloadOffset(index) + 1);
    }

    public int bigValueFirstBlock(final int index)
    {
        return buffer.getInt(payloadOffset(index) + 5);
    }

    /**
     * @return the value length whatever its kind.
     */
    public int valueLength(final int index)
    {
        return isBig(index) ? bigValueLength(index) : inlineValueLength(index);
    }

    /**
     * Insert an inline data entry; the caller has checked {@link #freeBytes()}.
     */
    public void insertInline(
        final int index,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        final int offset = reserve(index, KEY_LENGTH_SIZE + keyLength + INLINE_VALUE_HEADER + valueLength);
        putKey(offset, key, keyOffset, keyLength);
        final int payload = offset + KEY_LENGTH_SIZE + keyLength;
        buffer.putByte(payload, KIND_INLINE);
        buffer.putShort(payload + 1, (short)valueLength);
        if (valueLength > 0)
        {
            buffer.putBytes(payload + INLINE_VALUE_HEADER, value, valueOffset, valueLength);
        }
    }

    /**
     * Insert a data entry that refers to a chain of big-value blocks.
     */
    public void insertBig(
        final int index,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final int totalLength, final int firstBlock)
    {
        final int offset = reserve(index, KEY_LENGTH_SIZE + keyLength + BIG_VALUE_SIZE);
        putKey(offset, key, keyOffset, keyLength);
        final int payload = offset + KEY_LENGTH_SIZE + keyLength;
        buffer.putByte(payload, KIND_BIG);
        buffer.putInt(payload + 1, totalLength);
        buffer.putInt(payload + 5, firstBlock);
    }

    /**
     * Insert a pointer entry.
     */
    public void insertPointer(
        final int index, final DirectBuffer key, final int keyOffset, final int keyLength, final int child)
    {
        final int offset = reserve(index, KEY_LENGTH_SIZE + keyLength + CHILD_SIZE);
        putKey(offset, key, keyOffset, keyLength);
        buffer.putInt(offset + KEY_LENGTH_SIZE + keyLength, child);
    }

    /**
     * Copy entry {@code index} of {@code source} (same type of node) to position {@code index} here.
     */
    public void insertCopy(final int index, final Node source, final int sourceIndex)
    {
        final int size = source.entrySize(sourceIndex);
        final int offset = reserve(index, size);
        buffer.putBytes(offset, source.buffer, source.entryOffset(sourceIndex), size);
    }

    /**
     * Remove entry {@code index}; its bytes become garbage until the next compaction, unless it is
     * the lowest entry of the heap, which simply shrinks the heap.
     */
    public void remove(final int index)
    {
        final int count = count();
        final int offset = entryOffset(index);
        final int size = entrySize(index);
        final int slot = HEADER_LENGTH + index * SLOT_SIZE;
        buffer.putBytes(slot, buffer, slot + SLOT_SIZE, (count - index - 1) * SLOT_SIZE);
        buffer.putShort(COUNT_OFFSET, (short)(count - 1));
        if (offset == heapStart())
        {
            buffer.putShort(HEAP_START_OFFSET, (short)(offset + size));
        }
        else
        {
            buffer.putShort(GARBAGE_OFFSET, (short)(garbage() + size));
        }
    }

    /**
     * Copy the header fields of {@code source} that describe the block (type, level, link) and
     * empty this node's heap. The block number and tree id stay as they are.
     */
    public void copyShape(final Node source)
    {
        buffer.putByte(TYPE_OFFSET, (byte)source.type());
        buffer.putShort(LEVEL_OFFSET, (short)source.level());
        buffer.putInt(LINK_OFFSET, source.link());
        clearEntries();
    }

    /**
     * @return the index at which to split so that both halves are as even as possible in bytes.
     */
    public int splitIndex()
    {
        final int count = count();
        final int total = usedBytes();
        int left = 0;
        for (int i = 0; i < count; i++)
        {
            final int footprint = entryFootprint(i);
            if (left + footprint > total / 2 && i > 0)
            {
                return i;
            }
            left += footprint;
        }
        return count - 1;
    }

    private void putKey(final int offset, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        buffer.putShort(offset, (short)keyLength);
        if (keyLength > 0)
        {
            buffer.putBytes(offset + KEY_LENGTH_SIZE, key, keyOffset, keyLength);
        }
    }

    /**
     * Make room for an entry of {@code size} bytes at slot {@code index}, compacting if the
     * contiguous gap is too small.
     *
     * @return the offset of the new entry.
     */
    private int reserve(final int index, final int size)
    {
        int count = count();
        int heapStart = heapStart();
        final int slotsEnd = HEADER_LENGTH + count * SLOT_SIZE;
        if (heapStart - slotsEnd < size + SLOT_SIZE)
        {
            if (freeBytes() < size + SLOT_SIZE)
            {
                throw new IllegalStateException("entry of " + size + " bytes does not fit in block " + blockNumber() +
                    " (" + freeBytes() + " bytes free)");
            }
            compactInPlace();
            count = count();
            heapStart = heapStart();
        }
        final int offset = heapStart - size;
        buffer.putShort(HEAP_START_OFFSET, (short)offset);
        final int slot = HEADER_LENGTH + index * SLOT_SIZE;
        buffer.putBytes(slot + SLOT_SIZE, buffer, slot, (count - index) * SLOT_SIZE);
        buffer.putShort(slot, (short)offset);
        buffer.putShort(COUNT_OFFSET, (short)(count + 1));
        return offset;
    }

    /**
     * Compaction without a second block: entries are moved up in order of their offsets, highest
     * first, so that a move never overwrites an entry not yet moved (the copy handles overlap).
     */
    private void compactInPlace()
    {
        final int count = count();
        if (null == sortScratch || sortScratch.length < count)
        {
            sortScratch = new int[Math.max(count, capacity / 8)];
        }
        final int[] order = sortScratch;
        for (int i = 0; i < count; i++)
        {
            order[i] = (entryOffset(i) << 12) | i;
        }
        java.util.Arrays.sort(order, 0, count);
        int heap = capacity;
        for (int k = count - 1; k >= 0; k--)
        {
            final int index = order[k] & 0xFFF;
            final int offset = order[k] >>> 12;
            final int size = entrySize(index);
            heap -= size;
            if (heap != offset)
            {
                buffer.putBytes(heap, buffer, offset, size);
            }
            buffer.putShort(HEADER_LENGTH + index * SLOT_SIZE, (short)heap);
        }
        buffer.putShort(HEAP_START_OFFSET, (short)heap);
        buffer.putShort(GARBAGE_OFFSET, (short)0);
    }
}
