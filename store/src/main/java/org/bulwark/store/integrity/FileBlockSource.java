package org.bulwark.store.integrity;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.block.BlockFile;
import org.bulwark.store.block.DatabaseLabel;

/**
 * Blocks of a database that no instance has open, read through the file's mapping.
 */
public final class FileBlockSource implements BlockSource
{
    private final BlockFile file;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final int sizeBlocks;

    public FileBlockSource(final BlockFile file) throws java.io.IOException
    {
        this.file = file;
        view.wrap(file.mappedAddress(DatabaseLabel.LABEL_BLOCK), file.blockSizeBytes());
        final long fileBlocks = file.fileSizeBytes() / file.blockSizeBytes();
        this.sizeBlocks = (int)Math.min(DatabaseLabel.sizeBlocks(view), fileBlocks);
    }

    @Override
    public int blockSizeBytes()
    {
        return file.blockSizeBytes();
    }

    @Override
    public int sizeBlocks()
    {
        return sizeBlocks;
    }

    @Override
    public boolean read(final int block, final MutableDirectBuffer into)
    {
        view.wrap(file.mappedAddress(block), file.blockSizeBytes());
        into.putBytes(0, view, 0, file.blockSizeBytes());
        return true;
    }
}
