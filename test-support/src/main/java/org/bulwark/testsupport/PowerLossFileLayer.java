package org.bulwark.testsupport;

import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.ForwardingDurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.io.SyncLevel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * A file layer for simulated power loss (SPEC F-2): it can drop every write not yet made durable
 * and tear a write at 512-byte boundaries at the crash point.
 * <p>
 * Every operation passes straight through to {@link NioFileLayer#INSTANCE}, because the store reads
 * block files through a separate mapping of the real file and must see every write at once. On
 * the side the layer records a trace, in one order across all files, of {@code WRITE}s (with a
 * copy of the bytes), {@code SET_LENGTH}s and {@code SYNC}s. Reads are not recorded. A crash image
 * for a cut just before trace event {@code i} is then built per file from the file's durable base
 * (its content when first opened under the current recording):
 * <ul>
 *     <li>writes and length changes before the file's last {@link SyncLevel#DATA} or
 *     {@link SyncLevel#DATA_AND_METADATA} sync before {@code i} are durable and applied in order;</li>
 *     <li>the file's later events before {@code i} are pending and applied in trace order: each
 *     length change survives or not, and each write is cut at absolute 512-byte sector boundaries
 *     ({@code [k * 512, (k + 1) * 512)}) and each piece survives or not, so a later surviving piece
 *     overwrites an earlier one and a lost piece leaves whatever was there before.</li>
 * </ul>
 * A sync of one file makes nothing of another file durable, and a {@link SyncLevel#NONE} sync is
 * recorded (and counted) but makes nothing durable. A sync is recorded before the real sync starts,
 * so a write racing with it on another thread lands after it in the trace and stays pending.
 * <p>
 * Limits of the model: directory entries are not modelled and {@link #syncDirectory(Path)} only
 * passes through, so the files of interest must exist, with durable directory entries, before
 * recording starts (a file the layer creates is left out of images cut before its creation and is
 * otherwise present; renames and deletes are invisible). File contents are held in memory, so this
 * is for test-sized files. Files are identified by absolute normalized path, which must share its
 * form (no symlink aliasing) with the {@code sourceRoot} given to the image methods. A write or
 * length change whose real operation fails is not recorded; a sync whose real operation fails is.
 * <p>
 * Thread-safe: one lock orders each real write or length change together with its trace entry, so
 * the trace order is the order the real file saw; it also serializes I/O through the layer, which
 * is fine for tests.
 */
public final class PowerLossFileLayer implements FileLayer
{
    /** The unit a disk writes atomically: a torn write keeps or loses whole sectors. */
    public static final int SECTOR_SIZE_BYTES = 512;

    private final Object lock = new Object();
    private final ArrayList<TraceEvent> trace = new ArrayList<>();
    private final Map<Path, RecordedFile> filesByPath = new HashMap<>();
    private final List<RecordingFile> openFiles = new ArrayList<>();
    private long syncCount;

    /**
     * A layer that is recording from now on: files that exist when first opened count as durable.
     */
    public PowerLossFileLayer()
    {
    }

    @Override
    public DurableFile open(final Path path, final boolean create) throws IOException
    {
        final Path key = key(path);
        synchronized (lock)
        {
            final boolean existed = Files.exists(key);
            final DurableFile delegate = NioFileLayer.INSTANCE.open(path, create);
            try
            {
                final RecordingFile file = new RecordingFile(key, delegate);
                if (!filesByPath.containsKey(key))
                {
                    final long createdAt = existed ? RecordedFile.EXISTED : trace.size();
                    filesByPath.put(key, new RecordedFile(key, snapshot(delegate), createdAt));
                }
                openFiles.add(file);
                return file;
            }
            catch (final IOException | RuntimeException ex)
            {
                delegate.close();
                throw ex;
            }
        }
    }

    /**
     * Passes through; directory entries are not modelled (see the class comment).
     */
    @Override
    public void syncDirectory(final Path directory) throws IOException
    {
        NioFileLayer.INSTANCE.syncDirectory(directory);
    }

    /**
     * Start a fresh trace, typically after a test's setup phase: everything on disk now counts as
     * durable. Open files are snapshotted now, other files when next opened.
     */
    public void startRecording() throws IOException
    {
        synchronized (lock)
        {
            trace.clear();
            syncCount = 0;
            filesByPath.clear();
            for (final RecordingFile file : openFiles)
            {
                if (!filesByPath.containsKey(file.path))
                {
                    final byte[] durableBase = snapshot(file.delegate());
                    filesByPath.put(file.path, new RecordedFile(file.path, durableBase, RecordedFile.EXISTED));
                }
            }
        }
    }

    /**
     * @return events in the trace so far; a crash image may be cut at {@code 0..eventCount()}.
     */
    public long eventCount()
    {
        synchronized (lock)
        {
            return trace.size();
        }
    }

    /**
     * @return SYNC events in the trace so far, of any level (a test can wait for the next sync).
     */
    public long syncCount()
    {
        synchronized (lock)
        {
            return syncCount;
        }
    }

    /**
     * The trace index of every SYNC event, of any level, in order: cutting at {@code i} crashes
     * just before that sync, at {@code i + 1} just after it.
     */
    public List<Long> syncEventIndexes()
    {
        synchronized (lock)
        {
            final List<Long> indexes = new ArrayList<>();
            for (int i = 0; i < trace.size(); i++)
            {
                if (trace.get(i).type == TraceEvent.Type.SYNC)
                {
                    indexes.add((long)i);
                }
            }
            return indexes;
        }
    }

    /**
     * Write under {@code targetRoot} what the disk could hold after power was cut just before trace
     * event {@code eventIndex}: each pending length change and each pending 512-byte sector of each
     * pending write survives with probability one half. Files under {@code sourceRoot} that were not
     * recorded are copied as they are; recorded files outside it are ignored.
     *
     * @param eventIndex the cut, {@code 0..eventCount()}.
     * @param sourceRoot the real directory tree the files live in.
     * @param targetRoot where the image goes: absent or empty, and not inside {@code sourceRoot}.
     * @param random     decides what survives; files are visited in path order, so a seed reproduces
     *                   an image. One {@code nextLong()} is drawn to seed a {@link SplittableRandom} for
     *                   the decisions, because the first draws of {@link Random}s with consecutive small
     *                   seeds are nearly identical and a sweep over seeds 0..n would tear nothing.
     */
    public void writeCrashImage(
        final long eventIndex, final Path sourceRoot, final Path targetRoot, final Random random) throws IOException
    {
        final SplittableRandom decisions = new SplittableRandom(random.nextLong());
        writeImage(eventIndex, sourceRoot, targetRoot, decisions::nextBoolean);
    }

    /**
     * As {@link #writeCrashImage(long, Path, Path, Random)} but every pending event survives: the
     * image is what the real files held at the cut.
     */
    public void writeCrashImageKeepingPending(final long eventIndex, final Path sourceRoot, final Path targetRoot)
        throws IOException
    {
        writeImage(eventIndex, sourceRoot, targetRoot, () -> true);
    }

    /**
     * As {@link #writeCrashImage(long, Path, Path, Random)} but every pending event is lost: only
     * what was synced before the cut remains.
     */
    public void writeCrashImageDroppingPending(final long eventIndex, final Path sourceRoot, final Path targetRoot)
        throws IOException
    {
        writeImage(eventIndex, sourceRoot, targetRoot, () -> false);
    }

    private void writeImage(
        final long eventIndex, final Path sourceRoot, final Path targetRoot, final BooleanSupplier survives)
        throws IOException
    {
        final Path source = key(sourceRoot);
        final Path target = key(targetRoot);
        if (target.startsWith(source) || source.startsWith(target))
        {
            throw new IllegalArgumentException("source and target overlap: " + source + ", " + target);
        }
        requireAbsentOrEmpty(target);

        final TreeMap<Path, RecordedFile> files;
        final Map<Path, List<TraceEvent>> eventsByFile = new HashMap<>();
        synchronized (lock)
        {
            if (eventIndex < 0 || eventIndex > trace.size())
            {
                throw new IllegalArgumentException("eventIndex " + eventIndex + " not in 0.." + trace.size());
            }
            files = new TreeMap<>(filesByPath);
            for (int i = 0; i < eventIndex; i++)
            {
                final TraceEvent event = trace.get(i);
                eventsByFile.computeIfAbsent(event.file, (ignore) -> new ArrayList<>()).add(event);
            }
        }

        Files.createDirectories(target);
        if (Files.isDirectory(source))
        {
            copyUnrecorded(source, target, files.keySet());
        }
        for (final RecordedFile file : files.values())
        {
            if (file.path.startsWith(source) && file.existsAt(eventIndex))
            {
                final List<TraceEvent> events = eventsByFile.getOrDefault(file.path, List.of());
                final FileImage image = imageOf(file, events, survives);
                final Path out = target.resolve(source.relativize(file.path));
                Files.createDirectories(out.getParent());
                image.writeTo(out);
            }
        }
    }

    private static FileImage imageOf(
        final RecordedFile file, final List<TraceEvent> events, final BooleanSupplier survives)
    {
        int lastDurableSync = -1;
        for (int i = 0; i < events.size(); i++)
        {
            if (events.get(i).isDurableSync())
            {
                lastDurableSync = i;
            }
        }

        final FileImage image = new FileImage(file.durableBase);
        for (int i = 0; i < events.size(); i++)
        {
            final TraceEvent event = events.get(i);
            final boolean durable = i < lastDurableSync;
            if (event.type == TraceEvent.Type.SET_LENGTH)
            {
                if (durable || survives.getAsBoolean())
                {
                    image.setLength(event.position);
                }
            }
            else if (event.type == TraceEvent.Type.WRITE)
            {
                if (durable)
                {
                    image.write(event.position, event.data, 0, event.data.length);
                }
                else
                {
                    applyTorn(image, event, survives);
                }
            }
        }
        return image;
    }

    private static void applyTorn(final FileImage image, final TraceEvent write, final BooleanSupplier survives)
    {
        final byte[] data = write.data;
        long position = write.position;
        int offset = 0;
        while (offset < data.length)
        {
            final long sectorEnd = (position / SECTOR_SIZE_BYTES + 1) * SECTOR_SIZE_BYTES;
            final int pieceBytes = (int)Math.min(data.length - offset, sectorEnd - position);
            if (survives.getAsBoolean())
            {
                image.write(position, data, offset, pieceBytes);
            }
            position += pieceBytes;
            offset += pieceBytes;
        }
    }

    private static void copyUnrecorded(final Path source, final Path target, final Set<Path> recorded)
        throws IOException
    {
        Files.walkFileTree(source, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult preVisitDirectory(final Path dir, final BasicFileAttributes attrs)
                throws IOException
            {
                Files.createDirectories(target.resolve(source.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                if (!recorded.contains(file))
                {
                    try
                    {
                        Files.copy(file, target.resolve(source.relativize(file)), LinkOption.NOFOLLOW_LINKS);
                    }
                    catch (final NoSuchFileException ignore)
                    {
                        // Deleted while walking: it is not part of the image.
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(final Path file, final IOException ex) throws IOException
            {
                if (ex instanceof NoSuchFileException)
                {
                    return FileVisitResult.CONTINUE;
                }
                throw ex;
            }
        });
    }

    private static void requireAbsentOrEmpty(final Path target) throws IOException
    {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS))
        {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))
            {
                throw new IllegalArgumentException("target is not a directory: " + target);
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(target))
            {
                if (entries.iterator().hasNext())
                {
                    throw new IllegalArgumentException("target is not empty (stale files would mix in): " + target);
                }
            }
        }
    }

    private static Path key(final Path path)
    {
        return path.toAbsolutePath().normalize();
    }

    private static byte[] snapshot(final DurableFile file) throws IOException
    {
        final long sizeBytes = file.size();
        if (sizeBytes > Integer.MAX_VALUE - 8)
        {
            throw new IOException("file too large to snapshot in memory: " + file.path() + " " + sizeBytes + " bytes");
        }
        final ByteBuffer content = ByteBuffer.allocate((int)sizeBytes);
        file.read(content, 0);
        return content.array();
    }

    private static byte[] copyRemaining(final ByteBuffer src)
    {
        final byte[] copy = new byte[src.remaining()];
        src.duplicate().get(copy);
        return copy;
    }

    private void append(final TraceEvent event)
    {
        trace.add(event);
        if (event.type == TraceEvent.Type.SYNC)
        {
            syncCount++;
        }
    }

    /**
     * A real file whose changes are also appended to the trace.
     */
    private final class RecordingFile extends ForwardingDurableFile
    {
        private final Path path;

        RecordingFile(final Path path, final DurableFile delegate)
        {
            super(delegate);
            this.path = path;
        }

        @Override
        public void setLength(final long sizeBytes) throws IOException
        {
            synchronized (lock)
            {
                delegate.setLength(sizeBytes);
                append(TraceEvent.setLength(path, sizeBytes));
            }
        }

        @Override
        public void write(final ByteBuffer src, final long position) throws IOException
        {
            final byte[] copy = copyRemaining(src);
            synchronized (lock)
            {
                delegate.write(src, position);
                append(TraceEvent.write(path, position, copy));
            }
        }

        /**
         * Recorded as one WRITE of the buffers' bytes back to back.
         */
        @Override
        public void write(final ByteBuffer[] srcs, final int offset, final int length, final long position)
            throws IOException
        {
            int totalBytes = 0;
            for (int i = offset; i < offset + length; i++)
            {
                totalBytes = Math.addExact(totalBytes, srcs[i].remaining());
            }
            final byte[] copy = new byte[totalBytes];
            int at = 0;
            for (int i = offset; i < offset + length; i++)
            {
                final ByteBuffer src = srcs[i].duplicate();
                final int n = src.remaining();
                src.get(copy, at, n);
                at += n;
            }
            synchronized (lock)
            {
                delegate.write(srcs, offset, length, position);
                append(TraceEvent.write(path, position, copy));
            }
        }

        @Override
        public void sync(final SyncLevel level) throws IOException
        {
            synchronized (lock)
            {
                append(TraceEvent.sync(path, level));
            }
            delegate.sync(level);
        }

        @Override
        public void close() throws IOException
        {
            synchronized (lock)
            {
                openFiles.remove(this);
            }
            delegate.close();
        }
    }
}
