package org.bulwark.common.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens {@link DurableFile}s and makes directory entries durable. {@link NioFileLayer#INSTANCE}
 * is the real one; tests substitute a layer that simulates power loss.
 */
public interface FileLayer
{
    /**
     * @param path   the file.
     * @param create create it if missing (the directory entry is durable only after
     *               {@link #syncDirectory(Path)}).
     */
    DurableFile open(Path path, boolean create) throws IOException;

    /**
     * Make the directory's entries (created, renamed, deleted files) durable.
     */
    void syncDirectory(Path directory) throws IOException;
}
