package org.bulwark.server;

import org.agrona.DirectBuffer;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.journal.JournalConfig;
import org.bulwark.journal.JournalDamagedException;
import org.bulwark.journal.JournalFiles;
import org.bulwark.journal.JournalPurge;
import org.bulwark.journal.JournalReader;
import org.bulwark.journal.JournalRecord;
import org.bulwark.store.GlobalKey;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

/**
 * {@code bulwark journal list|dump|verify|purge}: look at a journal without starting the member, or
 * purge old files.
 *
 * <pre>
 * list                         the files journal.log names, with their start positions and sizes
 * dump [--from P] [--to P]     one line per record in [P, P'): position, type, sequence, transaction,
 *      [--txn T] [--global G]  the record it chains to, database, reference, value lengths and a preview;
 *      [--since T] [--until T] T is an ISO-8601 instant such as 2026-11-23T10:15:00Z
 * purge [--days N]             delete the oldest files older than N days or than the last N backups
 *       [--backups N]          (whichever comes first), never one that recovery or an open transaction
 *       [--dry-run]            needs; opens the member (stop it first); --dry-run only shows the plan
 * verify                       read every record, checking CRCs, sequence and file continuity; exit 1
 *                              on damage (naming the file and offset), 0 for a clean or torn tail
 * </pre>
 */
final class JournalCommand
{
    private static final int PREVIEW_BYTES = 40;

    private final PrintStream out;
    private final PrintStream err;

    JournalCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    int run(final InstanceConfig config, final InstanceOptions options, final List<String> arguments)
        throws Exception
    {
        final JournalConfig journal = config.journalConfig();
        if (null == journal)
        {
            err.println("bulwark journal: journaling is off in this configuration (journal.enabled = false)");
            return BulwarkCli.EXIT_USAGE;
        }
        if (!Files.isDirectory(journal.directory()))
        {
            err.println("bulwark journal: no journal directory at " + journal.directory());
            return BulwarkCli.EXIT_FAILED;
        }
        final JournalFiles files = new JournalFiles(journal.directory(), "", NioFileLayer.INSTANCE);
        final String operation = arguments.isEmpty() ? "list" : arguments.get(0);
        final List<String> rest = arguments.subList(Math.min(1, arguments.size()), arguments.size());
        switch (operation)
        {
            case "list":
                return list(files);
            case "dump":
                return dump(files, DumpFilter.parse(rest));
            case "verify":
                return verify(files);
            case "purge":
                return purge(config, options, rest);
            default:
                err.println("bulwark journal: unknown operation '" + operation + "' (list, dump, verify, purge)");
                return BulwarkCli.EXIT_USAGE;
        }
    }

    private int list(final JournalFiles files) throws IOException
    {
        final List<JournalFiles.Entry> entries = files.list();
        out.printf("%-16s %16s %14s  %s%n", "file", "start position", "size (bytes)", "created");
        for (final JournalFiles.Entry entry : entries)
        {
            final long size = Files.exists(files.path(entry)) ? Files.size(files.path(entry)) : -1;
            out.printf("%-16s %16d %14s  %s%n", entry.name(), entry.startPosition(),
                size < 0 ? "MISSING" : Long.toString(size), entry.created());
        }
        out.println(entries.size() + " file(s) in " + files.listFile());
        return BulwarkCli.EXIT_OK;
    }

    /**
     * Which records {@code dump} prints.
     */
    record DumpFilter(long from, long to, long transaction, String global, long sinceMs, long untilMs)
    {
        static DumpFilter parse(final List<String> args)
        {
            long from = -1;
            long to = Long.MAX_VALUE;
            long transaction = -1;
            String global = null;
            long sinceMs = Long.MIN_VALUE;
            long untilMs = Long.MAX_VALUE;
            for (int i = 0; i < args.size(); i++)
            {
                final String option = args.get(i);
                if (i + 1 >= args.size())
                {
                    throw new IllegalArgumentException("dump option " + option + " needs a value");
                }
                final String value = args.get(++i);
                switch (option)
                {
                    case "--from" -> from = number(option, value);
                    case "--to" -> to = number(option, value);
                    case "--txn" -> transaction = number(option, value);
                    case "--global" -> global = value.startsWith("^") ? value.substring(1) : value;
                    case "--since" -> sinceMs = instant(option, value);
                    case "--until" -> untilMs = instant(option, value);
                    default -> throw new IllegalArgumentException("unknown dump option '" + option +
                        "' (--from, --to, --txn, --global, --since, --until)");
                }
            }
            return new DumpFilter(from, to, transaction, global, sinceMs, untilMs);
        }

        static long instant(final String option, final String value)
        {
            try
            {
                return Instant.parse(value).toEpochMilli();
            }
            catch (final java.time.format.DateTimeParseException ex)
            {
                throw new IllegalArgumentException(option + ": '" + value + "' is not an ISO-8601 instant such as " +
                    "2026-11-23T10:15:00Z");
            }
        }

        private static long number(final String option, final String value)
        {
            try
            {
                return Long.parseLong(value);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("dump option " + option + ": '" + value + "' is not a number");
            }
        }

        boolean accepts(final JournalRecord record)
        {
            if (transaction >= 0 && record.transaction() != transaction)
            {
                return false;
            }
            if (record.timestampMs() < sinceMs || record.timestampMs() >= untilMs)
            {
                return false;
            }
            return null == global || global.equals(record.globalName());
        }
    }

    private int dump(final JournalFiles files, final DumpFilter filter) throws IOException
    {
        final GlobalKey key = new GlobalKey();
        long printed = 0;
        try (JournalReader reader = new JournalReader(files, NioFileLayer.INSTANCE))
        {
            // --from need not be a record boundary: read from the start of its file.
            long fileStart = reader.startPosition();
            for (final JournalFiles.Entry entry : reader.entries())
            {
                if (entry.startPosition() <= filter.from())
                {
                    fileStart = entry.startPosition();
                }
            }
            reader.seek(fileStart);
            while (reader.next() && reader.recordPosition() < filter.to())
            {
                final JournalRecord record = reader.record();
                if (reader.recordPosition() >= filter.from() && filter.accepts(record))
                {
                    out.println(describe(reader.recordPosition(), record, key));
                    printed++;
                }
            }
            out.println(printed + " record(s); journal ends at " + reader.position() +
                (reader.endedTorn() ? " (torn tail: the last write was cut short by a crash)" : ""));
        }
        catch (final JournalDamagedException ex)
        {
            err.println("bulwark journal: damaged: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
        return BulwarkCli.EXIT_OK;
    }

    static String describe(final long position, final JournalRecord record, final GlobalKey key)
    {
        final StringBuilder line = new StringBuilder(160);
        line.append(position).append(' ').append(JournalRecord.typeName(record.type()))
            .append(" seq=").append(record.sequence())
            .append(" txn=").append(record.transaction());
        if (record.previousInTransaction() != JournalRecord.NONE)
        {
            line.append(" prev=").append(record.previousInTransaction());
        }
        line.append(" at=").append(Instant.ofEpochMilli(record.timestampMs()));
        if (record.type() == JournalRecord.TYPE_DATABASE_RESTORED)
        {
            line.append(" db=").append(record.database()).append(' ').append(record.globalName())
                .append(" (blocks replaced from a backup)");
        }
        if (record.type() == JournalRecord.TYPE_SET || record.type() == JournalRecord.TYPE_KILL)
        {
            line.append(" db=").append(record.database()).append(' ');
            try
            {
                line.append(key.fromEncoded(record.globalName(), record.buffer(), record.keyOffset(),
                    record.keyLength()));
            }
            catch (final RuntimeException ex)
            {
                line.append('^').append(record.globalName()).append("(undecodable key: ").append(ex.getMessage())
                    .append(')');
            }
            if (record.newValueLength() >= 0)
            {
                line.append(" new=");
                preview(line, record.buffer(), record.newValueOffset(), record.newValueLength());
            }
            if (record.oldValueLength() >= 0)
            {
                line.append(" old=");
                preview(line, record.buffer(), record.oldValueOffset(), record.oldValueLength());
            }
        }
        return line.toString();
    }

    private static void preview(final StringBuilder line, final DirectBuffer buffer, final int offset, final int length)
    {
        line.append(length).append("B\"");
        for (int i = 0; i < Math.min(length, PREVIEW_BYTES); i++)
        {
            final int b = buffer.getByte(offset + i) & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\')
            {
                line.append((char)b);
            }
            else
            {
                line.append(String.format("\\x%02x", b));
            }
        }
        line.append(length > PREVIEW_BYTES ? "\"..." : "\"");
    }

    private int purge(final InstanceConfig config, final InstanceOptions options, final List<String> args)
        throws Exception
    {
        int days = -1;
        int backups = -1;
        boolean dryRun = false;
        for (int i = 0; i < args.size(); i++)
        {
            final String option = args.get(i);
            if ("--dry-run".equals(option))
            {
                dryRun = true;
                continue;
            }
            if (i + 1 >= args.size())
            {
                throw new IllegalArgumentException("purge option " + option + " needs a value");
            }
            final String value = args.get(++i);
            switch (option)
            {
                case "--days" -> days = count(option, value);
                case "--backups" -> backups = count(option, value);
                default -> throw new IllegalArgumentException("unknown purge option '" + option +
                    "' (--days N, --backups N, --dry-run)");
            }
        }
        final JournalPurge.Policy policy = new JournalPurge.Policy(days, backups);
        try (Instance instance = Instance.open(config, options))
        {
            final List<JournalPurge.Decision> plan = instance.purgeJournal(policy, dryRun);
            for (final JournalPurge.Decision decision : plan)
            {
                out.printf("%-16s %14d  %s%n", decision.entry().name(), decision.entry().startPosition(),
                    decision.reason());
            }
            final int deletions = JournalPurge.deletions(plan);
            out.println(dryRun ? deletions + " file(s) would be purged (dry run: nothing deleted)" :
                deletions + " file(s) purged");
        }
        return BulwarkCli.EXIT_OK;
    }

    private static int count(final String option, final String value)
    {
        try
        {
            final int n = Integer.parseInt(value);
            if (n < 0)
            {
                throw new NumberFormatException();
            }
            return n;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("purge option " + option + ": '" + value + "' is not a count >= 0");
        }
    }

    private int verify(final JournalFiles files) throws IOException
    {
        final long startNs = System.nanoTime();
        long records = 0;
        long transactions = 0;
        try (JournalReader reader = new JournalReader(files, NioFileLayer.INSTANCE))
        {
            if (reader.entries().isEmpty())
            {
                out.println("journal is empty (no files in " + files.listFile() + ")");
                return BulwarkCli.EXIT_OK;
            }
            reader.seek(reader.startPosition());
            while (reader.next())
            {
                records++;
                if (reader.record().type() == JournalRecord.TYPE_TSTART)
                {
                    transactions++;
                }
            }
            out.printf("journal OK: %d file(s), %d records, %d transactions, positions %d to %d%s; %d ms%n",
                reader.entries().size(), records, transactions, reader.startPosition(), reader.position(),
                reader.endedTorn() ? ", torn tail (a crash cut the last write short; nothing acknowledged is lost)" :
                    "", (System.nanoTime() - startNs) / 1_000_000);
            return BulwarkCli.EXIT_OK;
        }
        catch (final JournalDamagedException ex)
        {
            out.println("journal DAMAGED after " + records + " good records: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
    }
}
