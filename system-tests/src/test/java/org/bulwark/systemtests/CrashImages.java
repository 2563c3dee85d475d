package org.bulwark.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;

/**
 * Puts a crash image in place of a member's live directory for one check, then the live
 * directory back, so that the image is opened under the same paths as the recorded run.
 */
final class CrashImages
{
    private CrashImages()
    {
    }

    /**
     * @param live  the recorded member's directory; moved aside while {@code check} runs.
     * @param image the image, moved to {@code live} and deleted afterwards.
     */
    static <T> T checkInPlace(final Path live, final Path image, final Callable<T> check) throws Exception
    {
        final Path aside = live.resolveSibling(live.getFileName() + ".recorded");
        Files.move(live, aside);
        Files.move(image, live);
        try
        {
            return check.call();
        }
        finally
        {
            deleteTree(live);
            Files.move(aside, live);
        }
    }

    static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (var paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
