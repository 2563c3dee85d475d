package org.bulwark.store;

import java.nio.file.Path;

/**
 * What the store tells the instance's log (SPEC W-8, S-4). Calls come from any thread.
 */
public interface StoreEvents
{
    StoreEvents NONE = new StoreEvents()
    {
    };

    default void databaseCreated(final String name, final Path directory, final int blockSizeBytes)
    {
    }

    default void databaseMounted(final String name, final Path directory, final int sizeBlocks,
        final int blockSizeBytes)
    {
    }

    default void databaseExpanded(final String name, final int oldSizeBlocks, final int newSizeBlocks,
        final int blockSizeBytes)
    {
    }

    default void databaseDismounted(final String name, final Path directory)
    {
    }
}
