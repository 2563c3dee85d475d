package org.bulwark.common.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens {@link DurableFile}s and makes directory entries durable. {@link NioFileLayer#INSTANCE}
 * is the real one; tests substitute a layer that simulates power loss.
 */
public interface FileLayer
{
    /**
     * @param path   the file.
     * @param create create it if missing (the directory entry is durable only after
     *               {@link #syncDirectory(Path)}).
     */
    DurableFile open(Path path, boolean create) throws IOException;

    /**
     * Open a file whose writes are durable when they return ({@code O_DSYNC}). The default syncs
     * after every write, which is equivalent; the real layer opens the file with {@code DSYNC}.
     */
    default DurableFile openWriteThrough(final Path path, final boolean create) throws IOException
    {
        final DurableFile file = open(path, create);
        return new DurableFile()
        {
            @Override
            public Path path()
            {
                return file.path();
            }

            @Override
            public long size() throws IOException
            {
                return file.size();
            }

            @Override
            public void setLength(final long sizeBytes) throws IOException
            {
                file.setLength(sizeBytes);
                file.sync(SyncLevel.DATA_AND_METADATA);
            }

            @Override
            public int read(final java.nio.ByteBuffer dst, final long position) throws IOException
            {
                return file.read(dst, position);
            }

            @Override
            public void write(final java.nio.ByteBuffer src, final long position) throws IOException
            {
                file.write(src, position);
                file.sync(SyncLevel.DATA);
            }

            @Override
            public void write(final java.nio.ByteBuffer[] srcs, final int offset, final int length, final long position)
                throws IOException
            {
                file.write(srcs, offset, length, position);
                file.sync(SyncLevel.DATA);
            }

            @Override
            public void sync(final SyncLevel level) throws IOException
            {
                file.sync(level);
            }

            @Override
            public void close() throws IOException
            {
                file.close();
            }
        };
    }

    /**
     * Make the directory's entries (created, renamed, deleted files) durable.
     */
    void syncDirectory(Path directory) throws IOException;
}
