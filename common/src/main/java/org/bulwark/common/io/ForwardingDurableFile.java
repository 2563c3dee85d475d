package org.bulwark.common.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A {@link DurableFile} that passes every call to another: fault layers (tests) and instrumentation extend it and override
 * only what they change (record a write, fail a sync).
 */
public class ForwardingDurableFile implements DurableFile
{
    protected final DurableFile delegate;

    public ForwardingDurableFile(final DurableFile delegate)
    {
        this.delegate = delegate;
    }

    /**
     * @return the file every call goes to.
     */
    public DurableFile delegate()
    {
        return delegate;
    }

    @Override
    public Path path()
    {
        return delegate.path();
    }

    @Override
    public long size() throws IOException
    {
        return delegate.size();
    }

    @Override
    public void setLength(final long sizeBytes) throws IOException
    {
        delegate.setLength(sizeBytes);
    }

    @Override
    public int read(final ByteBuffer dst, final long position) throws IOException
    {
        return delegate.read(dst, position);
    }

    @Override
    public void write(final ByteBuffer src, final long position) throws IOException
    {
        delegate.write(src, position);
    }

    @Override
    public void write(final ByteBuffer[] srcs, final int offset, final int length, final long position)
        throws IOException
    {
        delegate.write(srcs, offset, length, position);
    }

    @Override
    public void sync(final SyncLevel level) throws IOException
    {
        delegate.sync(level);
    }

    @Override
    public void close() throws IOException
    {
        delegate.close();
    }
}
