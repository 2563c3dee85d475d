package org.bulwark.server.metrics;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A read-only view of a member's counters file from any process ({@code bulwark stat}): maps the
 * file, checks its header and gives an Agrona {@link CountersReader} over it. Needs nothing of the
 * member but the file layout ({@link CountersFile}).
 */
public final class CountersFileReader implements AutoCloseable
{
    private final Path path;
    private final MappedByteBuffer mapping;
    private final UnsafeBuffer header;
    private final CountersReader reader;

    private CountersFileReader(final Path path, final MappedByteBuffer mapping, final int metadataLength,
        final int valuesLength)
    {
        this.path = path;
        this.mapping = mapping;
        this.header = new UnsafeBuffer(mapping, 0, CountersFile.HEADER_LENGTH);
        this.reader = new CountersReader(
            new UnsafeBuffer(mapping, CountersFile.HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapping, CountersFile.HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.UTF_8);
    }

    /**
     * A member that is not there: no counters file, or one left by a member that is gone.
     */
    public static final class NoMemberException extends IOException
    {
        private static final long serialVersionUID = 1L;

        public NoMemberException(final String message)
        {
            super(message);
        }
    }

    /**
     * Map the counters file of the member on a data directory.
     *
     * @throws NoMemberException if no member is running there (the message says how we know).
     * @throws IOException       if the file is not a counters file this version understands.
     */
    public static CountersFileReader open(final Path dataDirectory) throws IOException
    {
        final Path path = CountersFile.pathIn(dataDirectory);
        if (!Files.exists(path))
        {
            throw new NoMemberException("no member is running on " + dataDirectory.toAbsolutePath() + ": there is no " +
                "counters file " + path.toAbsolutePath());
        }
        final long size = Files.size(path);
        if (size < CountersFile.HEADER_LENGTH)
        {
            throw new IOException(path.toAbsolutePath() + " is not a counters file: " + size + " bytes, shorter than " +
                "its " + CountersFile.HEADER_LENGTH + "-byte header");
        }
        final MappedByteBuffer mapping = IoUtil.mapExistingFile(path.toFile(), FileChannel.MapMode.READ_ONLY,
            CountersFile.FILE_NAME);
        try
        {
            final UnsafeBuffer header = new UnsafeBuffer(mapping, 0, CountersFile.HEADER_LENGTH);
            final int magic = header.getInt(CountersFile.MAGIC_OFFSET);
            final int version = header.getInt(CountersFile.VERSION_OFFSET);
            if (magic != CountersFile.MAGIC || version != CountersFile.VERSION)
            {
                throw new IOException(path.toAbsolutePath() + " is not a version " + CountersFile.VERSION +
                    " counters file: magic 0x" + Integer.toHexString(magic) + ", version " + version);
            }
            final int metadataLength = header.getInt(CountersFile.METADATA_LENGTH_OFFSET);
            final int valuesLength = header.getInt(CountersFile.VALUES_LENGTH_OFFSET);
            if (metadataLength <= 0 || valuesLength <= 0 ||
                CountersFile.HEADER_LENGTH + (long)metadataLength + valuesLength > size)
            {
                throw new IOException(path.toAbsolutePath() + ": metadata length " + metadataLength +
                    " and values length " + valuesLength + " do not fit its " + size + " bytes");
            }
            final CountersFileReader file = new CountersFileReader(path, mapping, metadataLength, valuesLength);
            final String gone = file.whyNotRunning();
            if (null != gone)
            {
                throw new NoMemberException("no member is running on " + dataDirectory.toAbsolutePath() + ": " + gone);
            }
            return file;
        }
        catch (final IOException | RuntimeException ex)
        {
            IoUtil.unmap(mapping);
            throw ex;
        }
    }

    /**
     * @return null while the member that wrote the file runs, else why it does not.
     */
    public String whyNotRunning()
    {
        final int state = header.getIntAcquire(CountersFile.STATE_OFFSET);
        final long pid = pid();
        if (CountersFile.STATE_CLOSED == state)
        {
            return "the member (pid " + pid + ") shut down";
        }
        final Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive())
        {
            return path.toAbsolutePath() + " was left by pid " + pid + ", which is no longer running (a crash?)";
        }
        // A recycled pid belongs to a process that started after the member did.
        final Optional<Instant> started = process.get().info().startInstant();
        if (started.isPresent() && started.get().toEpochMilli() > startTimeMs() + 1_000)
        {
            return path.toAbsolutePath() + " was left by pid " + pid + ", now another process's";
        }
        if (CountersFile.STATE_RUNNING != state)
        {
            return "the member (pid " + pid + ") is still starting";
        }
        return null;
    }

    public long pid()
    {
        return header.getLong(CountersFile.PID_OFFSET);
    }

    public long startTimeMs()
    {
        return header.getLong(CountersFile.START_TIME_MS_OFFSET);
    }

    /**
     * @return the member's metrics interval: latency percentiles cover this long.
     */
    public int intervalMs()
    {
        return header.getInt(CountersFile.INTERVAL_MS_OFFSET);
    }

    public CountersReader reader()
    {
        return reader;
    }

    public Path path()
    {
        return path;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapping);
    }
}
