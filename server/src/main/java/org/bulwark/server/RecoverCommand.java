package org.bulwark.server;

import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.common.log.Severity;
import org.bulwark.wij.MismatchTool;
import org.bulwark.wij.WijRecoveryException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.List;

/**
 * {@code bulwark recover} (SPEC W-6): the operator's tool when startup was refused because of
 * {@code MISMATCH.WIJ}. Every operation works from a script ({@code bulwark recover rename}) or
 * from the menu (no operation given, answers read from standard input). Every action is logged.
 */
final class RecoverCommand
{
    private static final String MENU = String.join("\n",
        "",
        "  1) List affected databases and view blocks",
        "  2) Apply mismatched blocks from MISMATCH.WIJ to databases",
        "  3) Rename MISMATCH.WIJ",
        "  4) Dismount a database",
        "  5) Mount a database",
        "  6) Check database integrity",
        "  7) Start normally",
        "  H) Help",
        "  E) Exit",
        "");

    private static final String HELP = String.join("\n",
        "MISMATCH.WIJ holds blocks of the last write daemon cycle that did not match the databases after a crash.",
        "If the databases or the WIJ were replaced or changed since the crash (for example a backup was restored),",
        "rename MISMATCH.WIJ without applying it. Otherwise the blocks were probably lost by the storage (a",
        "volatile write cache): view them, check integrity, and consider applying them (copy the database files",
        "first). Startup stays refused until MISMATCH.WIJ is renamed.");

    private final PrintStream out;
    private final PrintStream err;
    private final BufferedReader in;

    RecoverCommand(final PrintStream out, final PrintStream err, final BufferedReader in)
    {
        this.out = out;
        this.err = err;
        this.in = in;
    }

    int run(final BulwarkCli.Options options)
        throws IOException, InstanceConfig.ConfigException, WijRecoveryException
    {
        final InstanceConfig config = options.config();
        final DataDirectoryLock lock = DataDirectoryLock.acquire(config.dataDirectory(), "recover");
        try (lock; MessageLog log = MessageLog.open(config.logDirectory(), null, Severity.FATAL))
        {
            final MismatchTool tool = new MismatchTool(config.wijConfig(), config.datasetLocations(),
                NioFileLayer.INSTANCE, log);
            final List<String> args = options.arguments;
            if (args.isEmpty())
            {
                return menu(config, options, tool);
            }
            final String operation = args.get(0);
            final List<String> rest = args.subList(1, args.size());
            log.info("RECOVER", "operation '" + String.join(" ", args) + "' requested from the command line");
            return perform(operation, rest, config, options, tool);
        }
    }

    private int perform(
        final String operation,
        final List<String> rest,
        final InstanceConfig config,
        final BulwarkCli.Options options,
        final MismatchTool tool) throws IOException, InstanceConfig.ConfigException, WijRecoveryException
    {
        switch (operation)
        {
            case "list":
                return list(tool);
            case "view":
                if (rest.size() != 2)
                {
                    err.println("usage: bulwark recover view DATABASE BLOCK");
                    return BulwarkCli.EXIT_USAGE;
                }
                out.print(tool.view(rest.get(0), parseBlock(rest.get(1))));
                return BulwarkCli.EXIT_OK;
            case "apply":
                if (!options.yes)
                {
                    err.println("apply writes blocks into databases: repeat with --yes to confirm " +
                        "(copy the database files first)");
                    return BulwarkCli.EXIT_FAILED;
                }
                out.println("Applied " + tool.apply(rest.isEmpty() ? null : rest.get(0)) + " block(s).");
                return BulwarkCli.EXIT_OK;
            case "rename":
                out.println("Renamed to " + tool.rename(LocalDate.now()));
                return BulwarkCli.EXIT_OK;
            case "dismount":
                tool.dismount(single(rest, "dismount DATABASE"));
                out.println("Dismounted " + rest.get(0) + ": it is not mounted at the next start.");
                return BulwarkCli.EXIT_OK;
            case "mount":
                tool.mount(single(rest, "mount DATABASE"));
                out.println("Mounted " + rest.get(0) + ".");
                return BulwarkCli.EXIT_OK;
            case "integrity":
                return new IntegrityCommand(out, err).check(config, rest);
            case "start":
                if (tool.mismatchPresent())
                {
                    err.println("MISMATCH.WIJ is still present: rename it (operation 'rename') before starting");
                    return BulwarkCli.EXIT_REFUSED;
                }
                try (Instance instance = Instance.open(config, options.instanceOptions(err).holdsDirectoryLock(true)))
                {
                    out.println("Started normally: WIJ recovery " + instance.recovery().recoveryCase() + ", " +
                        instance.store().databases().size() + " database(s) mounted. (Shutting down again: " +
                        "the server daemon comes with its own command.)");
                }
                return BulwarkCli.EXIT_OK;
            default:
                err.println("unknown recover operation '" + operation + "'");
                return BulwarkCli.EXIT_USAGE;
        }
    }

    private int list(final MismatchTool tool) throws IOException
    {
        if (!tool.mismatchPresent())
        {
            out.println("There is no MISMATCH.WIJ: nothing to recover.");
            return BulwarkCli.EXIT_OK;
        }
        for (final MismatchTool.Affected affected : tool.list())
        {
            out.println("Database " + affected.name() + " (" + affected.directory() + "): " + affected.blocks().size() +
                " block(s): " + affected.blocks());
        }
        return BulwarkCli.EXIT_OK;
    }

    private int menu(final InstanceConfig config, final BulwarkCli.Options options, final MismatchTool tool)
        throws IOException, InstanceConfig.ConfigException, WijRecoveryException
    {
        out.println("Bulwark startup recovery. " + (tool.mismatchPresent() ?
            "MISMATCH.WIJ is present: some blocks did not match the WIJ after a crash." : "There is no MISMATCH.WIJ."));
        while (true)
        {
            out.print(MENU + "Choice: ");
            out.flush();
            final String line = in.readLine();
            if (null == line)
            {
                return BulwarkCli.EXIT_OK;
            }
            final String choice = line.strip().toUpperCase(java.util.Locale.ROOT);
            try
            {
                switch (choice)
                {
                    case "1":
                        list(tool);
                        final String db = ask("View a block of database (empty to skip): ");
                        if (!db.isEmpty())
                        {
                            out.print(tool.view(db, parseBlock(ask("Block number: "))));
                        }
                        break;
                    case "2":
                        if (ask("Apply the blocks of MISMATCH.WIJ to the databases? (yes/no) ").equalsIgnoreCase("yes"))
                        {
                            final String only = ask("Only one database (empty for all): ");
                            out.println("Applied " + tool.apply(only.isEmpty() ? null : only) + " block(s).");
                        }
                        break;
                    case "3":
                        out.println("Renamed to " + tool.rename(LocalDate.now()));
                        break;
                    case "4":
                        tool.dismount(ask("Database to dismount: "));
                        break;
                    case "5":
                        tool.mount(ask("Database to mount: "));
                        break;
                    case "6":
                        new IntegrityCommand(out, err).check(config, List.of());
                        break;
                    case "7":
                        return perform("start", List.of(), config, options, tool);
                    case "H":
                        out.println(HELP);
                        break;
                    case "E":
                        return BulwarkCli.EXIT_OK;
                    default:
                        out.println("Choose 1-7, H or E.");
                }
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                out.println("Failed: " + ex.getMessage());
            }
        }
    }

    private String ask(final String prompt) throws IOException
    {
        out.print(prompt);
        out.flush();
        final String line = in.readLine();
        return null == line ? "" : line.strip();
    }

    private static int parseBlock(final String text)
    {
        try
        {
            return Integer.parseInt(text.strip());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("'" + text + "' is not a block number");
        }
    }

    private static String single(final List<String> rest, final String usage)
    {
        if (rest.size() != 1)
        {
            throw new IllegalArgumentException("usage: bulwark recover " + usage);
        }
        return rest.get(0);
    }
}
