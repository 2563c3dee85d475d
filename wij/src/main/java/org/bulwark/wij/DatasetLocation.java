package org.bulwark.wij;

import java.nio.file.Path;

/**
 * A configured database, as WIJ recovery needs to know it: the WIJ names datasets by directory
 * and uid, the configuration by name.
 */
public record DatasetLocation(String name, Path directory)
{
}
