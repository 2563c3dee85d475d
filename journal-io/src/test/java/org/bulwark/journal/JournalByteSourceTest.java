package org.bulwark.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalByteSourceTest
{
    private static final UnsafeBuffer NAME = new UnsafeBuffer("x".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    private final MessageLog log = MessageLog.console(System.out, Severity.FATAL);

    private JournalConfig config()
    {
        return new JournalConfig(dir.resolve("journal")).fileSizeBytes(1 << 20).bufferBytes(1 << 18);
    }

    private static long appendSet(final Journal journal, final long n, final int valueBytes)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        key.putLong(0, n);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[Math.max(8, valueBytes)]);
        value.putLong(0, n);
        return journal.append(JournalRecord.TYPE_SET, 1, 0, JournalRecord.NONE, NAME, 0, 1, key, 0, 8, value, 0,
            valueBytes, null, 0, -1);
    }

    /**
     * Records in two files (a switch in between).
     *
     * @return the position of every record, in order.
     */
    private List<Long> writeAcrossASwitch() throws IOException
    {
        final List<Long> positions = new ArrayList<>();
        try (Journal journal = Journal.open(config(), NioFileLayer.INSTANCE, log))
        {
            for (int i = 0; i < 40; i++)
            {
                positions.add(appendSet(journal, i, 300 + i * 7));
            }
            journal.awaitDurable(journal.appendedPosition());
            journal.switchFile();
            for (int i = 40; i < 80; i++)
            {
                positions.add(appendSet(journal, i, 300 + i * 7));
                journal.awaitDurable(journal.appendedPosition());
            }
        }
        return positions;
    }

    private JournalByteSource source()
    {
        return new JournalByteSource(dir.resolve("journal"), "");
    }

    @Test
    void bytesAcrossAFileSwitchAreTheRecordsInPositionOrder() throws Exception
    {
        final List<Long> positions = writeAcrossASwitch();
        final JournalFiles files = new JournalFiles(dir.resolve("journal"), "", NioFileLayer.INSTANCE);
        assertEquals(2, files.list().size(), "a switch made a second file: " + files.list());
        final long secondStart = files.list().get(1).startPosition();
        assertTrue(positions.get(0) < secondStart && secondStart <= positions.get(positions.size() - 1));

        final JournalByteSource source = source();
        final long start = source.startPosition();
        final long end = source.validEnd();
        final long last = positions.get(positions.size() - 1);
        assertTrue(end > last && end - last < 1000, "valid end " + end + " just after the last record at " + last);

        // Fetch in odd-sized chunks so that one of them straddles the switch.
        final byte[] all = new byte[(int)(end - start)];
        final ByteBuffer chunk = ByteBuffer.allocate(997);
        for (long at = start; at < end; )
        {
            chunk.clear();
            final int n = source.read(at, chunk, (int)Math.min(chunk.capacity(), end - at));
            assertTrue(n > 0, "bytes at " + at);
            assertEquals(n, chunk.position());
            System.arraycopy(chunk.array(), 0, all, (int)(at - start), n);
            at += n;
        }

        // Records compute their checksum from native addresses: check them in direct memory.
        final UnsafeBuffer bytes = new UnsafeBuffer(ByteBuffer.allocateDirect(all.length));
        bytes.putBytes(0, all);
        final JournalRecord record = new JournalRecord();
        for (int i = 0; i < positions.size(); i++)
        {
            final int offset = (int)(positions.get(i) - start);
            record.wrap(bytes, offset);
            assertNull(record.validate(bytes.getInt(offset)), "record " + i + " at " + positions.get(i));
        }
        assertEquals(positions.size(), countRecords(bytes, positions, start));

        // The same bytes through a direct buffer, in one go across the switch.
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(all.length + 16));
        assertEquals(all.length, source.read(start, direct, 16, all.length));
        final byte[] copy = new byte[all.length];
        direct.getBytes(16, copy);
        assertArrayEquals(all, copy);
    }

    private static int countRecords(final UnsafeBuffer bytes, final List<Long> positions, final long start)
    {
        final JournalRecord record = new JournalRecord();
        long previousSequence = -1;
        int count = 0;
        for (final long position : positions)
        {
            record.wrap(bytes, (int)(position - start));
            assertTrue(previousSequence < 0 || record.sequence() == previousSequence + 1, "sequence at " + position);
            previousSequence = record.sequence();
            count++;
        }
        return count;
    }

    @Test
    void aTornTailIsNotPartOfTheValidEnd() throws Exception
    {
        final List<Long> positions = writeAcrossASwitch();
        final long last = positions.get(positions.size() - 1);
        final JournalFiles files = new JournalFiles(dir.resolve("journal"), "", NioFileLayer.INSTANCE);
        final JournalFiles.Entry lastFile = files.list().get(files.list().size() - 1);
        flip(files.path(lastFile), JournalFiles.HEADER_LENGTH + last - lastFile.startPosition() + 60);

        assertEquals(last, source().validEnd(), "the journal ends before the torn record");
    }

    @Test
    void readsChangeNoFile() throws Exception
    {
        writeAcrossASwitch();
        final String before = digestOfJournal();
        final JournalByteSource source = source();
        final long end = source.validEnd();
        source.read(source.startPosition(), ByteBuffer.allocate(1 << 16), 1 << 16);
        source.read(end, ByteBuffer.allocate(4096), 4096);
        assertEquals(before, digestOfJournal());
    }

    @Test
    void aPurgedPositionAndAMissingJournalAreErrorsThatSayWhy() throws Exception
    {
        final JournalByteSource empty = source();
        assertEquals(0, empty.validEnd());
        final IOException none = assertThrows(IOException.class, () -> empty.read(0, ByteBuffer.allocate(8), 8));
        assertTrue(none.getMessage().contains("lists no files"), none.getMessage());

        writeAcrossASwitch();
        final JournalFiles files = new JournalFiles(dir.resolve("journal"), "", NioFileLayer.INSTANCE);
        final long firstStart = files.list().get(0).startPosition();
        files.removeOldest(1);
        final JournalByteSource source = source();
        final long start = source.startPosition();
        assertTrue(start > firstStart);
        final IOException purged = assertThrows(IOException.class,
            () -> source.read(firstStart, ByteBuffer.allocate(8), 8));
        assertTrue(purged.getMessage().contains("purged"), purged.getMessage());

        final Path remaining = files.path(files.list().get(0));
        Files.delete(remaining);
        final IOException missing = assertThrows(IOException.class,
            () -> source.read(start, ByteBuffer.allocate(8), 8));
        assertTrue(missing.getMessage().contains("missing") && missing.getMessage().contains(remaining.toString()),
            missing.getMessage());
    }

    private String digestOfJournal() throws IOException, NoSuchAlgorithmException
    {
        final MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var paths = Files.list(dir.resolve("journal")))
        {
            for (final Path path : paths.sorted().toList())
            {
                digest.update(path.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(path));
                digest.update(Long.toString(Files.getLastModifiedTime(path).toMillis()).getBytes(
                    StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void flip(final Path file, final long offset) throws IOException
    {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(offset);
            final int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5A);
        }
    }
}
