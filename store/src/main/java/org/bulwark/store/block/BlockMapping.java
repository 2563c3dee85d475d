package org.bulwark.store.block;

import net.openhft.chronicle.core.OS;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only memory mapping of a block file, in fixed chunks of 1 GiB so that growth never moves
 * a mapping a reader may be using. The mapping is never writable: the OS can therefore never write
 * a changed block into the file behind the write daemon's back (SPEC S-3).
 *
 * <p>Chunks are mapped whole even past the end of the file (mmap allows it); only blocks below the
 * file's size may be read, which the store guarantees by growing the file before it hands out
 * blocks beyond it.
 */
public final class BlockMapping implements AutoCloseable
{
    static final int CHUNK_SHIFT_BYTES = 30;
    static final long CHUNK_SIZE_BYTES = 1L << CHUNK_SHIFT_BYTES;
    private static final int MAX_CHUNKS = 1 << 16; // 64 TiB

    private final FileChannel channel;
    private final int blockShift;
    private final int chunkBlockShift;
    private final int chunkBlockMask;
    private final long[] chunkAddresses = new long[MAX_CHUNKS];
    private volatile int mappedChunks;

    public BlockMapping(final Path path, final int blockSizeBytes) throws IOException
    {
        BlockLayout.validateBlockSize(blockSizeBytes);
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.blockShift = Integer.numberOfTrailingZeros(blockSizeBytes);
        this.chunkBlockShift = CHUNK_SHIFT_BYTES - blockShift;
        this.chunkBlockMask = (1 << chunkBlockShift) - 1;
    }

    /**
     * Map every chunk that holds a byte below {@code sizeBytes}.
     */
    public synchronized void ensureMapped(final long sizeBytes) throws IOException
    {
        final int needed = (int)((sizeBytes + CHUNK_SIZE_BYTES - 1) >>> CHUNK_SHIFT_BYTES);
        if (needed > MAX_CHUNKS)
        {
            throw new IOException("block file too large to map: " + sizeBytes + " bytes");
        }
        int mapped = mappedChunks;
        while (mapped < needed)
        {
            chunkAddresses[mapped] = OS.map(
                channel, FileChannel.MapMode.READ_ONLY, (long)mapped << CHUNK_SHIFT_BYTES, CHUNK_SIZE_BYTES);
            mapped++;
            mappedChunks = mapped; // volatile write publishes the address
        }
    }

    /**
     * @return the address of the block in the mapping; the block must be below the mapped size.
     */
    public long address(final int blockNumber)
    {
        final int chunk = blockNumber >>> chunkBlockShift;
        if (chunk >= mappedChunks)
        {
            throw new IllegalStateException("block " + blockNumber + " is beyond the mapped part of the file");
        }
        return chunkAddresses[chunk] + ((long)(blockNumber & chunkBlockMask) << blockShift);
    }

    @Override
    public synchronized void close() throws IOException
    {
        final int mapped = mappedChunks;
        mappedChunks = 0;
        for (int i = 0; i < mapped; i++)
        {
            OS.unmap(chunkAddresses[i], CHUNK_SIZE_BYTES);
            chunkAddresses[i] = 0;
        }
        channel.close();
    }
}
