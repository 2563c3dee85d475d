package org.bulwark.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bulwark probe disk} through the command line, with a handful of writes: the report, the
 * JSON, --write-config on a member's configuration file, and the errors (SPEC P-1). No timings.
 */
class ProbeCommandTest
{
    @TempDir
    Path dir;

    @Test
    void probesAndWritesTheSyncMethodIntoTheConfiguration() throws Exception
    {
        final Path config = CliRun.memberConfig(dir, "# keep me", "journal.syncMethod = dsync", "pool.size = 4m");
        final List<String> old = Files.readAllLines(config);

        final CliRun run = CliRun.run("", "probe", "disk", dir.toString(), "--ops", "5", "--size", "1",
            "--write-config", config.toString());

        assertEquals(0, run.code(), run.errors());
        assertTrue(run.output().contains("recommendation"), run.output());
        final String method = run.output().contains("journal.syncMethod = dsync") ? "dsync" : "fdatasync";
        assertTrue(run.output().contains("wrote journal.syncMethod = " + method), run.output());
        final List<String> updated = Files.readAllLines(config);
        assertEquals(old.size(), updated.size());
        assertTrue(updated.contains("# keep me") && updated.contains("pool.size = 4m"), updated.toString());
        assertTrue(updated.contains("journal.syncMethod = " + method), updated.toString());
        assertEquals(old, Files.readAllLines(dir.resolve("bulwark.conf.bak")));
        InstanceConfig.load(config); // still a valid member configuration
    }

    @Test
    void jsonForMachines()
    {
        final CliRun run = CliRun.run("", "probe", "disk", dir.toString(), "--ops", "3", "--size", "1", "--json");
        assertEquals(0, run.code(), run.errors());
        assertTrue(run.output().startsWith("{\"directory\":"), run.output());
        assertTrue(run.output().contains("\"recommendation\":{\"syncMethod\":"), run.output());
    }

    @Test
    void aMissingDirectoryIsNamedAndUsageErrorsExitTwo()
    {
        final Path missing = dir.resolve("missing");
        final CliRun run = CliRun.run("", "probe", "disk", missing.toString());
        assertEquals(BulwarkCli.EXIT_FAILED, run.code());
        assertTrue(run.errors().contains("directory " + missing + " does not exist"), run.errors());

        assertEquals(BulwarkCli.EXIT_USAGE, CliRun.run("", "probe").code());
        assertEquals(BulwarkCli.EXIT_USAGE, CliRun.run("", "probe", "disk").code());
        assertEquals(BulwarkCli.EXIT_USAGE, CliRun.run("", "probe", "disk", dir.toString(), "--ops", "x").code());
    }
}
