package org.bulwark.store.block;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.SyncLevel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One database's block file ({@code bulwark.dat}, SPEC S-1): positional writes and syncs through
 * a {@link DurableFile}, reads through a read-only {@link BlockMapping}.
 */
public final class BlockFile implements AutoCloseable
{
    public static final String FILE_NAME = "bulwark.dat";

    private final Path path;
    private final DurableFile file;
    private final int blockSizeBytes;
    private final int blockShift;
    private final BlockMapping mapping;

    private BlockFile(final Path path, final DurableFile file, final int blockSizeBytes, final BlockMapping mapping)
    {
        this.path = path;
        this.file = file;
        this.blockSizeBytes = blockSizeBytes;
        this.blockShift = Integer.numberOfTrailingZeros(blockSizeBytes);
        this.mapping = mapping;
    }

    /**
     * Create a new, empty database in {@code directory}: label, first map block and an empty
     * directory tree, written to a temporary file, synced, then renamed into place.
     */
    public static void create(
        final FileLayer layer,
        final Path directory,
        final String name,
        final int blockSizeBytes,
        final int initialBlocks,
        final int expansionBlocks,
        final int maxBlocks) throws IOException
    {
        BlockLayout.validateBlockSize(blockSizeBytes);
        Files.createDirectories(directory);
        final Path target = directory.resolve(FILE_NAME);
        if (Files.exists(target))
        {
            throw new IOException("database already exists: " + target);
        }
        final int sizeBlocks = Math.max(initialBlocks, 3);
        final Path temp = directory.resolve(FILE_NAME + ".creating");
        Files.deleteIfExists(temp);

        final ByteBuffer bytes = BufferUtil.allocateDirectAligned(blockSizeBytes * 3, 4096);
        final UnsafeBuffer all = new UnsafeBuffer(bytes);
        final UnsafeBuffer label = new UnsafeBuffer(all, 0, blockSizeBytes);
        final UnsafeBuffer map = new UnsafeBuffer(all, blockSizeBytes, blockSizeBytes);
        final UnsafeBuffer root = new UnsafeBuffer(all, 2 * blockSizeBytes, blockSizeBytes);

        DatabaseLabel.write(label, blockSizeBytes, sizeBlocks, expansionBlocks, maxBlocks,
            ThreadLocalRandom.current().nextLong(), System.currentTimeMillis(), name);
        BlockLayout.stampChecksum(label, blockSizeBytes);

        BlockLayout.initHeader(map, blockSizeBytes, BlockLayout.TYPE_MAP, 0, DatabaseLabel.FIRST_MAP_BLOCK, 0);
        FreeMapBits.set(map, 0);
        FreeMapBits.set(map, 1);
        FreeMapBits.set(map, 2);
        BlockLayout.stampChecksum(map, blockSizeBytes);

        BlockLayout.initHeader(root, blockSizeBytes, BlockLayout.TYPE_DATA, 0,
            DatabaseLabel.DIRECTORY_ROOT_BLOCK, DatabaseLabel.DIRECTORY_ROOT_BLOCK);
        BlockLayout.stampChecksum(root, blockSizeBytes);

        try (DurableFile out = layer.open(temp, true))
        {
            out.setLength((long)sizeBlocks * blockSizeBytes);
            out.write(bytes, 0);
            // Every region the initial size reaches needs its map block, which marks itself in use.
            final int regionBlocks = DatabaseLabel.regionBlocks(blockSizeBytes);
            for (int region = 1; (long)region * regionBlocks < sizeBlocks; region++)
            {
                final int mapBlock = DatabaseLabel.mapBlockOfRegion(region, regionBlocks);
                BlockLayout.initHeader(map, blockSizeBytes, BlockLayout.TYPE_MAP, 0, mapBlock, 0);
                FreeMapBits.set(map, 0);
                BlockLayout.stampChecksum(map, blockSizeBytes);
                final ByteBuffer mapBytes = bytes.duplicate();
                mapBytes.limit(2 * blockSizeBytes).position(blockSizeBytes);
                out.write(mapBytes, (long)mapBlock * blockSizeBytes);
            }
            out.sync(SyncLevel.DATA_AND_METADATA);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        layer.syncDirectory(directory);
    }

    /**
     * Open an existing database: validate the label and map the file for reading.
     *
     * @throws IOException naming the file and offset if the label is damaged.
     */
    public static BlockFile open(final FileLayer layer, final Path directory) throws IOException
    {
        final Path path = directory.resolve(FILE_NAME);
        if (!Files.exists(path))
        {
            throw new IOException("database file not found: " + path);
        }
        final DurableFile file = layer.open(path, false);
        try
        {
            final int blockSizeBytes = readLabelBlockSize(file, path);
            final BlockFile blockFile = new BlockFile(path, file, blockSizeBytes, new BlockMapping(path,
                blockSizeBytes));
            blockFile.mapping.ensureMapped(Math.max(file.size(), blockSizeBytes));
            return blockFile;
        }
        catch (final IOException | RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    /**
     * Open a block file for raw block writes and reads without trusting its label (WIJ restore,
     * block comparison): nothing is mapped.
     */
    public static BlockFile openRaw(final FileLayer layer, final Path path, final int blockSizeBytes) throws IOException
    {
        BlockLayout.validateBlockSize(blockSizeBytes);
        return new BlockFile(path, layer.open(path, false), blockSizeBytes, null);
    }

    private static int readLabelBlockSize(final DurableFile file, final Path path) throws IOException
    {
        final ByteBuffer first = BufferUtil.allocateDirectAligned(BlockLayout.MAX_BLOCK_SIZE_BYTES, 4096);
        final int read = file.read(first, 0);
        final UnsafeBuffer view = new UnsafeBuffer(first);
        if (read < BlockLayout.MIN_BLOCK_SIZE_BYTES)
        {
            throw new IOException(path + " offset 0: file is " + read + " bytes, too short for a label block");
        }
        final int blockSizeBytes = DatabaseLabel.blockSizeBytes(view);
        try
        {
            BlockLayout.validateBlockSize(blockSizeBytes);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(path + " offset " + DatabaseLabel.BLOCK_SIZE_OFFSET + ": " + ex.getMessage(), ex);
        }
        if (read < blockSizeBytes)
        {
            throw new IOException(path + " offset 0: file is " + read + " bytes, shorter than one block");
        }
        final UnsafeBuffer label = new UnsafeBuffer(first, 0, blockSizeBytes);
        final String problem = DatabaseLabel.validate(label, blockSizeBytes, path.toString());
        if (null != problem)
        {
            throw new IOException(problem);
        }
        // Reading a mapped block past the end of the file would crash the process: refuse a short file.
        final long expectedBytes = (long)DatabaseLabel.sizeBlocks(label) * blockSizeBytes;
        if (file.size() < expectedBytes)
        {
            throw new IOException(path + " offset " + file.size() + ": file is truncated: the label says " +
                DatabaseLabel.sizeBlocks(label) + " blocks (" + expectedBytes + " bytes), the file has " + file.size() +
                " bytes");
        }
        return blockSizeBytes;
    }

    public Path path()
    {
        return path;
    }

    public int blockSizeBytes()
    {
        return blockSizeBytes;
    }

    /**
     * @return the mapped address of a block (read-only memory).
     */
    public long mappedAddress(final int blockNumber)
    {
        return mapping.address(blockNumber);
    }

    public long fileSizeBytes() throws IOException
    {
        return file.size();
    }

    /**
     * Grow the file (sparse) to hold {@code blocks} blocks and map the new part.
     */
    public void ensureCapacity(final int blocks) throws IOException
    {
        final long bytes = (long)blocks << blockShift;
        if (file.size() < bytes)
        {
            file.setLength(bytes);
        }
        if (null != mapping)
        {
            mapping.ensureMapped(bytes);
        }
    }

    /**
     * Read a block with a system call (not through the mapping).
     *
     * @return bytes read; less than a block past the end of the file.
     */
    public int readBlock(final int blockNumber, final ByteBuffer dst) throws IOException
    {
        return file.read(dst, (long)blockNumber << blockShift);
    }

    public void writeBlock(final int blockNumber, final ByteBuffer src) throws IOException
    {
        file.write(src, (long)blockNumber << blockShift);
    }

    /**
     * Write consecutive blocks from {@code firstBlock} in one gathering write.
     */
    public void writeBlocks(final int firstBlock, final ByteBuffer[] srcs, final int offset, final int length)
        throws IOException
    {
        file.write(srcs, offset, length, (long)firstBlock << blockShift);
    }

    /**
     * Make completed block writes durable ({@code fdatasync}).
     */
    public void sync() throws IOException
    {
        file.sync(SyncLevel.DATA);
    }

    @Override
    public void close() throws IOException
    {
        close(true);
    }

    /**
     * @param unmap false to leave the mapping in place (a reader may still be using it): the
     *              address space is then only given back when the process exits.
     */
    public void close(final boolean unmap) throws IOException
    {
        try
        {
            if (null != mapping && unmap)
            {
                mapping.close();
            }
        }
        finally
        {
            file.close();
        }
    }
}
