package org.bulwark.probes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * --write-config: the key's line is replaced in place, every other line (comments included) stays,
 * the old file is kept next to it, and a missing key is appended under a comment.
 */
class ConfigFileUpdaterTest
{
    @TempDir
    Path dir;

    @Test
    void replacesTheKeyKeepingOtherLinesAndBacksUp() throws Exception
    {
        final Path file = dir.resolve("bulwark.conf");
        final List<String> old = List.of(
            "# member configuration",
            "data.directory = /var/lib/bulwark",
            "",
            "# journal.syncMethod = dsync   (a comment, not the setting)",
            "  journal.syncMethod=fdatasync",
            "pool.size = 64m");
        Files.write(file, old);

        final ConfigFileUpdater.Update update =
            ConfigFileUpdater.update(file, Map.of("journal.syncMethod", "dsync"), "set by a test");

        assertEquals(List.of(
            "# member configuration",
            "data.directory = /var/lib/bulwark",
            "",
            "# journal.syncMethod = dsync   (a comment, not the setting)",
            "journal.syncMethod = dsync",
            "pool.size = 64m"), Files.readAllLines(file));
        assertEquals(dir.resolve("bulwark.conf.bak"), update.backup());
        assertEquals(old, Files.readAllLines(update.backup()));

        final ConfigFileUpdater.Update second =
            ConfigFileUpdater.update(file, Map.of("journal.syncMethod", "fdatasync"), "set by a test");
        assertEquals(dir.resolve("bulwark.conf.bak.1"), second.backup(), "an earlier backup is kept");
        assertEquals(old, Files.readAllLines(update.backup()));
        assertTrue(Files.readAllLines(file).contains("journal.syncMethod = fdatasync"));
        assertFalse(Files.exists(dir.resolve("bulwark.conf.probe-tmp")));
    }

    @Test
    void appendsAMissingKeyUnderAComment() throws Exception
    {
        final Path file = Files.write(dir.resolve("bulwark.conf"), List.of("# only a comment", "pool.size = 4m"));

        ConfigFileUpdater.update(file, Map.of("journal.syncMethod", "dsync"), "set by bulwark probe disk");

        assertEquals(List.of("# only a comment", "pool.size = 4m", "# set by bulwark probe disk",
            "journal.syncMethod = dsync"), Files.readAllLines(file));
    }

    @Test
    void createsAMissingFileWithoutABackup() throws Exception
    {
        final Path file = dir.resolve("new.conf");
        final ConfigFileUpdater.Update update =
            ConfigFileUpdater.update(file, Map.of("journal.syncMethod", "fdatasync"), null);
        assertNull(update.backup());
        assertEquals(List.of("journal.syncMethod = fdatasync"), Files.readAllLines(file));
    }

    @Test
    void aMissingDirectoryIsNamed()
    {
        final Path file = dir.resolve("nowhere/bulwark.conf");
        final ProbeException ex = assertThrows(ProbeException.class,
            () -> ConfigFileUpdater.update(file, Map.of("journal.syncMethod", "dsync"), null));
        assertTrue(ex.getMessage().contains(dir.resolve("nowhere").toString()), ex.getMessage());
    }
}
