package org.bulwark.wij;

import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.checksum.Crc32c;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.SyncLevel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@code MISMATCH.WIJ} (SPEC W-5, W-6): the WIJ images that differed from the databases at the
 * block comparison, in the WIJ's own format with state MISMATCH. Its presence refuses normal
 * startup until the operator renames it.
 */
public final class MismatchFile
{
    private MismatchFile()
    {
    }

    /**
     * Write the records {@code mismatches} of {@code source}'s current cycle to {@code path}
     * (through a temporary file, synced, then renamed, then the directory synced).
     */
    static void write(
        final FileLayer layer,
        final Path path,
        final WijFile source,
        final CycleDescriptor descriptor,
        final List<Integer> mismatches) throws IOException
    {
        final CycleDescriptor subset = new CycleDescriptor();
        subset.reset(descriptor.cycleNumber());
        int length = CycleDescriptor.HEADER_LENGTH + mismatches.size() * CycleDescriptor.RECORD_LENGTH;
        for (final int r : mismatches)
        {
            final int position = descriptor.datasetPosition(descriptor.recordDataset(r));
            if (subset.datasetPosition(descriptor.datasetIndex(position)) < 0)
            {
                subset.addDataset(descriptor.datasetIndex(position), descriptor.datasetBlockSize(position),
                    descriptor.datasetUid(position), descriptor.datasetPath(position));
                length += 18 +
                    descriptor.datasetPath(position).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            }
        }
        long offset = WijFile.imagesStart(length);
        for (final int r : mismatches)
        {
            final int position = descriptor.datasetPosition(descriptor.recordDataset(r));
            subset.addRecord(descriptor.recordDataset(r), descriptor.recordBlock(r), offset, descriptor.recordCrc(r));
            offset += descriptor.datasetBlockSize(position);
        }

        final Path temp = path.resolveSibling(path.getFileName() + ".writing");
        Files.deleteIfExists(temp);
        try (WijFile out = WijFile.open(layer, temp, true))
        {
            final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(length);
            final int encoded = subset.encode(buffer);
            final ByteBuffer view = buffer.byteBuffer().duplicate();
            view.clear().limit(encoded);
            out.file().write(view, WijFile.DESCRIPTOR_OFFSET);
            for (int i = 0; i < mismatches.size(); i++)
            {
                final int r = mismatches.get(i);
                final int position = descriptor.datasetPosition(descriptor.recordDataset(r));
                final int blockSize = descriptor.datasetBlockSize(position);
                final ByteBuffer image = ByteBuffer.allocateDirect(blockSize);
                source.readImage(descriptor.recordOffset(r), image);
                image.flip();
                out.file().write(image, subset.recordOffset(i));
            }
            final WijHeader header = new WijHeader();
            header.state = WijHeader.STATE_MISMATCH;
            header.cycleNumber = descriptor.cycleNumber();
            header.recordCount = mismatches.size();
            header.descriptorOffset = WijFile.DESCRIPTOR_OFFSET;
            header.descriptorLength = encoded;
            header.descriptorCrc = Crc32c.INSTANCE.compute(buffer.addressOffset(), 0, encoded);
            header.dataEnd = offset;
            out.file().sync(SyncLevel.DATA_AND_METADATA);
            out.writeHeader(header);
        }
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
        layer.syncDirectory(path.getParent());
    }

    /**
     * Rename {@code MISMATCH.WIJ} to {@code MISMATCH.WIJ.YYYYMMDD}, or {@code ..._1}, {@code _2} …
     * when that name is taken.
     *
     * @return the new path.
     */
    public static Path rename(final FileLayer layer, final Path path, final LocalDate date) throws IOException
    {
        if (!Files.exists(path))
        {
            throw new IOException(path + " does not exist");
        }
        final String base = path.getFileName() + "." + date.format(DateTimeFormatter.BASIC_ISO_DATE);
        Path target = path.resolveSibling(base);
        for (int n = 1; Files.exists(target); n++)
        {
            target = path.resolveSibling(base + "_" + n);
        }
        Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
        layer.syncDirectory(path.getParent());
        return target;
    }
}
