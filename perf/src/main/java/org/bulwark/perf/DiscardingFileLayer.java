package org.bulwark.perf;

import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.SyncLevel;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A file layer whose files keep nothing: a write only moves the file's size, a sync returns at once,
 * a read finds nothing, and no file is created. {@link JournalAppendBenchmark} runs the real journal
 * writer over it, so that the appender's side of the journal (claim, encode, publish) is measured
 * without the disk, while the writer still drains and clears the log buffer as it does in
 * production. Never for anything that reads its files back.
 */
final class DiscardingFileLayer implements FileLayer
{
    @Override
    public DurableFile open(final Path path, final boolean create)
    {
        return new DiscardingFile(path);
    }

    @Override
    public void syncDirectory(final Path directory)
    {
        // nothing was created
    }

    /**
     * One file that remembers only how long it would be.
     */
    private static final class DiscardingFile implements DurableFile
    {
        private final Path path;
        private long sizeBytes;

        DiscardingFile(final Path path)
        {
            this.path = path;
        }

        @Override
        public Path path()
        {
            return path;
        }

        @Override
        public long size()
        {
            return sizeBytes;
        }

        @Override
        public void setLength(final long sizeBytes)
        {
            this.sizeBytes = sizeBytes;
        }

        @Override
        public int read(final ByteBuffer dst, final long position)
        {
            return 0;
        }

        @Override
        public void write(final ByteBuffer src, final long position)
        {
            final int length = src.remaining();
            src.position(src.limit());
            sizeBytes = Math.max(sizeBytes, position + length);
        }

        @Override
        public void write(final ByteBuffer[] srcs, final int offset, final int length, final long position)
        {
            long end = position;
            for (int i = offset; i < offset + length; i++)
            {
                end += srcs[i].remaining();
                srcs[i].position(srcs[i].limit());
            }
            sizeBytes = Math.max(sizeBytes, end);
        }

        @Override
        public void sync(final SyncLevel level)
        {
            // nothing to make durable
        }

        @Override
        public void close()
        {
            // nothing open
        }
    }
}
