package org.bulwark.wij;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a WIJ cycle holds: the datasets (databases) it touches and one record per block image,
 * written ahead of the images. Its CRC32C lives in the header.
 *
 * <pre>
 *  offset  size  field
 *    0       8   magic "BLWKCYCL"
 *    8       8   cycle number
 *   16       4   dataset count
 *   20       4   record count
 *   24           datasets, each: index u32 | block size u32 | uid u64 | path length u16 | path (UTF-8)
 *                records, each:  dataset index u32 | block number u32 | image offset u64 | image CRC32C u32
 * </pre>
 *
 * The image CRC32C covers the whole block image as written; the block's own header checksum is
 * also valid in it.
 */
public final class CycleDescriptor
{
    public static final long MAGIC = 0x4C43594B4B574C42L; // "BLWKCYCL" little-endian
    static final int HEADER_LENGTH = 24;
    static final int RECORD_LENGTH = 20;

    private long cycleNumber;
    private int datasetCount;
    private final int[] datasetIndex = new int[WijHeader.MAX_DATASETS];
    private final int[] datasetBlockSize = new int[WijHeader.MAX_DATASETS];
    private final long[] datasetUid = new long[WijHeader.MAX_DATASETS];
    private final String[] datasetPath = new String[WijHeader.MAX_DATASETS];
    private final byte[][] datasetPathBytes = new byte[WijHeader.MAX_DATASETS][];

    private int recordCount;
    private int[] recordDataset = new int[1024];
    private int[] recordBlock = new int[1024];
    private long[] recordOffset = new long[1024];
    private int[] recordCrc = new int[1024];

    public void reset(final long cycleNumber)
    {
        this.cycleNumber = cycleNumber;
        datasetCount = 0;
        recordCount = 0;
    }

    public long cycleNumber()
    {
        return cycleNumber;
    }

    /**
     * @return the position of the dataset in the table, adding it if new.
     */
    public int addDataset(final int index, final int blockSizeBytes, final long uid, final String path)
    {
        for (int i = 0; i < datasetCount; i++)
        {
            if (datasetIndex[i] == index)
            {
                return i;
            }
        }
        datasetIndex[datasetCount] = index;
        datasetBlockSize[datasetCount] = blockSizeBytes;
        datasetUid[datasetCount] = uid;
        if (!path.equals(datasetPath[datasetCount]))
        {
            datasetPath[datasetCount] = path;
            datasetPathBytes[datasetCount] = path.getBytes(StandardCharsets.UTF_8);
        }
        return datasetCount++;
    }

    public void addRecord(final int datasetIndex, final int block, final long imageOffset, final int imageCrc)
    {
        if (recordCount == recordBlock.length)
        {
            final int n = recordCount * 2;
            recordDataset = Arrays.copyOf(recordDataset, n);
            recordBlock = Arrays.copyOf(recordBlock, n);
            recordOffset = Arrays.copyOf(recordOffset, n);
            recordCrc = Arrays.copyOf(recordCrc, n);
        }
        recordDataset[recordCount] = datasetIndex;
        recordBlock[recordCount] = block;
        recordOffset[recordCount] = imageOffset;
        recordCrc[recordCount] = imageCrc;
        recordCount++;
    }

    public int datasetCount()
    {
        return datasetCount;
    }

    public int datasetIndex(final int i)
    {
        return datasetIndex[i];
    }

    public int datasetBlockSize(final int i)
    {
        return datasetBlockSize[i];
    }

    public long datasetUid(final int i)
    {
        return datasetUid[i];
    }

    public String datasetPath(final int i)
    {
        return datasetPath[i];
    }

    /**
     * @return position in the dataset table of the dataset with that instance index, or -1.
     */
    public int datasetPosition(final int index)
    {
        for (int i = 0; i < datasetCount; i++)
        {
            if (datasetIndex[i] == index)
            {
                return i;
            }
        }
        return -1;
    }

    public int recordCount()
    {
        return recordCount;
    }

    public int recordDataset(final int i)
    {
        return recordDataset[i];
    }

    public int recordBlock(final int i)
    {
        return recordBlock[i];
    }

    public long recordOffset(final int i)
    {
        return recordOffset[i];
    }

    public int recordCrc(final int i)
    {
        return recordCrc[i];
    }

    /**
     * @return the encoded length.
     */
    public int encodedLength()
    {
        int length = HEADER_LENGTH;
        for (int i = 0; i < datasetCount; i++)
        {
            length += 18 + datasetPathBytes[i].length;
        }
        return length + recordCount * RECORD_LENGTH;
    }

    /**
     * @return bytes written.
     */
    public int encode(final ExpandableDirectByteBuffer buffer)
    {
        buffer.putLong(0, MAGIC);
        buffer.putLong(8, cycleNumber);
        buffer.putInt(16, datasetCount);
        buffer.putInt(20, recordCount);
        int position = HEADER_LENGTH;
        for (int i = 0; i < datasetCount; i++)
        {
            buffer.putInt(position, datasetIndex[i]);
            buffer.putInt(position + 4, datasetBlockSize[i]);
            buffer.putLong(position + 8, datasetUid[i]);
            buffer.putShort(position + 16, (short)datasetPathBytes[i].length);
            buffer.putBytes(position + 18, datasetPathBytes[i]);
            position += 18 + datasetPathBytes[i].length;
        }
        for (int i = 0; i < recordCount; i++)
        {
            buffer.putInt(position, recordDataset[i]);
            buffer.putInt(position + 4, recordBlock[i]);
            buffer.putLong(position + 8, recordOffset[i]);
            buffer.putInt(position + 16, recordCrc[i]);
            position += RECORD_LENGTH;
        }
        return position;
    }

    /**
     * Decode a descriptor whose checksum the caller has verified.
     *
     * @return null if well formed, else what is wrong (with the offset in the descriptor).
     */
    public String decode(final DirectBuffer buffer, final int length)
    {
        if (length < HEADER_LENGTH || buffer.getLong(0) != MAGIC)
        {
            return "offset 0: not a cycle descriptor";
        }
        cycleNumber = buffer.getLong(8);
        final int datasets = buffer.getInt(16);
        final int records = buffer.getInt(20);
        if (datasets < 0 || datasets > WijHeader.MAX_DATASETS || records < 0)
        {
            return "offset 16: " + datasets + " datasets and " + records + " records";
        }
        datasetCount = 0;
        recordCount = 0;
        int position = HEADER_LENGTH;
        for (int i = 0; i < datasets; i++)
        {
            if (position + 18 > length)
            {
                return "offset " + position + ": dataset table runs past the descriptor";
            }
            final int pathLength = buffer.getShort(position + 16) & 0xFFFF;
            if (position + 18 + pathLength > length)
            {
                return "offset " + position + ": dataset path runs past the descriptor";
            }
            final byte[] path = new byte[pathLength];
            buffer.getBytes(position + 18, path);
            datasetIndex[i] = buffer.getInt(position);
            datasetBlockSize[i] = buffer.getInt(position + 4);
            datasetUid[i] = buffer.getLong(position + 8);
            datasetPathBytes[i] = path;
            datasetPath[i] = new String(path, StandardCharsets.UTF_8);
            datasetCount++;
            position += 18 + pathLength;
        }
        if (position + (long)records * RECORD_LENGTH > length)
        {
            return "offset " + position + ": " + records + " records run past the descriptor";
        }
        for (int i = 0; i < records; i++)
        {
            addRecord(buffer.getInt(position), buffer.getInt(position + 4), buffer.getLong(position + 8),
                buffer.getInt(position + 16));
            position += RECORD_LENGTH;
        }
        return null;
    }
}
