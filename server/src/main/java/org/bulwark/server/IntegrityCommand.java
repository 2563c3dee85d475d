package org.bulwark.server;

import org.bulwark.store.block.BlockFile;
import org.bulwark.store.integrity.FileBlockSource;
import org.bulwark.store.integrity.IntegrityChecker;
import org.bulwark.store.integrity.IntegrityReport;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.wij.DatasetLocation;
import org.bulwark.wij.WijFile;
import org.bulwark.wij.WijHeader;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code bulwark integrity [DB ...]} (SPEC S-5): check the block files of a stopped instance.
 * Exit code 1 if any database has an error or cannot be opened.
 */
final class IntegrityCommand
{
    private final PrintStream out;
    private final PrintStream err;

    IntegrityCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    int run(final InstanceConfig config, final List<String> only) throws IOException, InstanceConfig.ConfigException
    {
        final DataDirectoryLock lock = DataDirectoryLock.acquire(config.dataDirectory(), "integrity");
        try
        {
            return check(config, only);
        }
        finally
        {
            lock.close();
        }
    }

    /**
     * Check with the data directory's lock held (by this command or by the recovery tool).
     */
    int check(final InstanceConfig config, final List<String> only) throws IOException, InstanceConfig.ConfigException
    {
        warnIfWijPending(config);
        int failed = 0;
        int checked = 0;
        for (final DatasetLocation location : config.datasetLocations())
        {
            if (!only.isEmpty() && only.stream().noneMatch(n -> n.equalsIgnoreCase(location.name())))
            {
                continue;
            }
            checked++;
            if (!check(location))
            {
                failed++;
            }
        }
        if (checked < only.size())
        {
            err.println("bulwark integrity: some of " + only + " are not configured databases");
            return BulwarkCli.EXIT_USAGE;
        }
        out.println(failed == 0 ? "All " + checked + " database(s) are sound." :
            failed + " of " + checked + " database(s) have errors.");
        return failed == 0 ? BulwarkCli.EXIT_OK : BulwarkCli.EXIT_FAILED;
    }

    /**
     * @return true if the database is sound.
     */
    boolean check(final DatasetLocation location)
    {
        if (!Files.exists(location.directory().resolve(BlockFile.FILE_NAME)))
        {
            err.println("Database " + location.name() + ": no " + BlockFile.FILE_NAME + " in " + location.directory());
            return false;
        }
        try (BlockFile file = BlockFile.open(NioFileLayer.INSTANCE, location.directory()))
        {
            final IntegrityReport report = IntegrityChecker.check(new FileBlockSource(file), location.name());
            out.print(report.format());
            return report.ok();
        }
        catch (final IOException ex)
        {
            out.println("Integrity of database " + location.name() + ": cannot open: " + ex.getMessage());
            return false;
        }
    }

    private void warnIfWijPending(final InstanceConfig config) throws IOException, InstanceConfig.ConfigException
    {
        final var wijPath = config.wijConfig().wijPath();
        if (!Files.exists(wijPath))
        {
            return;
        }
        try (WijFile wij = WijFile.open(NioFileLayer.INSTANCE, wijPath, false))
        {
            final WijHeader header = wij.readHeader();
            if (null != header && header.state == WijHeader.STATE_ACTIVE)
            {
                err.println("Warning: the WIJ holds cycle " + header.cycleNumber + " not yet restored; the files are " +
                    "checked as they are, before recovery.");
            }
        }
    }
}
