package org.bulwark.common.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A file written with positional writes and made durable by explicit syncs. Everything Bulwark
 * makes durable (block files, the WIJ) goes through this interface so that a test layer can
 * decide what survives a simulated power cut.
 */
public interface DurableFile extends AutoCloseable
{
    Path path();

    long size() throws IOException;

    /**
     * Grow (sparse) or shrink the file. Durable only after a sync.
     */
    void setLength(long sizeBytes) throws IOException;

    /**
     * Read until {@code dst} is full or the end of the file.
     *
     * @return bytes read.
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Write all remaining bytes of {@code src} at {@code position}.
     */
    void write(ByteBuffer src, long position) throws IOException;

    /**
     * Write all remaining bytes of {@code srcs[offset..offset+length)} back to back from
     * {@code position} (one gathering system call per batch).
     */
    void write(ByteBuffer[] srcs, int offset, int length, long position) throws IOException;

    /**
     * Make every completed write durable, at the given level.
     */
    void sync(SyncLevel level) throws IOException;

    @Override
    void close() throws IOException;
}
