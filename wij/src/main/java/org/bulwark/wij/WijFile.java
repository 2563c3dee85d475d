package org.bulwark.wij;

import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.checksum.Crc32c;
import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.SyncLevel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The write image journal file (SPEC W-2, W-3), also the format of {@code MISMATCH.WIJ}.
 *
 * <pre>
 *        0  header slot A (512 bytes used of 4 KiB)
 *     4096  header slot B
 *     8192  cycle descriptor (see {@link CycleDescriptor})
 *  aligned  block images, back to back, each at the offset its record names
 * </pre>
 *
 * The file is preallocated (zeros written and synced) to the target size, or grown the same way
 * when a cycle needs more, because overwriting allocated blocks syncs about twice as fast as
 * appending here.
 */
public final class WijFile implements AutoCloseable
{
    public static final String FILE_NAME = "bulwark.wij";
    public static final String MISMATCH_FILE_NAME = "MISMATCH.WIJ";
    public static final long SLOT_A_OFFSET = 0;
    public static final long SLOT_B_OFFSET = 4096;
    public static final long DESCRIPTOR_OFFSET = 8192;
    public static final int IMAGE_ALIGNMENT = 4096;
    public static final long GROWTH_BYTES = 16L << 20;

    private final Path path;
    private final DurableFile file;
    private final UnsafeBuffer slot = new UnsafeBuffer(ByteBuffer.allocateDirect(WijHeader.SLOT_SIZE_BYTES));
    private final ByteBuffer slotBuffer;
    private final WijHeader current = new WijHeader();
    private long allocatedBytes;
    private String headerProblem;

    private WijFile(final Path path, final DurableFile file) throws IOException
    {
        this.path = path;
        this.file = file;
        this.slotBuffer = slot.byteBuffer().duplicate();
        this.allocatedBytes = file.size();
    }

    public static WijFile open(final FileLayer layer, final Path path, final boolean create) throws IOException
    {
        return new WijFile(path, layer.open(path, create));
    }

    public Path path()
    {
        return path;
    }

    public DurableFile file()
    {
        return file;
    }

    public long sizeBytes() throws IOException
    {
        return file.size();
    }

    /**
     * Read both header slots and keep the valid one with the higher sequence.
     *
     * @return that header, or null if neither slot is valid ({@link #headerProblem()} says why).
     */
    public WijHeader readHeader() throws IOException
    {
        final WijHeader a = new WijHeader();
        final WijHeader b = new WijHeader();
        final String problemA = readSlot(SLOT_A_OFFSET, a);
        final String problemB = readSlot(SLOT_B_OFFSET, b);
        if (null != problemA && null != problemB)
        {
            headerProblem = path + " offset " + SLOT_A_OFFSET + ": " + problemA + "; offset " + SLOT_B_OFFSET + ": " +
                problemB;
            return null;
        }
        headerProblem = null;
        final WijHeader best = null == problemA ? (null == problemB && b.sequence > a.sequence ? b : a) : b;
        current.copyFrom(best);
        return best;
    }

    public String headerProblem()
    {
        return headerProblem;
    }

    /**
     * @return true if the file holds nothing but zeros where the headers go (preallocated, never used).
     */
    public boolean headersBlank() throws IOException
    {
        for (final long offset : new long[] {SLOT_A_OFFSET, SLOT_B_OFFSET})
        {
            slotBuffer.clear();
            final int n = file.read(slotBuffer, offset);
            for (int i = 0; i < n; i += 8)
            {
                if (slot.getLong(i) != 0)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private String readSlot(final long offset, final WijHeader into) throws IOException
    {
        slotBuffer.clear();
        final int n = file.read(slotBuffer, offset);
        if (n < WijHeader.SLOT_SIZE_BYTES)
        {
            return "truncated (" + n + " bytes)";
        }
        return into.decode(slot);
    }

    /**
     * @return the last header read or written.
     */
    public WijHeader header()
    {
        return current;
    }

    /**
     * Write the header into the slot after the current one (sequence + 1) and make it durable.
     */
    public void writeHeader(final WijHeader header) throws IOException
    {
        header.sequence = current.sequence + 1;
        header.timeMs = System.currentTimeMillis();
        header.encode(slot);
        slotBuffer.clear();
        file.write(slotBuffer, (header.sequence & 1) == 0 ? SLOT_A_OFFSET : SLOT_B_OFFSET);
        file.sync(SyncLevel.DATA);
        if (header != current)
        {
            current.copyFrom(header);
        }
    }

    /**
     * Make sure the file holds at least {@code bytes}, writing zeros (in steps of
     * {@link #GROWTH_BYTES}) so that later overwrites do not allocate; synced with metadata.
     */
    public void ensureAllocated(final long bytes) throws IOException
    {
        if (bytes <= allocatedBytes)
        {
            return;
        }
        final long target = ((bytes + GROWTH_BYTES - 1) / GROWTH_BYTES) * GROWTH_BYTES;
        final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        long position = Math.max(allocatedBytes, 0);
        while (position < target)
        {
            zeros.clear();
            zeros.limit((int)Math.min(zeros.capacity(), target - position));
            file.write(zeros, position);
            position += zeros.limit();
        }
        file.sync(SyncLevel.DATA_AND_METADATA);
        allocatedBytes = target;
    }

    /**
     * Read and check the cycle descriptor the header names.
     *
     * @return null if it is intact (decoded into {@code into}), else what is wrong, with file and offset.
     */
    public String readDescriptor(
        final WijHeader header, final CycleDescriptor into, final ExpandableDirectByteBuffer scratch) throws IOException
    {
        if (header.descriptorLength <= 0 || header.descriptorOffset != DESCRIPTOR_OFFSET)
        {
            return path + " offset " + DESCRIPTOR_OFFSET + ": no cycle descriptor (length " +
                header.descriptorLength + ")";
        }
        scratch.checkLimit(header.descriptorLength);
        final ByteBuffer view = scratch.byteBuffer().duplicate();
        view.clear().limit(header.descriptorLength);
        final int n = file.read(view, header.descriptorOffset);
        if (n < header.descriptorLength)
        {
            return path + " offset " + header.descriptorOffset + ": descriptor truncated (" + n + " of " +
                header.descriptorLength + " bytes)";
        }
        final int crc = Crc32c.INSTANCE.compute(scratch.addressOffset(), 0, header.descriptorLength);
        if (crc != header.descriptorCrc)
        {
            return path + " offset " + header.descriptorOffset + ": descriptor checksum mismatch (stored 0x" +
                Integer.toHexString(header.descriptorCrc) + ", computed 0x" + Integer.toHexString(crc) + ")";
        }
        final String problem = into.decode(scratch, header.descriptorLength);
        if (null != problem)
        {
            return path + " descriptor " + problem;
        }
        if (into.cycleNumber() != header.cycleNumber || into.recordCount() != header.recordCount)
        {
            return path + " offset " + header.descriptorOffset + ": descriptor is of cycle " + into.cycleNumber() +
                " with " + into.recordCount() + " records, the header names cycle " + header.cycleNumber + " with " +
                header.recordCount;
        }
        return null;
    }

    /**
     * Read a block image at an offset into {@code dst} (its remaining bytes).
     *
     * @return bytes read.
     */
    public int readImage(final long offset, final ByteBuffer dst) throws IOException
    {
        return file.read(dst, offset);
    }

    /**
     * @return the offset where images start after a descriptor of that length.
     */
    public static long imagesStart(final int descriptorLength)
    {
        final long end = DESCRIPTOR_OFFSET + descriptorLength;
        return (end + IMAGE_ALIGNMENT - 1) / IMAGE_ALIGNMENT * IMAGE_ALIGNMENT;
    }

    @Override
    public void close() throws IOException
    {
        file.close();
    }
}
