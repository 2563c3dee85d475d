package org.bulwark.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * An exclusive lock on a data directory, so that two members, or a member and an offline tool
 * ({@code integrity}, {@code recover}, {@code backup restore}), never open the same databases, WIJ
 * and journal. It is an OS file lock on {@code bulwark.lock}: released when the holder closes it or
 * its process dies, however it dies, so a crash leaves no stale lock behind. The file holds the
 * holder's pid and what it is doing, to name it in the refusal.
 *
 * <pre>
 * bulwark.lock:   pid=12345
 *                 holder=member
 *                 since=2026-11-23T08:20:00Z
 * </pre>
 *
 * File locks belong to the whole JVM: a second open in the same process is refused too (tests open
 * and close instances one after another; close releases the lock for the next).
 */
public final class DataDirectoryLock implements AutoCloseable
{
    public static final String FILE_NAME = "bulwark.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(final Path file, final FileChannel channel, final FileLock lock)
    {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Take the lock of {@code dataDirectory} (created if missing).
     *
     * @param holder what takes it, for the refusal others see: {@code member}, {@code integrity}, ...
     * @throws InUseException naming the process that holds it.
     */
    public static DataDirectoryLock acquire(final Path dataDirectory, final String holder) throws IOException
    {
        return acquire(dataDirectory, holder, true);
    }

    /**
     * @param record false for a probe: the file keeps naming the last holder.
     */
    private static DataDirectoryLock acquire(final Path dataDirectory, final String holder, final boolean record)
        throws IOException
    {
        Files.createDirectories(dataDirectory);
        final Path file = dataDirectory.resolve(FILE_NAME);
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        try
        {
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                throw new InUseException(dataDirectory, "this process (pid " + ProcessHandle.current().pid() + ") " +
                    "already has it open" + describe(read(file)) + "; close it first", ProcessHandle.current().pid());
            }
            if (null == lock)
            {
                final String holderText = read(file);
                throw new InUseException(dataDirectory, "process " + pidOf(holderText) + " has it open" +
                    describe(holderText) + "; stop it first (bulwark stop), or wait for it to finish",
                    pidOf(holderText));
            }
            if (record)
            {
                final String text = "pid=" + ProcessHandle.current().pid() + "\nholder=" + holder + "\nsince=" +
                    Instant.now() + "\n";
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            }
            return new DataDirectoryLock(file, channel, lock);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * @return the pid of the process holding the lock of {@code dataDirectory}, or -1 if no process holds it.
     */
    public static long holder(final Path dataDirectory) throws IOException
    {
        if (!Files.exists(dataDirectory.resolve(FILE_NAME)))
        {
            return -1;
        }
        try
        {
            // A probe holds the lock for an instant: a member starting just then is refused and says so.
            acquire(dataDirectory, "status check", false).close();
            return -1;
        }
        catch (final InUseException ex)
        {
            return ex.pid();
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static long pidOf(final String text)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("pid="))
            {
                try
                {
                    return Long.parseLong(line.substring(4).strip());
                }
                catch (final NumberFormatException ex)
                {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static String describe(final String text)
    {
        String holder = null;
        String since = null;
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("holder="))
            {
                holder = line.substring(7).strip();
            }
            else if (line.startsWith("since="))
            {
                since = line.substring(6).strip();
            }
        }
        return (null == holder ? "" : " as " + holder) + (null == since ? "" : " since " + since);
    }

    public Path file()
    {
        return file;
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            if (lock.isValid())
            {
                lock.release();
            }
        }
        finally
        {
            channel.close();
        }
    }

    /**
     * The data directory is in use by another process or already open in this one.
     */
    public static final class InUseException extends IOException
    {
        private static final long serialVersionUID = 1L;

        private final long pid;

        InUseException(final Path dataDirectory, final String why, final long pid)
        {
            super("data directory " + dataDirectory.toAbsolutePath() + " is in use: " + why);
            this.pid = pid;
        }

        /**
         * @return the pid of the holder, -1 if the lock file does not name it.
         */
        public long pid()
        {
            return pid;
        }
    }
}
