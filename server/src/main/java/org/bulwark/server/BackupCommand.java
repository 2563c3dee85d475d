package org.bulwark.server;

import org.bulwark.store.DatabaseConfig;
import org.bulwark.store.block.BlockFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * {@code bulwark backup create|restore|list} and {@code bulwark journal restore} (SPEC J-7).
 *
 * <pre>
 * backup create DB FILE          online full backup of DB (the member is opened for it; updates
 *                                of an embedded member go on during the copy)
 * backup restore FILE            put a backup back (member stopped), then apply the journal from
 *        [--until TIME]          its checkpoint to the end, or to TIME, on --lanes lanes (default 4);
 *        [--lanes N]             --no-journal leaves the database as the backup has it (it is then
 *        [--no-journal]          behind the rest of the member until a journal restore)
 * backup list                    the backups in backup.log
 * journal restore --database DB --from POS [--apply-from POS] [--until TIME] [--lanes N]
 *                 [--journal-dir DIR]   apply journal files to a restored database
 * </pre>
 */
final class BackupCommand
{
    static final int DEFAULT_LANES = 4;

    private final PrintStream out;
    private final PrintStream err;

    BackupCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Options after the operation: {@code --until}, {@code --lanes}, {@code --no-journal},
     * {@code --database}, {@code --from}, {@code --apply-from}, {@code --journal-dir}; the rest positional.
     */
    static final class Args
    {
        long untilMs = Long.MAX_VALUE;
        int lanes = DEFAULT_LANES;
        boolean noJournal;
        String database;
        long from = -1;
        long applyFrom = -1;
        Path journalDirectory;
        final List<String> positional = new java.util.ArrayList<>();

        static Args parse(final List<String> args)
        {
            final Args parsed = new Args();
            for (int i = 0; i < args.size(); i++)
            {
                final String arg = args.get(i);
                if ("--no-journal".equals(arg))
                {
                    parsed.noJournal = true;
                    continue;
                }
                if (!arg.startsWith("--"))
                {
                    parsed.positional.add(arg);
                    continue;
                }
                if (i + 1 >= args.size())
                {
                    throw new IllegalArgumentException("option " + arg + " needs a value");
                }
                final String value = args.get(++i);
                switch (arg)
                {
                    case "--until" -> parsed.untilMs = JournalCommand.DumpFilter.instant(arg, value);
                    case "--lanes" -> parsed.lanes = lanes(value);
                    case "--database" -> parsed.database = value;
                    case "--from" -> parsed.from = position(arg, value);
                    case "--apply-from" -> parsed.applyFrom = position(arg, value);
                    case "--journal-dir" -> parsed.journalDirectory = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
            }
            return parsed;
        }

        private static int lanes(final String value)
        {
            try
            {
                final int n = Integer.parseInt(value);
                if (n >= 1 && n <= org.bulwark.journal.Dejournaler.MAX_LANES)
                {
                    return n;
                }
            }
            catch (final NumberFormatException ignore)
            {
                // reported below
            }
            throw new IllegalArgumentException("--lanes: '" + value + "' is not a number from 1 to " +
                org.bulwark.journal.Dejournaler.MAX_LANES);
        }

        private static long position(final String option, final String value)
        {
            try
            {
                final long n = Long.parseLong(value);
                if (n >= 0)
                {
                    return n;
                }
            }
            catch (final NumberFormatException ignore)
            {
                // reported below
            }
            throw new IllegalArgumentException(option + ": '" + value + "' is not a journal position");
        }
    }

    int backup(final InstanceConfig config, final InstanceOptions options, final List<String> arguments)
        throws Exception
    {
        final String operation = arguments.isEmpty() ? "list" : arguments.get(0);
        final Args args = Args.parse(arguments.subList(Math.min(1, arguments.size()), arguments.size()));
        switch (operation)
        {
            case "create":
            {
                if (args.positional.size() != 2)
                {
                    throw new IllegalArgumentException("usage: backup create DATABASE FILE");
                }
                try (Instance instance = Instance.open(config, options))
                {
                    final BackupHistory.Entry entry = new OnlineBackup(instance).run(args.positional.get(0),
                        Path.of(args.positional.get(1)));
                    out.println("backup of " + entry.database() + " written to " + entry.file() + "; complete to " +
                        "journal position " + entry.checkpoint() + ", a restore reads the journal from " +
                        entry.journalFrom());
                }
                return BulwarkCli.EXIT_OK;
            }
            case "restore":
                if (args.positional.size() != 1)
                {
                    throw new IllegalArgumentException("usage: backup restore FILE [--until TIME] [--lanes N] " +
                        "[--no-journal]");
                }
                return restore(config, options, Path.of(args.positional.get(0)), args);
            case "list":
            {
                final List<BackupHistory.Entry> entries = new BackupHistory(config.dataDirectory()).list();
                for (final BackupHistory.Entry entry : entries)
                {
                    out.printf("%-26s %-12s checkpoint %-12d journal from %-12d %s%n", entry.created(),
                        entry.database(), entry.checkpoint(), entry.journalFrom(), entry.file());
                }
                out.println(entries.size() + " backup(s) in " + new BackupHistory(config.dataDirectory()).path());
                return BulwarkCli.EXIT_OK;
            }
            default:
                err.println("bulwark backup: unknown operation '" + operation + "' (create, restore, list)");
                return BulwarkCli.EXIT_USAGE;
        }
    }

    int journalRestore(final InstanceConfig config, final InstanceOptions options, final List<String> arguments)
        throws Exception
    {
        final Args args = Args.parse(arguments);
        if (null == args.database || args.from < 0)
        {
            throw new IllegalArgumentException("usage: journal restore --database DB --from POSITION " +
                "[--apply-from POSITION] [--until TIME] [--lanes N] [--journal-dir DIR]");
        }
        try (Instance instance = Instance.open(config, options))
        {
            final Path own = config.journalConfig().directory();
            final Path journal = null != args.journalDirectory ? args.journalDirectory : own;
            final long stopAt = journal.toAbsolutePath().normalize().equals(own.toAbsolutePath().normalize()) ?
                instance.journal().appendedPosition() : Long.MAX_VALUE;
            final JournalRestore.Outcome outcome = JournalRestore.run(instance, new JournalRestore.Request(
                args.database, args.from, Math.max(args.from, args.applyFrom), args.untilMs, args.lanes, journal,
                stopAt));
            out.println("journal restore of " + args.database + ": " + outcome.describe());
        }
        return BulwarkCli.EXIT_OK;
    }

    private int restore(final InstanceConfig config, final InstanceOptions options, final Path file, final Args args)
        throws Exception
    {
        final BackupFile.Header header;
        try (FileChannel in = BackupFile.openForReading(file))
        {
            header = BackupFile.readHeader(in, file);
            final int crc = BackupFile.crc(in, BackupFile.HEADER_LENGTH, header.dataBytes());
            if (crc != header.blocksCrc())
            {
                err.println("bulwark backup: " + file + ": the blocks do not match the checksum in the header " +
                    "(damaged backup); nothing was restored");
                return BulwarkCli.EXIT_FAILED;
            }
        }
        final DatabaseConfig database = config.storeConfig().databases().stream()
            .filter(d -> d.name().equals(header.database())).findFirst().orElse(null);
        if (null == database)
        {
            err.println("bulwark backup: " + file + " is a backup of " + header.database() + ", which this " +
                "configuration does not have");
            return BulwarkCli.EXIT_FAILED;
        }
        if (database.blockSizeBytes() != header.blockSizeBytes())
        {
            err.println("bulwark backup: " + file + " has " + header.blockSizeBytes() + "-byte blocks; database " +
                header.database() + " is configured with " + database.blockSizeBytes());
            return BulwarkCli.EXIT_FAILED;
        }
        // No member or tool may open the files between the two opens below.
        final DataDirectoryLock lock = DataDirectoryLock.acquire(config.dataDirectory(), "backup restore");
        try
        {
            return restoreBlocks(config, options.holdsDirectoryLock(true), file, header, database, args);
        }
        finally
        {
            lock.close();
        }
    }

    private int restoreBlocks(final InstanceConfig config, final InstanceOptions options, final Path file,
        final BackupFile.Header header, final DatabaseConfig database, final Args args) throws Exception
    {
        // Recover and shut down cleanly first: no WIJ cycle may be left to restore over the backup.
        Instance.open(config, options).close();
        final Path target = database.directory().resolve(BlockFile.FILE_NAME);
        copyBlocks(file, header, target);
        out.println("restored " + header.database() + " from " + file + " (" + header.blockCount() + " blocks, " +
            "taken " + Instant.ofEpochMilli(header.createdMs()) + ", complete to journal position " +
            header.checkpoint() + ")");
        try (Instance instance = Instance.open(config, options))
        {
            // The journal so far is the database's history only up to here: mark it.
            final long stopAt = instance.journal().appendedPosition();
            final int index = instance.store().database(header.database()).index();
            final org.agrona.concurrent.UnsafeBuffer name = new org.agrona.concurrent.UnsafeBuffer(
                header.database().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final long marker = instance.journal().append(org.bulwark.journal.JournalRecord.TYPE_DATABASE_RESTORED,
                index, 0, org.bulwark.journal.JournalRecord.NONE, name, 0, name.capacity(), null, 0, 0, null, 0, -1,
                null, 0, -1);
            instance.journal().awaitDurable(marker + 1);
            instance.log().info("BACKUP", "database " + header.database() + " restored from " + file +
                " (complete to journal position " + header.checkpoint() + "); marked in the journal at " + marker);
            if (args.noJournal)
            {
                out.println("journal not applied: to bring it forward run: bulwark journal restore --database " +
                    header.database() + " --from " + header.journalFrom() + " --apply-from " + header.checkpoint());
                return BulwarkCli.EXIT_OK;
            }
            final JournalRestore.Outcome outcome = JournalRestore.run(instance, new JournalRestore.Request(
                header.database(), header.journalFrom(), header.checkpoint(), args.untilMs, args.lanes,
                config.journalConfig().directory(), stopAt));
            out.println("journal restore of " + header.database() + ": " + outcome.describe());
        }
        return BulwarkCli.EXIT_OK;
    }

    /**
     * Write the backup's blocks as the database file: a new file synced, then renamed over the old.
     */
    private static void copyBlocks(final Path backup, final BackupFile.Header header, final Path target)
        throws IOException
    {
        final Path restoring = target.resolveSibling(BlockFile.FILE_NAME + ".restoring");
        try (FileChannel in = BackupFile.openForReading(backup);
            FileChannel out = FileChannel.open(restoring, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            long at = 0;
            while (at < header.dataBytes())
            {
                chunk.clear().limit((int)Math.min(chunk.capacity(), header.dataBytes() - at));
                while (chunk.hasRemaining())
                {
                    if (in.read(chunk, BackupFile.HEADER_LENGTH + at + chunk.position()) < 0)
                    {
                        throw new IOException(backup + ": unexpected end at offset " + (BackupFile.HEADER_LENGTH + at));
                    }
                }
                chunk.flip();
                while (chunk.hasRemaining())
                {
                    out.write(chunk, at + chunk.position());
                }
                at += chunk.limit();
            }
            out.force(true);
        }
        Files.move(restoring, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }
}
