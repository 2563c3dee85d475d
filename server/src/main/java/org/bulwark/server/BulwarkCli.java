package org.bulwark.server;

import org.bulwark.common.log.Severity;
import org.bulwark.wij.WijRecoveryException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code bulwark <command>}: the command line of a member.
 *
 * <pre>
 * bulwark demo      [options]              open a member, run a short scripted session, check integrity
 * bulwark integrity [options] [DB ...]     check databases (instance stopped); exit 1 on any error
 * bulwark recover   [options] [OPERATION]  the WIJ recovery tool; without an operation, a menu
 * bulwark journal   [options] [OPERATION]  list, dump, verify, purge or restore the journal
 * bulwark backup    [options] OPERATION    create, restore or list database backups
 * bulwark start     [options] [--wait S]   start the member as a daemon, wait until ready
 * bulwark stop      [options] [--timeout S] [--nofailover]   graceful shutdown
 * bulwark status    [options]              running (exit 0) or stopped (exit 3)
 * bulwark run       [options]              the member in the foreground (RESP port) until SIGTERM
 * bulwark terminal  [options]              the terminal idiom, interactive or from standard input
 * bulwark shell     [options]              commands from standard input (transactions, locks, ...)
 * bulwark config                           list the configuration keys and defaults
 * bulwark mirror    status | keygen FILE   the mirror monitor of the running member; a new mirror key
 * bulwark stat      [options]              live counters of the member running on the data directory
 * bulwark serve     [options]              the same as run
 * bulwark probe disk DIR [--size MB] [--ops N] [--write-config FILE] [--json]
 *                                          durable-write latencies of a disk, recommended journal sync
 * bulwark probe net --listen [HOST:]PORT [--for DURATION] [--idle backoff|yield|sleep]
 *                                          answer network probes (an embedded Aeron driver)
 * bulwark probe net HOST[:PORT] | --local [--messages N] [--size BYTES] [--rate N] [--stream DURATION]
 *                   [--timeout DURATION] [--idle I] [--reply-port PORT] [--json] [--write-config FILE]
 *                                          Aeron round trips and throughput to a responder, recommended
 *                                          mirror QoS timeout and compression
 *
 * options: --config FILE   the instance configuration (default ./bulwark.conf if it exists)
 *          --data DIR      data directory when there is no configuration file (default ./data)
 *          --skip-recovery start without WIJ recovery (to restore a backup over a database)
 *          --skip-wij-dataset DB   abandon the WIJ restore of one database (corruption risk)
 * </pre>
 *
 * Exit codes: 0 success, 1 integrity errors or a refused operation, 2 usage or configuration
 * error, 3 startup refused by WIJ recovery.
 */
public final class BulwarkCli
{
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_REFUSED = 3;

    private final PrintStream out;
    private final PrintStream err;
    private final BufferedReader in;

    BulwarkCli(final PrintStream out, final PrintStream err, final BufferedReader in)
    {
        this.out = out;
        this.err = err;
        this.in = in;
    }

    public static void main(final String[] args)
    {
        final BulwarkCli cli = new BulwarkCli(System.out, System.err,
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        System.exit(cli.run(args));
    }

    /**
     * Parsed common options.
     */
    static final class Options
    {
        Path configFile;
        Path dataDirectory;
        boolean skipRecovery;
        final Set<String> skipDatasets = new HashSet<>();
        boolean yes;
        final List<String> arguments = new ArrayList<>();

        InstanceConfig config() throws java.io.IOException, InstanceConfig.ConfigException
        {
            if (null != configFile)
            {
                final InstanceConfig config = InstanceConfig.load(configFile);
                if (null != dataDirectory)
                {
                    config.set("data.directory", dataDirectory.toString());
                }
                return config;
            }
            final Path defaultFile = Path.of("bulwark.conf");
            if (null == dataDirectory && Files.exists(defaultFile))
            {
                return InstanceConfig.load(defaultFile);
            }
            return InstanceConfig.defaults(null == dataDirectory ? Path.of("data") : dataDirectory);
        }

        InstanceOptions instanceOptions(final PrintStream echo)
        {
            return new InstanceOptions().skipRecovery(skipRecovery).skipDatasets(skipDatasets)
                .echo(echo, Severity.WARNING);
        }
    }

    int run(final String[] args)
    {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help"))
        {
            usage(out);
            return args.length == 0 ? EXIT_USAGE : EXIT_OK;
        }
        if ("agent".equals(args[0]))
        {
            return new AgentCommand(out, err).run(java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        if ("mirror".equals(args[0]))
        {
            return new MirrorCommand(out, err).run(java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        final Options options;
        try
        {
            options = parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("bulwark: " + ex.getMessage());
            usage(err);
            return EXIT_USAGE;
        }
        try
        {
            switch (args[0])
            {
                case "demo":
                    return new DemoCommand(out).run(options.config(), options.instanceOptions(err));
                case "integrity":
                    return new IntegrityCommand(out, err).run(options.config(), options.arguments);
                case "recover":
                    return new RecoverCommand(out, err, in).run(options);
                case "journal":
                    if (!options.arguments.isEmpty() && "restore".equals(options.arguments.get(0)))
                    {
                        return new BackupCommand(out, err).journalRestore(options.config(),
                            options.instanceOptions(err), options.arguments.subList(1, options.arguments.size()));
                    }
                    return new JournalCommand(out, err).run(options.config(), options.instanceOptions(err),
                        options.arguments);
                case "run":
                case "serve":
                    return new RunCommand(out, MemberServices.standard()).run(options.config(),
                        options.instanceOptions(err), StartCommand.effectiveConfigFile(options));
                case "start":
                    return new StartCommand(out, err).run(options, options.config());
                case "stop":
                    return new StopCommand(out, err).run(options, options.config());
                case "status":
                    return new StatusCommand(out).run(options.config());
                case "terminal":
                    return new TerminalCommand(out, in, null != System.console() && System.out == out)
                        .run(options.config(), options.instanceOptions(err), options.arguments);
                case "shell":
                    return new ShellCommand(out, in).run(options.config(), options.instanceOptions(err));
                case "backup":
                    return new BackupCommand(out, err).backup(options.config(), options.instanceOptions(err),
                        options.arguments);
                case "stat":
                    return new StatCommand(out, err, out == System.out && null != System.console())
                        .run(options.config().dataDirectory(), options.arguments);
                case "probe":
                    return new ProbeCommand(out, err).run(options.arguments);
                case "config":
                    for (final String[] key : InstanceConfig.KEYS)
                    {
                        out.printf("%-36s default %-26s %s%n", key[0], key[1].isEmpty() ? "-" : key[1], key[2]);
                    }
                    return EXIT_OK;
                default:
                    err.println("bulwark: unknown command '" + args[0] + "'");
                    usage(err);
                    return EXIT_USAGE;
            }
        }
        catch (final InstanceConfig.ConfigException ex)
        {
            err.println("bulwark: configuration error: " + ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final DataDirectoryLock.InUseException ex)
        {
            err.println("bulwark " + args[0] + ": " + ex.getMessage());
            return EXIT_FAILED;
        }
        catch (final WijRecoveryException ex)
        {
            err.println("bulwark: " + ex.getMessage());
            return EXIT_REFUSED;
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("bulwark " + args[0] + ": " + ex.getMessage());
            return EXIT_USAGE;
        }
        catch (final Exception ex)
        {
            err.println("bulwark: " + args[0] + " failed: " + ex);
            return EXIT_FAILED;
        }
    }

    static Options parse(final String[] args)
    {
        final Options options = new Options();
        for (int i = 1; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--config":
                    options.configFile = Path.of(value(args, ++i, arg));
                    break;
                case "--data":
                    options.dataDirectory = Path.of(value(args, ++i, arg));
                    break;
                case "--skip-recovery":
                    options.skipRecovery = true;
                    break;
                case "--skip-wij-dataset":
                    options.skipDatasets.add(value(args, ++i, arg));
                    break;
                case "--yes":
                    options.yes = true;
                    break;
                case "--dry-run":
                case "--no-journal":
                case "--once":
                case "--stop-on-error":
                case "--nofailover":
                case "--json":
                case "--local":
                    options.arguments.add(arg);
                    break;
                case "--from":
                case "--to":
                case "--txn":
                case "--global":
                case "--lanes":
                case "--database":
                case "--apply-from":
                case "--journal-dir":
                case "--since":
                case "--until":
                case "--days":
                case "--backups":
                case "--interval":
                case "--count":
                case "--wait":
                case "--timeout":
                case "--size":
                case "--ops":
                case "--write-config":
                case "--listen":
                case "--for":
                case "--messages":
                case "--rate":
                case "--stream":
                case "--idle":
                case "--reply-port":
                    // options of journal, backup, stat, start, stop and probe: passed on with their value
                    options.arguments.add(arg);
                    options.arguments.add(value(args, ++i, arg));
                    break;
                default:
                    if (arg.startsWith("--"))
                    {
                        throw new IllegalArgumentException("unknown option '" + arg + "'");
                    }
                    options.arguments.add(arg);
            }
        }
        return options;
    }

    private static String value(final String[] args, final int i, final String option)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return args[i];
    }

    static void usage(final PrintStream out)
    {
        out.println("usage: bulwark <command> [options] [arguments]");
        out.println("  demo                     open a member, run a scripted session, check integrity");
        out.println("  integrity [DB ...]       check databases of a stopped instance; exit 1 on errors");
        out.println("  recover [OPERATION]      WIJ recovery tool; operations: list, view DB BLOCK, apply [DB] --yes,");
        out.println("                           rename, dismount DB, mount DB, integrity [DB], start;");
        out.println("                           without an operation: a menu");
        out.println("  journal [OPERATION]      list (default), verify (exit 1 on damage),");
        out.println("                           dump [--from POS] [--to POS] [--txn ID] [--global NAME]");
        out.println("                                [--since TIME] [--until TIME]   (TIME: 2026-11-23T10:15:00Z)");
        out.println("                           purge [--days N] [--backups N] [--dry-run],");
        out.println("                           restore --database DB --from POS [--apply-from POS] [--until TIME]");
        out.println("                                   [--lanes N] [--journal-dir DIR]");
        out.println("  start [--wait S]         start the member as a daemon; wait until it is ready (default 120 s)");
        out.println("  stop [--timeout S] [--nofailover]   graceful shutdown; wait for it (default 660 s)");
        out.println("  status                   running (exit 0, pid, uptime) or stopped (exit 3)");
        out.println("  run                      the member with its RESP port until SIGTERM (what start runs)");
        out.println("  terminal [--stop-on-error]  the terminal idiom: set ^x(\"a\",1)=\"v\", write ^x, zwrite, kill,");
        out.println("                           $order, $data, $increment, tstart, tcommit, lock +^x:5, halt; reads");
        out.println("                           standard input when it is not a console");
        out.println("  shell                    one command per line from standard input: set, get, kill, order,");
        out.println("                           tstart, tcommit, trollback, lock, unlock, ... (help lists them)");
        out.println("  backup create DB FILE    online full backup of a database");
        out.println("  backup restore FILE      put a backup back, then apply the journal [--until TIME] [--lanes N]");
        out.println("                           [--no-journal]");
        out.println("  backup list              the backups in backup.log");
        out.println("  config                   list configuration keys and defaults");
        out.println("  stat [--interval MS] [--once] [--count N]");
        out.println("                           live counters and rates of the member running on the data directory");
        out.println("  serve                    the same as run");
        out.println("  probe disk DIR [--size MB] [--ops N] [--write-config FILE] [--json]");
        out.println("                           durable-write latencies and bandwidth of the disk holding DIR, its");
        out.println("                           /sys facts, the recommended journal.syncMethod (written to FILE)");
        out.println("  probe net --listen [HOST:]PORT [--for DURATION] [--idle backoff|yield|sleep]");
        out.println("                           answer network probes on UDP PORT (default 6390) until Ctrl-C");
        out.println("  probe net HOST[:PORT] | --local [--messages N] [--size BYTES] [--rate N] [--stream DURATION]");
        out.println("                           [--timeout DURATION] [--idle I] [--reply-port PORT] [--json]");
        out.println("                           [--write-config FILE]   Aeron round-trip latency and throughput to a");
        out.println("                           responder; the recommended mirror.qosTimeoutMs and mirror.compression");
        out.println("  mirror status [--json] | keygen FILE [--force]");
        out.println("                           the mirror monitor of the running member; a new mirror key");
        out.println("options: --config FILE, --data DIR, --skip-recovery, --skip-wij-dataset DB, --yes");
    }
}
