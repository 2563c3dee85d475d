package org.bulwark.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The content of one file in a crash image, built in memory by replaying trace events over the
 * durable base. Bytes past {@link #lengthBytes} are kept zero so that growing the file (by a
 * length change or by a write past the end) exposes zeros, as a sparse extension does.
 */
final class FileImage
{
    private static final int MAX_LENGTH_BYTES = Integer.MAX_VALUE - 8;

    private byte[] bytes;
    private int lengthBytes;

    FileImage(final byte[] durableBase)
    {
        bytes = durableBase.clone();
        lengthBytes = durableBase.length;
    }

    void write(final long position, final byte[] src, final int offset, final int length)
    {
        final int end = checkedLength(position + length);
        if (end > lengthBytes)
        {
            ensureCapacity(end);
            lengthBytes = end;
        }
        System.arraycopy(src, offset, bytes, (int)position, length);
    }

    void setLength(final long sizeBytes)
    {
        final int newLength = checkedLength(sizeBytes);
        if (newLength < lengthBytes)
        {
            Arrays.fill(bytes, newLength, lengthBytes, (byte)0);
        }
        else
        {
            ensureCapacity(newLength);
        }
        lengthBytes = newLength;
    }

    void writeTo(final Path target) throws IOException
    {
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            out.write(bytes, 0, lengthBytes);
        }
    }

    private void ensureCapacity(final int capacityBytes)
    {
        if (capacityBytes > bytes.length)
        {
            final long doubled = Math.max(16L, 2L * bytes.length);
            bytes = Arrays.copyOf(bytes, (int)Math.min(MAX_LENGTH_BYTES, Math.max(doubled, capacityBytes)));
        }
    }

    private static int checkedLength(final long lengthBytes)
    {
        if (lengthBytes < 0 || lengthBytes > MAX_LENGTH_BYTES)
        {
            throw new IllegalStateException(
                "crash images are built in memory; file length out of range: " + lengthBytes);
        }
        return (int)lengthBytes;
    }
}
