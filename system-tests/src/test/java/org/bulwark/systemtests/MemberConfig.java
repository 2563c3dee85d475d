package org.bulwark.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The member most system tests run: two databases, MAIN with 4 KiB blocks and SECOND holding the
 * globals whose names start with {@code b} (so that transactions span databases).
 */
final class MemberConfig
{
    private MemberConfig()
    {
    }

    /**
     * Write {@code file}: that member on {@code dataDirectory}, then {@code settings}.
     *
     * @return {@code file}.
     */
    static Path write(final Path file, final Path dataDirectory, final String... settings) throws IOException
    {
        final List<String> lines = new ArrayList<>(List.of(
            "data.directory = " + dataDirectory,
            "databases = MAIN, SECOND",
            "database.MAIN.blockSize = 4k",
            "map.b* = SECOND"));
        lines.addAll(List.of(settings));
        lines.add("");
        Files.writeString(file, String.join("\n", lines));
        return file;
    }
}
