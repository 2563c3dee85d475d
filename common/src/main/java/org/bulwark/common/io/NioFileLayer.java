package org.bulwark.common.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The real file layer: {@link FileChannel} positional writes, {@code force(false)} for
 * {@link SyncLevel#DATA} ({@code fdatasync}) and {@code force(true)} for metadata.
 */
public final class NioFileLayer implements FileLayer
{
    public static final NioFileLayer INSTANCE = new NioFileLayer();

    private NioFileLayer()
    {
    }

    @Override
    public DurableFile open(final Path path, final boolean create) throws IOException
    {
        final FileChannel channel = create ?
            FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE) :
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new NioDurableFile(path, channel);
    }

    @Override
    public DurableFile openWriteThrough(final Path path, final boolean create) throws IOException
    {
        final FileChannel channel = create ?
            FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.DSYNC) :
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DSYNC);
        return new NioDurableFile(path, channel);
    }

    @Override
    public void syncDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    static final class NioDurableFile implements DurableFile
    {
        private final Path path;
        private final FileChannel channel;

        NioDurableFile(final Path path, final FileChannel channel)
        {
            this.path = path;
            this.channel = channel;
        }

        @Override
        public Path path()
        {
            return path;
        }

        @Override
        public long size() throws IOException
        {
            return channel.size();
        }

        @Override
        public void setLength(final long sizeBytes) throws IOException
        {
            final long current = channel.size();
            if (sizeBytes < current)
            {
                channel.truncate(sizeBytes);
            }
            else if (sizeBytes > current)
            {
                // Writing the last byte extends the file sparsely; FileChannel has no ftruncate-up.
                channel.write(ByteBuffer.allocate(1), sizeBytes - 1);
            }
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            int total = 0;
            while (dst.hasRemaining())
            {
                final int n = channel.read(dst, position + total);
                if (n < 0)
                {
                    break;
                }
                total += n;
            }
            return total;
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            long at = position;
            while (src.hasRemaining())
            {
                at += channel.write(src, at);
            }
        }

        @Override
        public synchronized void write(final ByteBuffer[] srcs, final int offset, final int length, final long position)
            throws IOException
        {
            long remaining = 0;
            for (int i = offset; i < offset + length; i++)
            {
                remaining += srcs[i].remaining();
            }
            channel.position(position);
            int first = offset;
            while (remaining > 0)
            {
                remaining -= channel.write(srcs, first, offset + length - first);
                while (first < offset + length && !srcs[first].hasRemaining())
                {
                    first++;
                }
            }
        }

        @Override
        public void sync(final SyncLevel level) throws IOException
        {
            switch (level)
            {
                case DATA:
                    channel.force(false);
                    break;
                case DATA_AND_METADATA:
                    channel.force(true);
                    break;
                default:
                    break;
            }
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }
}
