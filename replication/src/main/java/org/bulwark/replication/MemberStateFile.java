package org.bulwark.replication;

import org.agrona.IoUtil;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * {@code mirror-member.state} in a member's data directory: what the member says about itself to the
 * agent on its host (SPEC M-3), which reads it from another process. The member is its only writer;
 * the file is shared memory, not a durable record (after a reboot it only tells the last state).
 *
 * <pre>
 * file (4096 bytes, little-endian):
 *   0  magic "BLWKMSTF"     8  version          12  file length
 *  16  current slot (0 or 1, written last)
 *  64  slot 0              320  slot 1
 * slot (256 bytes):
 *   0  change counter: odd while the slot is written, even when it is complete
 *   8  pid                 16  process start, ms since the epoch (tells a reused pid apart)
 *  24  role code           28  validated member (0 or 1)
 *  32  term                40  journal end position
 *  48  heartbeat, wall clock ms since the epoch
 *  56  mirror name length  60  mirror name, UTF-8 (up to 64 bytes)
 * 124  member name length 128  member name, UTF-8 (up to 64 bytes)
 * 192  CRC32C of slot bytes [8, 192)
 * </pre>
 *
 * The writer fills the slot that is not current (counter odd, fields, checksum, counter even) and
 * then makes it current; a reader copies the current slot and keeps the copy only if the counter
 * was even and unchanged around it (a seqlock). A member killed in the middle of an update leaves
 * the other slot complete and current, so a reader never sees a torn update, even then.
 */
public final class MemberStateFile implements AutoCloseable
{
    public static final String FILE_NAME = "mirror-member.state";
    public static final long MAGIC = 0x4654534D4B574C42L; // "BLWKMSTF" little-endian
    public static final int VERSION = 1;
    public static final int FILE_LENGTH = 4096;
    public static final int MAX_NAME_BYTES = 64;

    static final int VERSION_OFFSET = 8;
    static final int LENGTH_OFFSET = 12;
    static final int CURRENT_OFFSET = 16;
    static final int SLOTS_OFFSET = 64;
    static final int SLOT_LENGTH = 256;

    static final int COUNTER_OFFSET = 0;
    static final int PID_OFFSET = 8;
    static final int PROCESS_START_OFFSET = 16;
    static final int ROLE_OFFSET = 24;
    static final int VALIDATED_OFFSET = 28;
    static final int TERM_OFFSET = 32;
    static final int JOURNAL_END_OFFSET = 40;
    static final int HEARTBEAT_OFFSET = 48;
    static final int MIRROR_NAME_OFFSET = 56;
    static final int MEMBER_NAME_OFFSET = 124;
    static final int CRC_OFFSET = 192;

    /** How often a reader retries a slot the writer is changing before it gives up. */
    static final int READ_ATTEMPTS = 10_000;

    /** Runs after a reader's first look at a slot's counter, before its copy (tests put a writer there). */
    static volatile Runnable afterCounterReadHook;

    /**
     * What the member is doing, with stable codes (they are in the file).
     */
    public enum Role
    {
        NONE(0),
        PRIMARY(1),
        BACKUP(2),
        ASYNC(3),
        STOPPING(4),
        FORCED_DOWN(5),
        /** Stopped by an operator with --nofailover: the backup must not take over (M-12). */
        STOPPED_NO_FAILOVER(6);

        private final int code;

        Role(final int code)
        {
            this.code = code;
        }

        public int code()
        {
            return code;
        }

        /**
         * @return the role of a code, or null if there is none.
         */
        public static Role of(final int code)
        {
            for (final Role role : values())
            {
                if (role.code == code)
                {
                    return role;
                }
            }
            return null;
        }
    }

    /**
     * One consistent view of the file.
     *
     * @param processStartMs when the process started (0 if the platform does not say), to tell a
     *                       reused pid apart from the member's.
     */
    public record Snapshot(long pid, long processStartMs, String mirrorName, String memberName, Role role,
        long term, long journalEndPosition, long heartbeatMs, boolean validatedMember)
    {
    }

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final long pid;
    private final long processStartMs;
    private final byte[] mirrorName;
    private final byte[] memberName;
    private Role role = Role.NONE;
    private long term;
    private long journalEndPosition;
    private long heartbeatMs;
    private boolean validatedMember;
    private boolean closed;

    private MemberStateFile(final Path path, final MappedByteBuffer mapped, final ProcessHandle process,
        final String mirrorName, final String memberName, final boolean validatedMember)
    {
        this.path = path;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.pid = process.pid();
        this.processStartMs = processStartMs(process);
        this.mirrorName = mirrorName.getBytes(StandardCharsets.UTF_8);
        this.memberName = memberName.getBytes(StandardCharsets.UTF_8);
        this.validatedMember = validatedMember;
    }

    /**
     * Open (create or take over) the file of this process in {@code dataDirectory} and publish role
     * {@link Role#NONE} with a heartbeat of now.
     *
     * @throws IllegalArgumentException if a name is longer than {@link #MAX_NAME_BYTES} bytes in UTF-8.
     */
    public static MemberStateFile open(final Path dataDirectory, final String mirrorName, final String memberName,
        final boolean validatedMember) throws IOException
    {
        return open(dataDirectory, mirrorName, memberName, validatedMember, ProcessHandle.current());
    }

    /**
     * Open the file on behalf of {@code process}, whose pid and start time it publishes (a launcher
     * that publishes for a child; tests that stand a child process in for a member).
     */
    public static MemberStateFile open(final Path dataDirectory, final String mirrorName, final String memberName,
        final boolean validatedMember, final ProcessHandle process) throws IOException
    {
        checkName("mirror name", mirrorName);
        checkName("member name", memberName);
        Files.createDirectories(dataDirectory);
        final Path path = dataDirectory.resolve(FILE_NAME);
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            if (channel.size() != FILE_LENGTH)
            {
                channel.truncate(0);
                channel.write(ByteBuffer.allocate(FILE_LENGTH), 0);
            }
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_LENGTH);
        }
        final MemberStateFile file = new MemberStateFile(path, mapped, process, mirrorName, memberName,
            validatedMember);
        file.initialise();
        return file;
    }

    private void initialise()
    {
        final int current = buffer.getIntVolatile(CURRENT_OFFSET);
        if (buffer.getLong(0) != MAGIC || buffer.getInt(VERSION_OFFSET) != VERSION || (current & ~1) != 0)
        {
            // New or foreign: both slots cleared before the header says the layout is there.
            buffer.setMemory(0, FILE_LENGTH, (byte)0);
            buffer.putInt(VERSION_OFFSET, VERSION);
            buffer.putInt(LENGTH_OFFSET, FILE_LENGTH);
            VarHandle.releaseFence();
            buffer.putLongVolatile(0, MAGIC);
        }
        heartbeatMs = System.currentTimeMillis();
        writeSlot();
    }

    public Path path()
    {
        return path;
    }

    /**
     * Publish a new role, term and journal end (the heartbeat stays as it was).
     */
    public synchronized void publish(final Role role, final long term, final long journalEndPosition)
    {
        this.role = role;
        this.term = term;
        this.journalEndPosition = journalEndPosition;
        writeSlot();
    }

    /**
     * Say the member is alive at {@code nowMs} (wall clock); the agent calls a member whose last
     * heartbeat is too old hung. About every 100 ms.
     */
    public synchronized void heartbeat(final long nowMs)
    {
        this.heartbeatMs = nowMs;
        writeSlot();
    }

    /**
     * Publish whether the member runs as a validated member (what it read at start).
     */
    public synchronized void validatedMember(final boolean validated)
    {
        this.validatedMember = validated;
        writeSlot();
    }

    private void writeSlot()
    {
        if (closed)
        {
            return;
        }
        final int next = 1 - buffer.getInt(CURRENT_OFFSET);
        final int slot = SLOTS_OFFSET + next * SLOT_LENGTH;
        final long counter = buffer.getLong(slot + COUNTER_OFFSET);
        // Odd while written; a writer killed mid-update left it odd already, and it stays odd here.
        final long odd = (counter & 1) == 0 ? counter + 1 : counter + 2;
        buffer.putLongVolatile(slot + COUNTER_OFFSET, odd);
        VarHandle.storeStoreFence();
        buffer.putLong(slot + PID_OFFSET, pid);
        buffer.putLong(slot + PROCESS_START_OFFSET, processStartMs);
        buffer.putInt(slot + ROLE_OFFSET, role.code());
        buffer.putInt(slot + VALIDATED_OFFSET, validatedMember ? 1 : 0);
        buffer.putLong(slot + TERM_OFFSET, term);
        buffer.putLong(slot + JOURNAL_END_OFFSET, journalEndPosition);
        buffer.putLong(slot + HEARTBEAT_OFFSET, heartbeatMs);
        putName(slot + MIRROR_NAME_OFFSET, mirrorName);
        putName(slot + MEMBER_NAME_OFFSET, memberName);
        buffer.putInt(slot + CRC_OFFSET, crc(buffer, slot));
        buffer.putLongRelease(slot + COUNTER_OFFSET, odd + 1);
        buffer.putIntRelease(CURRENT_OFFSET, next);
    }

    private void putName(final int offset, final byte[] name)
    {
        buffer.putInt(offset, name.length);
        buffer.putBytes(offset + 4, name);
        buffer.setMemory(offset + 4 + name.length, MAX_NAME_BYTES - name.length, (byte)0);
    }

    static int crc(final UnsafeBuffer buffer, final int slot)
    {
        return Crc32c.INSTANCE.compute(buffer.addressOffset(), slot + PID_OFFSET, CRC_OFFSET - PID_OFFSET);
    }

    /**
     * Read the file of the member in {@code dataDirectory}.
     *
     * @return the member's last published state, or null if there is no file (or it is not written yet).
     * @throws IOException naming the file if it is not a member state file, is damaged, or stays in
     *     the middle of an update for longer than a reader waits.
     */
    public static Snapshot read(final Path dataDirectory) throws IOException
    {
        final Path path = dataDirectory.resolve(FILE_NAME);
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            if (channel.size() < FILE_LENGTH)
            {
                return null; // being created
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, FILE_LENGTH);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        try
        {
            return read(path, new UnsafeBuffer(mapped));
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * Read a mapping of the file that the caller keeps (tests hammer one mapping).
     */
    static Snapshot read(final Path path, final UnsafeBuffer buffer) throws IOException
    {
        final long magic = buffer.getLongVolatile(0);
        if (0 == magic)
        {
            return null;
        }
        if (magic != MAGIC)
        {
            throw new IOException(path + " offset 0: not a member state file (bad magic)");
        }
        if (buffer.getInt(VERSION_OFFSET) != VERSION)
        {
            throw new IOException(path + " offset " + VERSION_OFFSET + ": member state file version " +
                buffer.getInt(VERSION_OFFSET) + ", this agent reads version " + VERSION);
        }
        final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(SLOT_LENGTH));
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++)
        {
            final int slot = SLOTS_OFFSET + (buffer.getIntAcquire(CURRENT_OFFSET) & 1) * SLOT_LENGTH;
            final long before = buffer.getLongVolatile(slot + COUNTER_OFFSET);
            final Runnable hook = afterCounterReadHook;
            if (null != hook)
            {
                hook.run();
            }
            if ((before & 1) == 0)
            {
                copy.putBytes(0, buffer, slot, SLOT_LENGTH);
                VarHandle.acquireFence();
                if (buffer.getLongVolatile(slot + COUNTER_OFFSET) == before)
                {
                    if (0 == before)
                    {
                        return null; // never written
                    }
                    return decode(path, copy, slot);
                }
            }
            if (attempt > 100)
            {
                Thread.yield(); // the writer was preempted in the middle of an update: let it finish
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        throw new IOException(path + ": the member kept changing its state file during " + READ_ATTEMPTS + " reads");
    }

    private static Snapshot decode(final Path path, final UnsafeBuffer slot, final int slotOffset) throws IOException
    {
        if (slot.getInt(CRC_OFFSET) != crc(slot, 0))
        {
            throw new IOException(path + " offset " + (slotOffset + CRC_OFFSET) + ": member state checksum mismatch");
        }
        final Role role = Role.of(slot.getInt(ROLE_OFFSET));
        if (null == role)
        {
            throw new IOException(path + " offset " + (slotOffset + ROLE_OFFSET) + ": unknown role code " +
                slot.getInt(ROLE_OFFSET));
        }
        return new Snapshot(slot.getLong(PID_OFFSET), slot.getLong(PROCESS_START_OFFSET),
            getName(path, slot, MIRROR_NAME_OFFSET, slotOffset), getName(path, slot, MEMBER_NAME_OFFSET, slotOffset),
            role, slot.getLong(TERM_OFFSET), slot.getLong(JOURNAL_END_OFFSET), slot.getLong(HEARTBEAT_OFFSET),
            slot.getInt(VALIDATED_OFFSET) != 0);
    }

    private static String getName(final Path path, final UnsafeBuffer slot, final int offset, final int slotOffset)
        throws IOException
    {
        final int length = slot.getInt(offset);
        if (length < 0 || length > MAX_NAME_BYTES)
        {
            throw new IOException(path + " offset " + (slotOffset + offset) + ": name length " + length);
        }
        final byte[] bytes = new byte[length];
        slot.getBytes(offset + 4, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void checkName(final String what, final String name)
    {
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES)
        {
            throw new IllegalArgumentException(what + " '" + name + "' is longer than " + MAX_NAME_BYTES +
                " bytes in UTF-8");
        }
    }

    /**
     * @return when {@code process} started, ms since the epoch, or 0 if the platform does not say.
     */
    public static long processStartMs(final ProcessHandle process)
    {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }
}
