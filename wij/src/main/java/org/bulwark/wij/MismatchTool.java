package org.bulwark.wij;

import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.Store;
import org.bulwark.store.block.BlockFile;
import org.bulwark.store.block.BlockLayout;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.log.MessageLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The operations of the recovery tool on {@code MISMATCH.WIJ} and on mounts (SPEC W-6): list the
 * affected databases and their blocks, view a block (WIJ image against the database), apply the
 * images, rename the file, dismount and mount a database. Each is usable on its own from a script;
 * every action is logged to {@code messages.log}. The instance must not be running.
 */
public final class MismatchTool
{
    private static final String SUBSYSTEM = "RECOVER";

    private final WijConfig config;
    private final List<DatasetLocation> configured;
    private final FileLayer layer;
    private final MessageLog log;

    /**
     * One affected database.
     */
    public record Affected(String name, String directory, long uid, int blockSizeBytes, List<Integer> blocks)
    {
    }

    public MismatchTool(
        final WijConfig config, final List<DatasetLocation> configured, final FileLayer layer, final MessageLog log)
    {
        this.config = config;
        this.configured = configured;
        this.layer = layer;
        this.log = log;
    }

    public boolean mismatchPresent()
    {
        return Files.exists(config.mismatchPath());
    }

    /**
     * @return the databases named in MISMATCH.WIJ with their block numbers.
     */
    public List<Affected> list() throws IOException
    {
        final CycleDescriptor descriptor = new CycleDescriptor();
        openMismatch(descriptor).close();
        final List<Affected> affected = new ArrayList<>();
        for (int d = 0; d < descriptor.datasetCount(); d++)
        {
            final List<Integer> blocks = new ArrayList<>();
            for (int r = 0; r < descriptor.recordCount(); r++)
            {
                if (descriptor.recordDataset(r) == descriptor.datasetIndex(d))
                {
                    blocks.add(descriptor.recordBlock(r));
                }
            }
            affected.add(new Affected(nameOf(descriptor.datasetPath(d)), descriptor.datasetPath(d),
                descriptor.datasetUid(d), descriptor.datasetBlockSize(d), blocks));
        }
        log.info(SUBSYSTEM, "listed " + config.mismatchPath() + ": " + descriptor.recordCount() + " blocks in " +
            affected.size() + " database(s)");
        return affected;
    }

    /**
     * @return a description of one block: the WIJ image and the database's block side by side.
     */
    public String view(final String database, final int block) throws IOException
    {
        final CycleDescriptor descriptor = new CycleDescriptor();
        try (WijFile file = openMismatch(descriptor))
        {
            final int record = findRecord(descriptor, database, block);
            final int position = descriptor.datasetPosition(descriptor.recordDataset(record));
            final int blockSize = descriptor.datasetBlockSize(position);
            final ByteBuffer image = ByteBuffer.allocateDirect(blockSize);
            file.readImage(descriptor.recordOffset(record), image);
            final ByteBuffer current = ByteBuffer.allocateDirect(blockSize);
            final Path dbFile = Path.of(descriptor.datasetPath(position)).resolve(BlockFile.FILE_NAME);
            try (BlockFile target = BlockFile.openRaw(layer, dbFile, blockSize))
            {
                target.readBlock(block, current);
            }
            final UnsafeBuffer wijView = new UnsafeBuffer(image);
            final UnsafeBuffer dbView = new UnsafeBuffer(current);
            final StringBuilder out = new StringBuilder();
            out.append("Block ").append(block).append(" of ").append(nameOf(descriptor.datasetPath(position)))
                .append(" (").append(dbFile).append("), cycle ").append(descriptor.cycleNumber()).append('\n');
            out.append("  WIJ image: ").append(describe(wijView, blockSize)).append('\n');
            out.append("  database:  ").append(describe(dbView, blockSize)).append('\n');
            int differing = 0;
            int first = -1;
            for (int i = 0; i < blockSize; i++)
            {
                if (wijView.getByte(i) != dbView.getByte(i))
                {
                    differing++;
                    if (first < 0)
                    {
                        first = i;
                    }
                }
            }
            out.append("  ").append(differing).append(" of ").append(blockSize).append(" bytes differ");
            if (first >= 0)
            {
                out.append(", first at offset ").append(first).append('\n');
                final int from = first & ~15;
                out.append("  WIJ      ").append(hex(wijView, from, Math.min(blockSize, from + 32))).append('\n');
                out.append("  database ").append(hex(dbView, from, Math.min(blockSize, from + 32))).append('\n');
            }
            else
            {
                out.append('\n');
            }
            log.info(SUBSYSTEM, "viewed block " + block + " of " + database + ": " + differing + " bytes differ");
            return out.toString();
        }
    }

    /**
     * Write the images of MISMATCH.WIJ into their databases (all, or one database) and sync them.
     *
     * @return blocks written.
     */
    public int apply(final String onlyDatabase) throws IOException
    {
        final CycleDescriptor descriptor = new CycleDescriptor();
        int applied = 0;
        try (WijFile file = openMismatch(descriptor))
        {
            for (int d = 0; d < descriptor.datasetCount(); d++)
            {
                final String name = nameOf(descriptor.datasetPath(d));
                if (null != onlyDatabase && !name.equalsIgnoreCase(onlyDatabase) &&
                    !descriptor.datasetPath(d).equals(onlyDatabase))
                {
                    continue;
                }
                final int blockSize = descriptor.datasetBlockSize(d);
                final Path dbFile = Path.of(descriptor.datasetPath(d)).resolve(BlockFile.FILE_NAME);
                int count = 0;
                try (BlockFile target = BlockFile.openRaw(layer, dbFile, blockSize))
                {
                    for (int r = 0; r < descriptor.recordCount(); r++)
                    {
                        if (descriptor.recordDataset(r) != descriptor.datasetIndex(d))
                        {
                            continue;
                        }
                        final ByteBuffer image = ByteBuffer.allocateDirect(blockSize);
                        file.readImage(descriptor.recordOffset(r), image);
                        image.flip();
                        final int crc = org.agrona.checksum.Crc32c.INSTANCE.compute(
                            new UnsafeBuffer(image).addressOffset(), 0, blockSize);
                        if (crc != descriptor.recordCrc(r))
                        {
                            throw new IOException(config.mismatchPath() + " offset " + descriptor.recordOffset(r) +
                                ": image of block " + descriptor.recordBlock(r) +
                                    " fails its checksum; nothing more applied");
                        }
                        target.writeBlock(descriptor.recordBlock(r), image);
                        count++;
                    }
                    target.sync();
                }
                applied += count;
                log.warning(SUBSYSTEM, "applied " + count + " block(s) from " + config.mismatchPath() + " to " + name +
                    " (" + dbFile + ")");
            }
        }
        if (null != onlyDatabase && 0 == applied)
        {
            throw new IOException("MISMATCH.WIJ holds no blocks of database " + onlyDatabase);
        }
        return applied;
    }

    /**
     * Rename MISMATCH.WIJ with the date, so that startup may continue.
     */
    public Path rename(final LocalDate today) throws IOException
    {
        final Path renamed = MismatchFile.rename(layer, config.mismatchPath(), today);
        log.warning(SUBSYSTEM, "renamed " + config.mismatchPath() + " to " + renamed);
        return renamed;
    }

    /**
     * Keep a database from being mounted at the next start.
     */
    public void dismount(final String database) throws IOException
    {
        final Path directory = directoryOf(database);
        Files.writeString(directory.resolve(Store.DISMOUNTED_MARKER),
            "dismounted by the recovery tool at " + java.time.Instant.now() + "\n", StandardCharsets.UTF_8);
        layer.syncDirectory(directory);
        log.warning(SUBSYSTEM, "dismounted database " + database + " (" + directory + ")");
    }

    /**
     * Let a dismounted database be mounted again.
     */
    public void mount(final String database) throws IOException
    {
        final Path directory = directoryOf(database);
        if (!Files.deleteIfExists(directory.resolve(Store.DISMOUNTED_MARKER)))
        {
            throw new IOException("database " + database + " is not dismounted");
        }
        layer.syncDirectory(directory);
        log.info(SUBSYSTEM, "mounted database " + database + " (" + directory + ")");
    }

    private Path directoryOf(final String database) throws IOException
    {
        for (final DatasetLocation location : configured)
        {
            if (location.name().equalsIgnoreCase(database))
            {
                return location.directory();
            }
        }
        throw new IOException("no configured database " + database);
    }

    private WijFile openMismatch(final CycleDescriptor descriptor) throws IOException
    {
        if (!mismatchPresent())
        {
            throw new IOException("no " + config.mismatchPath() + ": nothing to list, view or apply");
        }
        final WijFile file = WijFile.open(layer, config.mismatchPath(), false);
        try
        {
            final WijHeader header = file.readHeader();
            if (null == header)
            {
                throw new IOException("damaged MISMATCH.WIJ header: " + file.headerProblem());
            }
            if (header.state != WijHeader.STATE_MISMATCH)
            {
                throw new IOException(config.mismatchPath() + " has state " + WijHeader.stateName(header.state));
            }
            final String problem = file.readDescriptor(header, descriptor, new ExpandableDirectByteBuffer(4096));
            if (null != problem)
            {
                throw new IOException(problem);
            }
            return file;
        }
        catch (final IOException | RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    private int findRecord(final CycleDescriptor descriptor, final String database, final int block) throws IOException
    {
        for (int r = 0; r < descriptor.recordCount(); r++)
        {
            final int position = descriptor.datasetPosition(descriptor.recordDataset(r));
            final String path = descriptor.datasetPath(position);
            if (descriptor.recordBlock(r) == block && (nameOf(path).equalsIgnoreCase(database) ||
                path.equals(database)))
            {
                return r;
            }
        }
        throw new IOException("MISMATCH.WIJ holds no block " + block + " of " + database);
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

    private static String describe(final UnsafeBuffer block, final int blockSize)
    {
        if (BlockLayout.isAllZero(block, blockSize))
        {
            return "all zeros";
        }
        return BlockLayout.typeName(BlockLayout.type(block)) + " block " + BlockLayout.blockNumber(block) +
            ", level " + block.getShort(BlockLayout.LEVEL_OFFSET) + ", tree " +
                block.getInt(BlockLayout.TREE_ID_OFFSET) +
            ", " + (block.getShort(BlockLayout.COUNT_OFFSET) & 0xFFFF) + " entries, journal position " +
            BlockLayout.journalPosition(block) + ", checksum " +
            (BlockLayout.checksumMatches(block, blockSize) ? "valid" : "INVALID");
    }

    private static String hex(final UnsafeBuffer buffer, final int from, final int to)
    {
        final StringBuilder out = new StringBuilder(String.format("%6d:", from));
        for (int i = from; i < to; i++)
        {
            out.append(String.format(" %02x", buffer.getByte(i) & 0xFF));
        }
        return out.toString();
    }
}
