package org.bulwark.testsupport;

import org.bulwark.common.io.SyncLevel;

import java.nio.file.Path;

/**
 * One recorded operation on one file. Immutable, so a crash image can be built from a copy of
 * the trace without holding the layer's lock.
 */
final class TraceEvent
{
    enum Type
    {
        WRITE,
        SET_LENGTH,
        SYNC
    }

    private static final byte[] NO_BYTES = new byte[0];

    final Type type;
    final Path file;
    /** File offset of a WRITE, new length of a SET_LENGTH; unused for a SYNC. */
    final long position;
    /** The bytes of a WRITE, copied when it was made; empty otherwise. */
    final byte[] data;
    /** Level of a SYNC; unused otherwise. */
    final SyncLevel level;

    private TraceEvent(final Type type, final Path file, final long position, final byte[] data, final SyncLevel level)
    {
        this.type = type;
        this.file = file;
        this.position = position;
        this.data = data;
        this.level = level;
    }

    static TraceEvent write(final Path file, final long position, final byte[] data)
    {
        return new TraceEvent(Type.WRITE, file, position, data, SyncLevel.NONE);
    }

    static TraceEvent setLength(final Path file, final long sizeBytes)
    {
        return new TraceEvent(Type.SET_LENGTH, file, sizeBytes, NO_BYTES, SyncLevel.NONE);
    }

    static TraceEvent sync(final Path file, final SyncLevel level)
    {
        return new TraceEvent(Type.SYNC, file, 0, NO_BYTES, level);
    }

    /**
     * A sync that makes the file's earlier writes and length changes durable; {@link SyncLevel#NONE}
     * is recorded but makes nothing durable.
     */
    boolean isDurableSync()
    {
        return type == Type.SYNC && level != SyncLevel.NONE;
    }

    @Override
    public String toString()
    {
        switch (type)
        {
            case WRITE:
                return "WRITE(" + file + ", " + position + ", " + data.length + " bytes)";
            case SET_LENGTH:
                return "SET_LENGTH(" + file + ", " + position + ")";
            default:
                return "SYNC(" + file + ", " + level + ")";
        }
    }
}
