package org.bulwark.testsupport;

import java.nio.file.Path;

/**
 * A file seen by the recording layer: its content when first opened under the current recording,
 * which counts as durable, and whether the layer created it.
 */
final class RecordedFile
{
    /** {@link #createdAtEventIndex} of a file that existed before the layer opened it. */
    static final long EXISTED = -1;

    final Path path;
    final byte[] durableBase;
    /**
     * Trace size when the layer created the file, or {@link #EXISTED}: crash images cut before that
     * point leave the file out.
     */
    final long createdAtEventIndex;

    RecordedFile(final Path path, final byte[] durableBase, final long createdAtEventIndex)
    {
        this.path = path;
        this.durableBase = durableBase;
        this.createdAtEventIndex = createdAtEventIndex;
    }

    boolean existsAt(final long eventIndex)
    {
        return createdAtEventIndex == EXISTED || eventIndex >= createdAtEventIndex;
    }
}
