package org.bulwark.wij;

import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.block.BlockFile;
import org.bulwark.store.block.DatabaseLabel;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.log.MessageLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * WIJ recovery at startup (SPEC W-4, W-5, W-7): observe the WIJ, pick a {@link RecoveryCase}, act
 * on it, and hand the open WIJ to the write daemon, or refuse to start.
 *
 * <p>Restore writes every pending dataset's images in parallel; if any dataset fails, the rest are
 * retried one at a time so the log names exactly which failed. A restored dataset's bit is
 * cleared durably at once, so a later attempt redoes only the datasets still marked. Comparison
 * reads the last completed cycle's images and the same blocks of the databases; past the time
 * limit without a difference it stops; after any difference it compares everything and writes the
 * differing images to {@code MISMATCH.WIJ}.
 */
public final class WijRecovery
{
    private static final String SUBSYSTEM = "WIJ";
    private static final int READ_CHUNK_BYTES = 4 << 20;

    private final WijConfig config;
    private final List<DatasetLocation> configured;
    private final RecoveryOptions options;
    private final FileLayer layer;
    private final MessageLog log;
    private final CycleDescriptor descriptor = new CycleDescriptor();
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(64 * 1024);
    private WijFile wij;
    private WijHeader header;
    private String descriptorProblem;

    /**
     * What recovery did; the WIJ stays open for the write daemon.
     */
    public static final class Result
    {
        private final RecoveryCase recoveryCase;
        private final WijFile wij;
        private final int blocksRestored;
        private final int blocksCompared;
        private final long elapsedMs;

        Result(final RecoveryCase recoveryCase, final WijFile wij, final int blocksRestored, final int blocksCompared,
            final long elapsedMs)
        {
            this.recoveryCase = recoveryCase;
            this.wij = wij;
            this.blocksRestored = blocksRestored;
            this.blocksCompared = blocksCompared;
            this.elapsedMs = elapsedMs;
        }

        public RecoveryCase recoveryCase()
        {
            return recoveryCase;
        }

        public WijFile wij()
        {
            return wij;
        }

        public int blocksRestored()
        {
            return blocksRestored;
        }

        public int blocksCompared()
        {
            return blocksCompared;
        }

        public long elapsedMs()
        {
            return elapsedMs;
        }

        /**
         * @return the journal position up to which the block files are complete: roll forward from it.
         */
        public long checkpoint()
        {
            return wij.header().sealedUpdateSequence;
        }

        /**
         * @return where the oldest transaction open at the checkpoint began, or -1.
         */
        public long oldestOpenTransaction()
        {
            return wij.header().oldestOpenTransaction;
        }
    }

    public WijRecovery(
        final WijConfig config,
        final List<DatasetLocation> configured,
        final RecoveryOptions options,
        final FileLayer layer,
        final MessageLog log)
    {
        this.config = config;
        this.configured = configured;
        this.options = options;
        this.layer = layer;
        this.log = log;
    }

    /**
     * Run recovery.
     *
     * @return the result with the open WIJ (marked as running: not cleanly shut down).
     * @throws WijRecoveryException if startup must stop.
     */
    public Result run() throws IOException, WijRecoveryException
    {
        final long startNs = System.nanoTime();
        Files.createDirectories(config.directory());
        final RecoveryCase.Observation observation = observe();
        final RecoveryCase decided = RecoveryCase.decide(observation);
        log.info(SUBSYSTEM, "startup check of " + config.wijPath() + ": " + decided.name() + " (" +
            decided.description() + ")");
        int restored = 0;
        int compared = 0;
        try
        {
            switch (decided)
            {
                case MISMATCH_PENDING:
                    throw refuse(decided, config.mismatchPath() + " exists: blocks of the last write daemon cycle " +
                        "differed from the databases. Startup stays refused until it is resolved and renamed with " +
                        "'bulwark recover' (list, view, apply, rename)");
                case NO_WIJ:
                case HEADERS_BLANK:
                    create(decided);
                    break;
                case SKIP_REQUESTED:
                    discard();
                    break;
                case HEADERS_DAMAGED:
                    throw refuse(decided, "the WIJ header is damaged: " + wij.headerProblem() + ". Recovery stops " +
                        "rather than guess; check the disk, then start with the skip-recovery option only if the " +
                        "databases are known good");
                case ACTIVE_DAMAGED:
                    throw refuse(decided, "the active flag of cycle " + header.cycleNumber +
                        " is set but its descriptor " +
                        "is damaged: " + descriptorProblem + ". The databases may hold a partial cycle");
                case ACTIVE_INTACT:
                    restored = restore();
                    break;
                case COMPLETE_AFTER_CRASH:
                    compared = compare();
                    break;
                case FOREIGN:
                    throw refuse(decided, config.wijPath() + " holds state " + WijHeader.stateName(header.state) +
                        ", not a WIJ");
                default:
                    if (decided == RecoveryCase.COMPLETE_NOTHING_TO_COMPARE)
                    {
                        log.info(SUBSYSTEM, "last completed cycle " + header.cycleNumber + " cannot be compared: " +
                            descriptorProblem);
                    }
                    break;
            }
            if (null != wij.header() && !config.enabled())
            {
                log.warning(SUBSYSTEM, "the WIJ is DISABLED by configuration: block writes are not protected");
            }
            // From now on a crash must be recognised as one.
            final WijHeader running = new WijHeader();
            running.copyFrom(wij.header());
            running.cleanShutdown = false;
            wij.writeHeader(running);
            if (config.targetSizeBytes() > 0)
            {
                wij.ensureAllocated(config.targetSizeBytes());
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            return new Result(decided, wij, restored, compared, elapsedMs);
        }
        catch (final WijRecoveryException | IOException | RuntimeException ex)
        {
            if (null != wij)
            {
                wij.close();
            }
            throw ex;
        }
    }

    private RecoveryCase.Observation observe() throws IOException
    {
        final RecoveryCase.Observation o = new RecoveryCase.Observation();
        o.mismatchFilePresent = Files.exists(config.mismatchPath());
        o.wijPresent = Files.exists(config.wijPath());
        o.skipRecovery = options.skipRecovery();
        if (!o.wijPresent)
        {
            return o;
        }
        wij = WijFile.open(layer, config.wijPath(), false);
        header = wij.readHeader();
        o.headerValid = null != header;
        if (!o.headerValid)
        {
            o.headersBlank = wij.headersBlank();
            return o;
        }
        o.state = header.state;
        o.cleanShutdown = header.cleanShutdown;
        if (header.state == WijHeader.STATE_ACTIVE || header.state == WijHeader.STATE_COMPLETE)
        {
            descriptorProblem = wij.readDescriptor(header, descriptor, scratch);
            o.descriptorIntact = null == descriptorProblem;
        }
        return o;
    }

    private static WijRecoveryException refuse(final RecoveryCase recoveryCase, final String message)
    {
        return new WijRecoveryException(recoveryCase, "startup refused (" + recoveryCase.name() + "): " + message);
    }

    private void create(final RecoveryCase recoveryCase) throws IOException
    {
        if (null == wij)
        {
            wij = WijFile.open(layer, config.wijPath(), true);
            layer.syncDirectory(config.directory());
        }
        wij.ensureAllocated(Math.max(config.targetSizeBytes(), WijFile.DESCRIPTOR_OFFSET));
        final WijHeader fresh = new WijHeader();
        fresh.state = WijHeader.STATE_EMPTY;
        wij.writeHeader(fresh);
        if (recoveryCase == RecoveryCase.NO_WIJ && anyDatabaseExists())
        {
            log.warning(SUBSYSTEM, "no WIJ was found in " + config.directory() + " although databases exist; " +
                "if the instance crashed, its last write daemon cycle cannot be checked");
        }
        log.info(SUBSYSTEM, "created " + config.wijPath() + " (" + wij.sizeBytes() + " bytes allocated)");
    }

    private boolean anyDatabaseExists()
    {
        for (final DatasetLocation location : configured)
        {
            if (Files.exists(location.directory().resolve(BlockFile.FILE_NAME)))
            {
                return true;
            }
        }
        return false;
    }

    private void discard() throws IOException
    {
        final WijHeader discarded = new WijHeader();
        if (null != header)
        {
            discarded.copyFrom(header);
        }
        final boolean hadWork = null != header && header.state == WijHeader.STATE_ACTIVE;
        discarded.state = WijHeader.STATE_EMPTY;
        discarded.clearPending();
        wij.writeHeader(discarded);
        log.severe(SUBSYSTEM, "started without WIJ recovery" + (hadWork ? ": the active cycle " + header.cycleNumber +
            " with " + header.recordCount + " blocks was NOT applied" : "") + "; the WIJ is marked deleted");
    }

    // ------------------------------------------------------------------ restore

    private int restore() throws IOException, WijRecoveryException
    {
        final long startNs = System.nanoTime();
        final List<Integer> pending = new ArrayList<>();
        for (int d = 0; d < descriptor.datasetCount(); d++)
        {
            if (!header.isPending(descriptor.datasetIndex(d)))
            {
                continue;
            }
            final String path = descriptor.datasetPath(d);
            final String name = nameOf(path);
            if (options.skipDatasets().contains(name) || options.skipDatasets().contains(path))
            {
                log.severe(SUBSYSTEM, "WIJ restore of dataset " + name + " (" + path + ") SKIPPED by operator " +
                    "override: the database may be corrupt; run an integrity check");
                markRestored(d);
                continue;
            }
            pending.add(d);
        }
        log.info(SUBSYSTEM, "restoring cycle " + header.cycleNumber + ": " + header.recordCount + " blocks into " +
            pending.size() + " dataset(s)");

        final Map<Integer, String> failed = new LinkedHashMap<>();
        int restored = 0;
        if (pending.size() > 1)
        {
            final ExecutorService executor = Executors.newFixedThreadPool(Math.min(config.restoreThreads(),
                pending.size()),
                r ->
                {
                    final Thread t = new Thread(r, "wij-restore");
                    t.setDaemon(true);
                    return t;
                });
            try
            {
                final List<Future<Integer>> futures = new ArrayList<>();
                for (final int d : pending)
                {
                    futures.add(executor.submit(() -> restoreDataset(d)));
                }
                for (int k = 0; k < pending.size(); k++)
                {
                    try
                    {
                        restored += futures.get(k).get();
                        markRestored(pending.get(k));
                    }
                    catch (final java.util.concurrent.ExecutionException ex)
                    {
                        failed.put(pending.get(k), String.valueOf(ex.getCause().getMessage()));
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted during WIJ restore", ex);
                    }
                }
            }
            finally
            {
                executor.shutdownNow();
            }
            if (!failed.isEmpty())
            {
                log.warning(SUBSYSTEM, "parallel restore failed for " + failed.size() + " dataset(s); restoring " +
                    "them one at a time");
            }
        }
        final List<Integer> serial = pending.size() > 1 ? new ArrayList<>(failed.keySet()) : pending;
        failed.clear();
        for (final int d : serial)
        {
            try
            {
                restored += restoreDataset(d);
                markRestored(d);
            }
            catch (final IOException | RuntimeException ex)
            {
                failed.put(d, ex.getMessage());
                log.fatal(SUBSYSTEM, "WIJ restore of dataset " + nameOf(descriptor.datasetPath(d)) + " (" +
                    descriptor.datasetPath(d) + ") FAILED: " + ex.getMessage() +
                        "; it stays marked for the next start");
            }
        }
        if (!failed.isEmpty())
        {
            final StringBuilder names = new StringBuilder();
            for (final Map.Entry<Integer, String> e : failed.entrySet())
            {
                names.append(names.length() == 0 ? "" : "; ").append(nameOf(descriptor.datasetPath(e.getKey())))
                    .append(" (").append(descriptor.datasetPath(e.getKey())).append("): ").append(e.getValue());
            }
            throw refuse(RecoveryCase.ACTIVE_INTACT, "the WIJ could not be restored into " + failed.size() +
                " dataset(s): " + names + ". They stay marked and are retried at the next start; an operator may " +
                "skip a dataset with the override, at the risk of corruption");
        }
        final WijHeader deleted = new WijHeader();
        deleted.copyFrom(wij.header());
        deleted.state = WijHeader.STATE_EMPTY;
        deleted.clearPending();
        wij.writeHeader(deleted);
        log.info(SUBSYSTEM,
            String.format("restored %d blocks of cycle %d into %d dataset(s) in %d ms; WIJ marked deleted",
            restored, header.cycleNumber, pending.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)));
        return restored;
    }

    private synchronized void markRestored(final int datasetPosition) throws IOException
    {
        final WijHeader updated = new WijHeader();
        updated.copyFrom(wij.header());
        updated.pending(descriptor.datasetIndex(datasetPosition), false);
        wij.writeHeader(updated);
    }

    /**
     * Write one dataset's images into its block file and sync it.
     *
     * @return blocks written.
     */
    private int restoreDataset(final int position) throws IOException
    {
        final Path file = locate(position);
        final int blockSize = descriptor.datasetBlockSize(position);
        final int index = descriptor.datasetIndex(position);
        final long startNs = System.nanoTime();
        int written = 0;
        try (BlockFile target = BlockFile.openRaw(layer, file, blockSize))
        {
            checkUid(target, position, file);
            final ImageReader reader = new ImageReader();
            // Check every image first: a damaged one stops the restore before anything is written.
            for (int r = 0; r < descriptor.recordCount(); r++)
            {
                if (descriptor.recordDataset(r) == index)
                {
                    reader.image(r, blockSize);
                }
            }
            int labelSizeBlocks = 0;
            // Images of consecutive blocks lie back to back in the WIJ: write each such run at once.
            int runFirstBlock = -1;
            int runBlocks = 0;
            long runEndOffset = -1;
            ByteBuffer run = null;
            for (int r = 0; r < descriptor.recordCount(); r++)
            {
                if (descriptor.recordDataset(r) != index)
                {
                    continue;
                }
                final int block = descriptor.recordBlock(r);
                final boolean continuesRun = null != run && block == runFirstBlock + runBlocks &&
                    descriptor.recordOffset(r) == runEndOffset && reader.holds(r, blockSize);
                if (!continuesRun && null != run)
                {
                    target.writeBlock(runFirstBlock, run);
                    run = null;
                }
                final ByteBuffer image = reader.image(r, blockSize);
                if (DatabaseLabel.LABEL_BLOCK == block)
                {
                    labelSizeBlocks = DatabaseLabel.sizeBlocks(new UnsafeBuffer(image, image.position(), blockSize));
                }
                if (null == run)
                {
                    run = image;
                    runFirstBlock = block;
                    runBlocks = 1;
                }
                else
                {
                    run.limit(image.limit());
                    runBlocks++;
                }
                runEndOffset = descriptor.recordOffset(r) + blockSize;
                written++;
            }
            if (null != run)
            {
                target.writeBlock(runFirstBlock, run);
            }
            if (labelSizeBlocks > 0)
            {
                // The cycle grew the database: the growth of the file may not have been durable.
                target.ensureCapacity(labelSizeBlocks);
            }
            target.sync();
        }
        log.info(SUBSYSTEM, String.format("restored %d blocks into %s in %d ms", written, file,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)));
        return written;
    }

    private Path locate(final int position) throws IOException
    {
        final Path recorded = Path.of(descriptor.datasetPath(position)).resolve(BlockFile.FILE_NAME);
        if (Files.exists(recorded))
        {
            return recorded;
        }
        // The directory moved: find the configured database with the recorded uid.
        for (final DatasetLocation location : configured)
        {
            final Path candidate = location.directory().resolve(BlockFile.FILE_NAME);
            if (Files.exists(candidate) && readUid(candidate, descriptor.datasetBlockSize(position)) ==
                descriptor.datasetUid(position))
            {
                log.warning(SUBSYSTEM, "dataset " + descriptor.datasetPath(position) + " is now at " +
                    location.directory() + " (same database uid)");
                return candidate;
            }
        }
        throw new IOException("block file " + recorded + " not found, and no configured database has uid " +
            Long.toHexString(descriptor.datasetUid(position)));
    }

    private long readUid(final Path file, final int blockSize) throws IOException
    {
        try (BlockFile bf = BlockFile.openRaw(layer, file, blockSize))
        {
            final ByteBuffer label = ByteBuffer.allocateDirect(blockSize);
            bf.readBlock(DatabaseLabel.LABEL_BLOCK, label);
            final UnsafeBuffer view = new UnsafeBuffer(label);
            return null == DatabaseLabel.validate(view, blockSize, file.toString()) ? DatabaseLabel.uid(view) : 0;
        }
    }

    private void checkUid(final BlockFile target, final int position, final Path file) throws IOException
    {
        final int blockSize = descriptor.datasetBlockSize(position);
        final ByteBuffer label = ByteBuffer.allocateDirect(blockSize);
        target.readBlock(DatabaseLabel.LABEL_BLOCK, label);
        final UnsafeBuffer view = new UnsafeBuffer(label);
        if (null == DatabaseLabel.validate(view, blockSize, file.toString()))
        {
            if (DatabaseLabel.uid(view) != descriptor.datasetUid(position))
            {
                throw new IOException(file + " holds database uid " + Long.toHexString(DatabaseLabel.uid(view)) +
                    ", the WIJ recorded uid " + Long.toHexString(descriptor.datasetUid(position)) +
                    " for it: refusing to write another database's blocks");
            }
        }
        else
        {
            log.warning(SUBSYSTEM, file + ": label unreadable before restore (the restore may repair it)");
        }
    }

    /**
     * Reads images of the current descriptor from the WIJ in large chunks and checks each one's CRC.
     */
    private final class ImageReader
    {
        private final ByteBuffer chunk = ByteBuffer.allocateDirect(READ_CHUNK_BYTES);
        private final UnsafeBuffer chunkView = new UnsafeBuffer(chunk);
        private long chunkStart = -1;
        private int chunkLength;

        /**
         * @return true if the record's image is in the chunk already read (no read needed).
         */
        boolean holds(final int record, final int blockSize)
        {
            final long offset = descriptor.recordOffset(record);
            return offset >= chunkStart && offset + blockSize <= chunkStart + chunkLength;
        }

        ByteBuffer image(final int record, final int blockSize) throws IOException
        {
            final long offset = descriptor.recordOffset(record);
            if (offset < chunkStart || offset + blockSize > chunkStart + chunkLength)
            {
                chunk.clear();
                chunkLength = wij.readImage(offset, chunk);
                chunkStart = offset;
                if (chunkLength < blockSize)
                {
                    throw new IOException(wij.path() + " offset " + offset + ": image of block " +
                        descriptor.recordBlock(record) + " truncated (" + chunkLength + " of " + blockSize + " bytes)");
                }
            }
            final int at = (int)(offset - chunkStart);
            final int crc = Crc32c.INSTANCE.compute(chunkView.addressOffset(), at, blockSize);
            if (crc != descriptor.recordCrc(record))
            {
                throw new IOException(wij.path() + " offset " + offset + ": image of block " +
                    descriptor.recordBlock(record) + " fails its checksum (stored 0x" +
                    Integer.toHexString(descriptor.recordCrc(record)) + ", computed 0x" + Integer.toHexString(crc) +
                        ")");
            }
            final ByteBuffer image = chunk.duplicate();
            image.limit(at + blockSize).position(at);
            return image;
        }
    }

    // ------------------------------------------------------------------ compare

    private int compare() throws IOException, WijRecoveryException
    {
        final long startNs = System.nanoTime();
        final long limitNs = TimeUnit.MILLISECONDS.toNanos(config.compareTimeLimitMs());
        final List<Integer> mismatches = new ArrayList<>();
        final Map<Integer, BlockFile> files = new LinkedHashMap<>();
        final ImageReader reader = new ImageReader();
        int compared = 0;
        boolean stoppedAtLimit = false;
        try
        {
            for (int r = 0; r < descriptor.recordCount(); r++)
            {
                if (mismatches.isEmpty() && System.nanoTime() - startNs > limitNs)
                {
                    stoppedAtLimit = true;
                    break;
                }
                final int position = descriptor.datasetPosition(descriptor.recordDataset(r));
                final int blockSize = descriptor.datasetBlockSize(position);
                final BlockFile file = openForCompare(files, position);
                if (null == file)
                {
                    continue;
                }
                final ByteBuffer image;
                try
                {
                    image = reader.image(r, blockSize);
                }
                catch (final IOException ex)
                {
                    log.warning(SUBSYSTEM, "block comparison skips a WIJ image: " + ex.getMessage());
                    continue;
                }
                final ByteBuffer current = ByteBuffer.allocateDirect(blockSize);
                file.readBlock(descriptor.recordBlock(r), current);
                current.flip();
                compared++;
                if (!image.equals(current))
                {
                    mismatches.add(r);
                }
            }
        }
        finally
        {
            for (final BlockFile file : files.values())
            {
                if (null != file)
                {
                    file.close();
                }
            }
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        if (mismatches.isEmpty())
        {
            log.info(SUBSYSTEM, "block comparison of cycle " + header.cycleNumber + ": " + compared + " of " +
                descriptor.recordCount() + " blocks match" + (stoppedAtLimit ? ", stopped at the " +
                config.compareTimeLimitMs() + " ms limit" : "") + " (" + elapsedMs + " ms)");
            return compared;
        }
        MismatchFile.write(layer, config.mismatchPath(), wij, descriptor, mismatches);
        final StringBuilder where = new StringBuilder();
        for (int i = 0; i < Math.min(10, mismatches.size()); i++)
        {
            final int r = mismatches.get(i);
            final int position = descriptor.datasetPosition(descriptor.recordDataset(r));
            where.append(i == 0 ? "" : ", ").append(nameOf(descriptor.datasetPath(position)))
                .append(" block ").append(descriptor.recordBlock(r));
        }
        log.fatal(SUBSYSTEM, mismatches.size() + " of " + compared + " compared blocks differ from the WIJ (" + where +
            (mismatches.size() > 10 ? ", ..." : "") + "); written to " + config.mismatchPath());
        throw refuse(RecoveryCase.COMPLETE_AFTER_CRASH, mismatches.size() +
            " block(s) of the last write daemon cycle " +
            "differ from the databases (" + where + "); the WIJ images are in " + config.mismatchPath() +
            ". Use 'bulwark recover' to list, view or apply them and to rename the file before starting");
    }

    private BlockFile openForCompare(final Map<Integer, BlockFile> files, final int position)
    {
        if (files.containsKey(position))
        {
            return files.get(position);
        }
        BlockFile file = null;
        try
        {
            file = BlockFile.openRaw(layer, locate(position), descriptor.datasetBlockSize(position));
        }
        catch (final IOException ex)
        {
            log.warning(SUBSYSTEM, "block comparison skips dataset " + descriptor.datasetPath(position) + ": " +
                ex.getMessage());
        }
        files.put(position, file);
        return file;
    }

    private String nameOf(final String path)
    {
        for (final DatasetLocation location : configured)
        {
            if (location.directory().toAbsolutePath().toString().equals(path))
            {
                return location.name();
            }
        }
        return Path.of(path).getFileName().toString();
    }
}
