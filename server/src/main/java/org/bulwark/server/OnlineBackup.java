package org.bulwark.server;

import org.bulwark.common.log.MessageLog;
import org.bulwark.store.MountedDatabase;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * An online full backup of one database (SPEC J-7) while updates go on.
 *
 * <p>Only the write daemon writes block files, so between two cycles a block file is exactly the
 * state at the last cycle's checkpoint. The backup copies the file while cycles run, noting every
 * block a cycle writes meanwhile (a {@code BlockWriteListener} on the store), copies those again,
 * and repeats while the set shrinks; the last pass runs with the daemon held between cycles, so
 * the copy is the state at one checkpoint. Updates continue in the buffer pool throughout; the
 * hold lasts only for the last, small pass. A restore applies the journal from that checkpoint.
 */
final class OnlineBackup
{
    private static final int MAX_PASSES = 8;
    /** Copy the rest with the daemon held once this few blocks changed during a pass. */
    private static final int FINAL_PASS_BLOCKS = 256;
    private static final long PAUSE_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(5);

    private final Instance instance;
    private final MessageLog log;

    OnlineBackup(final Instance instance)
    {
        this.instance = instance;
        this.log = instance.log();
    }

    /**
     * Back up {@code databaseName} to {@code target} (written as {@code target.part}, renamed when
     * complete and synced) and list it in backup.log.
     */
    BackupHistory.Entry run(final String databaseName, final Path target) throws IOException
    {
        final MountedDatabase db = instance.store().database(databaseName);
        if (null == db)
        {
            throw new IllegalArgumentException("no database " + databaseName + " is mounted");
        }
        if (Files.exists(target))
        {
            throw new IllegalArgumentException(target + " exists: a backup never overwrites a file");
        }
        final long startNs = System.nanoTime();
        final int blockSize = db.blockSizeBytes();
        final Path part = target.resolveSibling(target.getFileName() + ".part");
        final BitSet changed = new BitSet();
        final int index = db.index();
        instance.store().blockWriteListener((database, block) ->
        {
            if (database == index)
            {
                synchronized (changed)
                {
                    changed.set(block);
                }
            }
        });
        int passes = 1;
        long blocksCopied;
        final long[] checkpoint;
        final int blockCount;
        try (FileChannel source = FileChannel.open(db.file().path(), StandardOpenOption.READ);
            FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE))
        {
            // Pass 1: the whole file, while cycles run.
            int copiedBlocks = (int)(source.size() / blockSize);
            blocksCopied = copyRange(source, out, 0, copiedBlocks, blockSize);
            // Passes 2..: what cycles wrote meanwhile, until little is left.
            while (true)
            {
                final BitSet again = take(changed);
                if (again.cardinality() <= FINAL_PASS_BLOCKS || passes >= MAX_PASSES)
                {
                    // The last pass, with the daemon between cycles: the file is one checkpoint's state.
                    instance.pauseWriteDaemon(PAUSE_TIMEOUT_MS);
                    try
                    {
                        again.or(take(changed));
                        blocksCopied += copyBlocks(source, out, again, blockSize);
                        blockCount = (int)(source.size() / blockSize);
                        if (blockCount > copiedBlocks)
                        {
                            blocksCopied += copyRange(source, out, copiedBlocks, blockCount, blockSize);
                        }
                        checkpoint = instance.blockFilesCheckpoint();
                    }
                    finally
                    {
                        instance.resumeWriteDaemon();
                    }
                    passes++;
                    break;
                }
                blocksCopied += copyBlocks(source, out, again, blockSize);
                final int size = (int)(source.size() / blockSize);
                if (size > copiedBlocks)
                {
                    blocksCopied += copyRange(source, out, copiedBlocks, size, blockSize);
                    copiedBlocks = size;
                }
                passes++;
            }
            out.truncate(BackupFile.HEADER_LENGTH + (long)blockCount * blockSize);
            final int crc = BackupFile.crc(out, BackupFile.HEADER_LENGTH, (long)blockCount * blockSize);
            final long journalFrom = checkpoint[1] >= 0 ? Math.min(checkpoint[0], checkpoint[1]) : checkpoint[0];
            BackupFile.writeHeader(out, new BackupFile.Header(databaseName, blockSize, blockCount, checkpoint[0],
                journalFrom, System.currentTimeMillis(), crc));
            out.force(true);
        }
        finally
        {
            instance.store().blockWriteListener(null);
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        instance.fileLayer().syncDirectory(target.toAbsolutePath().getParent());
        final long[] positions = checkpoint;
        final BackupHistory.Entry entry = new BackupHistory.Entry(Instant.now().toString(), databaseName,
            positions[0], positions[1] >= 0 ? Math.min(positions[0], positions[1]) : positions[0],
            target.toAbsolutePath().toString());
        instance.backupHistory().append(entry);
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        log.info("BACKUP", String.format("backup of %s to %s: %d blocks (%.1f MiB) in %d ms, %d passes, %d block " +
            "copies; complete to journal position %d, a restore reads the journal from %d", databaseName, target,
            blockCount, (long)blockCount * blockSize / 1048576.0, elapsedMs, passes, blocksCopied, entry.checkpoint(),
            entry.journalFrom()));
        return entry;
    }

    private static BitSet take(final BitSet changed)
    {
        synchronized (changed)
        {
            final BitSet copy = (BitSet)changed.clone();
            changed.clear();
            return copy;
        }
    }

    private static long copyRange(final FileChannel source, final FileChannel out, final int from, final int to,
        final int blockSize) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocateDirect(Math.max(blockSize, 1 << 20));
        long at = (long)from * blockSize;
        final long end = (long)to * blockSize;
        while (at < end)
        {
            chunk.clear().limit((int)Math.min(chunk.capacity(), end - at));
            readFully(source, chunk, at);
            chunk.flip();
            writeFully(out, chunk, BackupFile.HEADER_LENGTH + at);
            at += chunk.limit();
        }
        return to - from;
    }

    private static long copyBlocks(final FileChannel source, final FileChannel out, final BitSet blocks,
        final int blockSize) throws IOException
    {
        final ByteBuffer block = ByteBuffer.allocateDirect(blockSize);
        long copied = 0;
        for (int b = blocks.nextSetBit(0); b >= 0; b = blocks.nextSetBit(b + 1))
        {
            block.clear();
            readFully(source, block, (long)b * blockSize);
            block.flip();
            writeFully(out, block, BackupFile.HEADER_LENGTH + (long)b * blockSize);
            copied++;
        }
        return copied;
    }

    private static void readFully(final FileChannel channel, final ByteBuffer dst, final long position)
        throws IOException
    {
        long at = position;
        while (dst.hasRemaining())
        {
            final int n = channel.read(dst, at);
            if (n < 0)
            {
                // Past the end of a sparse file: zeros.
                while (dst.hasRemaining())
                {
                    dst.put((byte)0);
                }
                return;
            }
            at += n;
        }
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer src, final long position)
        throws IOException
    {
        long at = position;
        while (src.hasRemaining())
        {
            at += channel.write(src, at);
        }
    }
}
