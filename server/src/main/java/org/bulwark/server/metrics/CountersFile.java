package org.bulwark.server.metrics;

import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.ConcurrentCountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The member's side of its counters file (SPEC V-5), {@code <data.directory>/bulwark.counters}:
 * Agrona counters in a memory-mapped file that other processes map read-only, as Aeron's CnC file
 * does. Created at startup, marked closed and deleted at shutdown; a member killed with -9 leaves
 * it behind with its pid, which readers find dead, and the next start replaces it.
 *
 * <pre>
 *   0                   4                   8
 *   +-------------------+-------------------+
 *   | magic 'BWCT'      | version           |  0
 *   +-------------------+-------------------+
 *   | pid of the member                     |  8
 *   +---------------------------------------+
 *   | start time, ms since the epoch        | 16
 *   +-------------------+-------------------+
 *   | metadata length   | values length     | 24
 *   +-------------------+-------------------+
 *   | state             | interval ms       | 32
 *   +-------------------+-------------------+
 *   | reserved up to HEADER_LENGTH           | 40
 *   +---------------------------------------+
 *   | Agrona counters metadata buffer       | HEADER_LENGTH
 *   +---------------------------------------+
 *   | Agrona counters values buffer         | HEADER_LENGTH + metadata length
 *   +---------------------------------------+
 * </pre>
 *
 * The state is written last, with a release store: a reader that sees {@link #STATE_RUNNING} sees
 * every counter allocated. The file is shared memory, never a record to recover from, so it has no
 * checksum: a reader validates magic, version and lengths, and the pid tells a live member.
 */
public final class CountersFile implements AutoCloseable
{
    public static final String FILE_NAME = "bulwark.counters";
    public static final int MAGIC = 0x42574354; // "BWCT"
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int PID_OFFSET = 8;
    public static final int START_TIME_MS_OFFSET = 16;
    public static final int METADATA_LENGTH_OFFSET = 24;
    public static final int VALUES_LENGTH_OFFSET = 28;
    public static final int STATE_OFFSET = 32;
    public static final int INTERVAL_MS_OFFSET = 36;
    public static final int HEADER_LENGTH = 128;

    public static final int STATE_STARTING = 0;
    public static final int STATE_RUNNING = 1;
    public static final int STATE_CLOSED = 2;

    /**
     * Room for the counters of {@link CounterDescriptor} and those later subsystems (mirroring) add.
     */
    public static final int MAX_COUNTERS = 128;

    private final Path path;
    private final UnsafeBuffer header;
    private final ConcurrentCountersManager manager;
    private boolean closed;

    private CountersFile(final Path path, final MappedByteBuffer mapping, final int metadataLength,
        final int valuesLength)
    {
        this.path = path;
        this.header = new UnsafeBuffer(mapping, 0, HEADER_LENGTH);
        final UnsafeBuffer metadata = new UnsafeBuffer(mapping, HEADER_LENGTH, metadataLength);
        final UnsafeBuffer values = new UnsafeBuffer(mapping, HEADER_LENGTH + metadataLength, valuesLength);
        this.manager = new ConcurrentCountersManager(metadata, values, StandardCharsets.UTF_8);
    }

    /**
     * @return the path of the counters file of a data directory.
     */
    public static Path pathIn(final Path dataDirectory)
    {
        return dataDirectory.resolve(FILE_NAME);
    }

    /**
     * Create (or replace) the counters file of a member: header with this process's pid, state
     * {@link #STATE_STARTING} until {@link #running()}.
     */
    public static CountersFile create(final Path dataDirectory, final long startTimeMs, final int intervalMs)
        throws IOException
    {
        Files.createDirectories(dataDirectory);
        final Path path = pathIn(dataDirectory);
        refuseIfAnotherMemberRuns(dataDirectory);
        // A file left by a killed member: its readers keep their old mapping and see its dead pid.
        Files.deleteIfExists(path);
        final int valuesLength = BitUtil.align(MAX_COUNTERS * CountersReader.COUNTER_LENGTH, 4096);
        final int metadataLength = valuesLength * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH);
        final MappedByteBuffer mapping;
        try
        {
            mapping = IoUtil.mapNewFile(path.toFile(), HEADER_LENGTH + metadataLength + valuesLength, true);
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("cannot create the counters file " + path + ": " + ex.getMessage(), ex);
        }
        final CountersFile file = new CountersFile(path, mapping, metadataLength, valuesLength);
        file.header.putInt(MAGIC_OFFSET, MAGIC);
        file.header.putInt(VERSION_OFFSET, VERSION);
        file.header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        file.header.putLong(START_TIME_MS_OFFSET, startTimeMs);
        file.header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
        file.header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        file.header.putInt(INTERVAL_MS_OFFSET, intervalMs);
        file.header.putIntRelease(STATE_OFFSET, STATE_STARTING);
        return file;
    }

    /**
     * Two members on one data directory would overwrite each other's blocks and journal: a live
     * counters file of another process is the sign of one, so refuse to start beside it.
     */
    private static void refuseIfAnotherMemberRuns(final Path dataDirectory) throws IOException
    {
        if (!Files.exists(pathIn(dataDirectory)))
        {
            return;
        }
        long pid = -1;
        try (CountersFileReader other = CountersFileReader.open(dataDirectory))
        {
            pid = other.pid();
        }
        catch (final IOException ex)
        {
            return; // no member there (a dead pid, closed) or not a counters file: replace it
        }
        if (pid != ProcessHandle.current().pid())
        {
            throw new IOException("another member (pid " + pid + ") is running on " + dataDirectory.toAbsolutePath() +
                ": its counters file " + pathIn(dataDirectory).toAbsolutePath() + " is live; stop it first");
        }
    }

    /**
     * @return a new counter in the file.
     */
    public AtomicCounter newCounter(final String label, final int typeId)
    {
        return manager.newCounter(label, typeId);
    }

    /**
     * Publish the file as complete: readers may use it from now on.
     */
    public void running()
    {
        header.putIntRelease(STATE_OFFSET, STATE_RUNNING);
    }

    /**
     * @return a reader over this member's counters (in-process: the Prometheus endpoint).
     */
    public CountersReader reader()
    {
        return manager;
    }

    public Path path()
    {
        return path;
    }

    /**
     * Mark the file closed (a reader that still maps it sees the member gone) and delete it. The
     * mapping is not unmapped here: a session racing the shutdown may still increment a counter,
     * and a store to an unmapped address would crash the JVM. The counters hold the mapping, so it
     * goes when they become unreachable.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        header.putIntRelease(STATE_OFFSET, STATE_CLOSED);
        Files.deleteIfExists(path);
    }
}
