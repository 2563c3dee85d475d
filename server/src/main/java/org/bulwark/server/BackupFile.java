package org.bulwark.server;

import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A full backup of one database (SPEC J-7): a header, then the database file's bytes, block by
 * block, as they were at a write daemon checkpoint.
 *
 * <pre>
 *   0  magic "BLWKBKUP"        8  version             12  header length (4096)
 *  16  block size, bytes     20  block count          24  checkpoint: journal position the blocks are complete to
 *  32  journal from: where a restore reads the journal (earlier if a transaction was open)
 *  40  created, ms since the epoch                  48  CRC32C of the blocks
 *  52  database name length  56  database name (ASCII, up to 31)
 * 120  CRC32C of bytes [0, 120)
 * 4096 the blocks
 * </pre>
 */
final class BackupFile
{
    static final long MAGIC = 0x50554B424B574C42L; // "BLWKBKUP" little-endian
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 4096;
    private static final int CRC_OFFSET = 120;
    private static final int NAME_OFFSET = 56;
    private static final int MAX_NAME = 31;

    /**
     * What the header says.
     */
    record Header(String database, int blockSizeBytes, int blockCount, long checkpoint, long journalFrom,
        long createdMs, int blocksCrc)
    {
        long dataBytes()
        {
            return (long)blockSizeBytes * blockCount;
        }
    }

    private BackupFile()
    {
    }

    static void writeHeader(final FileChannel channel, final Header header) throws IOException
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(HEADER_LENGTH));
        buffer.putLong(0, MAGIC);
        buffer.putInt(8, VERSION);
        buffer.putInt(12, HEADER_LENGTH);
        buffer.putInt(16, header.blockSizeBytes());
        buffer.putInt(20, header.blockCount());
        buffer.putLong(24, header.checkpoint());
        buffer.putLong(32, header.journalFrom());
        buffer.putLong(40, header.createdMs());
        buffer.putInt(48, header.blocksCrc());
        final byte[] name = header.database().getBytes(StandardCharsets.US_ASCII);
        if (name.length > MAX_NAME)
        {
            throw new IllegalArgumentException("database name longer than " + MAX_NAME + ": " + header.database());
        }
        buffer.putInt(52, name.length);
        buffer.putBytes(NAME_OFFSET, name);
        buffer.putInt(CRC_OFFSET, Crc32c.INSTANCE.compute(buffer.addressOffset(), 0, CRC_OFFSET));
        final ByteBuffer bytes = buffer.byteBuffer().duplicate().clear();
        while (bytes.hasRemaining())
        {
            channel.write(bytes, bytes.position());
        }
    }

    /**
     * @throws IOException naming the file and what is wrong, if it is not a sound backup header.
     */
    static Header readHeader(final FileChannel channel, final Path path) throws IOException
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(HEADER_LENGTH));
        final ByteBuffer bytes = buffer.byteBuffer().duplicate().clear();
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0)
        {
            // read the whole header
        }
        if (bytes.hasRemaining())
        {
            throw new IOException(path + ": " + bytes.position() + " bytes, too short for a backup header");
        }
        if (buffer.getLong(0) != MAGIC)
        {
            throw new IOException(path + " offset 0: not a Bulwark backup (bad magic)");
        }
        if (buffer.getInt(8) != VERSION)
        {
            throw new IOException(path + " offset 8: backup format version " + buffer.getInt(8) + ", this " +
                "version reads " + VERSION);
        }
        if (buffer.getInt(CRC_OFFSET) != Crc32c.INSTANCE.compute(buffer.addressOffset(), 0, CRC_OFFSET))
        {
            throw new IOException(path + " offset " + CRC_OFFSET + ": backup header checksum mismatch");
        }
        final int nameLength = buffer.getInt(52);
        if (nameLength < 1 || nameLength > MAX_NAME)
        {
            throw new IOException(path + " offset 52: bad database name length " + nameLength);
        }
        final Header header = new Header(buffer.getStringWithoutLengthAscii(NAME_OFFSET, nameLength),
            buffer.getInt(16), buffer.getInt(20), buffer.getLong(24), buffer.getLong(32), buffer.getLong(40),
            buffer.getInt(48));
        final long expected = HEADER_LENGTH + header.dataBytes();
        if (channel.size() != expected)
        {
            throw new IOException(path + ": " + channel.size() + " bytes, the header says " + expected +
                " (" + header.blockCount() + " blocks of " + header.blockSizeBytes() + "): truncated or extended");
        }
        return header;
    }

    /**
     * @return the CRC32C of {@code length} bytes from {@code from} in the file.
     */
    static int crc(final FileChannel channel, final long from, final long length) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        final UnsafeBuffer view = new UnsafeBuffer(chunk);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        long at = from;
        final long end = from + length;
        while (at < end)
        {
            chunk.clear().limit((int)Math.min(chunk.capacity(), end - at));
            final int n = channel.read(chunk, at);
            if (n <= 0)
            {
                throw new IOException("unexpected end of file at offset " + at);
            }
            chunk.flip();
            crc.update(chunk);
            at += n;
        }
        view.wrap(0, 0);
        return (int)crc.getValue();
    }

    static FileChannel openForReading(final Path path) throws IOException
    {
        return FileChannel.open(path, StandardOpenOption.READ);
    }
}
