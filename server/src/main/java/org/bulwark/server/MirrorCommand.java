package org.bulwark.server;

import org.bulwark.probes.JsonReader;
import org.bulwark.replication.auth.MirrorKey;
import org.bulwark.server.resp.RespConfig;
import org.bulwark.server.terminal.RespClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * {@code bulwark mirror <subcommand>}: the operator's mirroring commands.
 *
 * <pre>
 * bulwark mirror status [--config FILE | --data DIR] [--json]
 *     the mirror monitor (SPEC M-17) of the member running on the data directory, asked over its RESP
 *     port (MIRROR STATUS [JSON]); exit 0, 1 if the member is not mirrored or cannot be asked, 3 if no
 *     member runs there
 * bulwark mirror keygen FILE [--force]
 *     write a new mirror key (SPEC M-19) readable by its owner only; an existing FILE only with --force
 * bulwark mirror up | down
 *     not here yet: scripts/mirror-up.sh and scripts/mirror-down.sh
 * </pre>
 */
final class MirrorCommand
{
    /** No member runs on the data directory: as {@code bulwark status} says "stopped". */
    static final int EXIT_NOT_RUNNING = StatusCommand.EXIT_STOPPED;
    static final int CONNECT_TIMEOUT_MS = 5_000;
    /** What a member that is not mirrored answers MIRROR STATUS with (ServerCommands). */
    static final String NOT_CONFIGURED_PREFIX = "mirror_configured:0";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final PrintStream out;
    private final PrintStream err;

    MirrorCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * @param args the arguments after {@code mirror}.
     */
    int run(final String[] args)
    {
        if (args.length == 0)
        {
            usage(err);
            return BulwarkCli.EXIT_USAGE;
        }
        final String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        switch (args[0])
        {
            case "-h":
            case "--help":
            case "help":
                usage(out);
                return BulwarkCli.EXIT_OK;
            case "status":
                return status(rest);
            case "keygen":
                return keygen(rest);
            case "up":
            case "down":
                // Hook for the scripts being written: they become subcommands here later.
                err.println("bulwark mirror " + args[0] + ": use scripts/mirror-up.sh / scripts/mirror-down.sh");
                return BulwarkCli.EXIT_USAGE;
            default:
                err.println("bulwark mirror: unknown subcommand '" + args[0] + "'");
                usage(err);
                return BulwarkCli.EXIT_USAGE;
        }
    }

    private int status(final String[] args)
    {
        final BulwarkCli.Options options = new BulwarkCli.Options();
        boolean json = false;
        final InstanceConfig config;
        final RespConfig resp;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--config":
                        options.configFile = Path.of(value(args, ++i, "--config"));
                        break;
                    case "--data":
                        options.dataDirectory = Path.of(value(args, ++i, "--data"));
                        break;
                    case "--json":
                        json = true;
                        break;
                    default:
                        throw new IllegalArgumentException(args[i].startsWith("--") ? "unknown option '" + args[i] +
                            "'" : "unexpected argument '" + args[i] + "'");
                }
            }
            config = options.config();
            resp = config.respConfig();
        }
        catch (final IllegalArgumentException | IOException ex)
        {
            err.println("bulwark mirror status: " + ex.getMessage());
            usage(err);
            return BulwarkCli.EXIT_USAGE;
        }
        catch (final InstanceConfig.ConfigException ex)
        {
            err.println("bulwark mirror status: configuration error: " + ex.getMessage());
            return BulwarkCli.EXIT_USAGE;
        }
        final Path dataDirectory = config.dataDirectory().toAbsolutePath();
        final String address;
        try
        {
            address = TerminalCommand.runningMemberRespAddress(dataDirectory);
        }
        catch (final IOException | IllegalStateException ex)
        {
            err.println("bulwark mirror status: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
        if (null == address)
        {
            err.println("bulwark mirror status: no member is running on data directory " + dataDirectory +
                " (bulwark status says more; bulwark start starts it)");
            return EXIT_NOT_RUNNING;
        }
        return ask(address, resp, json, dataDirectory);
    }

    private int ask(final String address, final RespConfig resp, final boolean json, final Path dataDirectory)
    {
        final int colon = address.lastIndexOf(':');
        final String reply;
        try (RespClient client = new RespClient(address.substring(0, colon),
            Integer.parseInt(address.substring(colon + 1)), CONNECT_TIMEOUT_MS))
        {
            if (!resp.authPassword().isEmpty())
            {
                client.call("AUTH", resp.authUser(), resp.authPassword());
            }
            final Object answer = json ? client.call("MIRROR", "STATUS", "JSON") : client.call("MIRROR", "STATUS");
            reply = String.valueOf(answer);
        }
        catch (final RespClient.ErrorReply ex)
        {
            err.println("bulwark mirror status: the member at " + address + " refused: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println("bulwark mirror status: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
        final boolean mirrored;
        try
        {
            mirrored = mirrored(reply, json, address);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("bulwark mirror status: " + ex.getMessage());
            return BulwarkCli.EXIT_FAILED;
        }
        if (!mirrored)
        {
            err.println("bulwark mirror status: the member running on " + dataDirectory + " is not mirrored " +
                "(mirror.name is not set in its configuration)");
            return BulwarkCli.EXIT_FAILED;
        }
        out.print(reply);
        if (!reply.endsWith("\n"))
        {
            out.println();
        }
        return BulwarkCli.EXIT_OK;
    }

    private static boolean mirrored(final String reply, final boolean json, final String address)
    {
        if (!json)
        {
            return !reply.startsWith(NOT_CONFIGURED_PREFIX);
        }
        final Object parsed = JsonReader.parse(reply, "MIRROR STATUS JSON from " + address);
        return !(parsed instanceof Map<?, ?> map) || !Boolean.FALSE.equals(map.get("configured"));
    }

    private int keygen(final String[] args)
    {
        Path file = null;
        boolean force = false;
        for (final String arg : args)
        {
            if ("--force".equals(arg))
            {
                force = true;
            }
            else if (arg.startsWith("--") || null != file)
            {
                err.println("bulwark mirror keygen: " + (arg.startsWith("--") ? "unknown option '" + arg + "'" :
                    "unexpected argument '" + arg + "' (one key file at a time)"));
                usage(err);
                return BulwarkCli.EXIT_USAGE;
            }
            else
            {
                file = Path.of(arg);
            }
        }
        if (null == file)
        {
            err.println("bulwark mirror keygen: the key file to write is missing");
            usage(err);
            return BulwarkCli.EXIT_USAGE;
        }
        try
        {
            writeKey(file, force);
        }
        catch (final FileAlreadyExistsException ex)
        {
            err.println("bulwark mirror keygen: " + file + " already exists; --force replaces it (members and " +
                "agents still holding the old key are refused until they have the new one)");
            return BulwarkCli.EXIT_FAILED;
        }
        catch (final AccessDeniedException ex)
        {
            err.println("bulwark mirror keygen: cannot write " + file + ": permission denied");
            return BulwarkCli.EXIT_FAILED;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            err.println("bulwark mirror keygen: cannot write " + file + ": " + ex);
            return BulwarkCli.EXIT_FAILED;
        }
        out.println("wrote a new mirror key to " + file.toAbsolutePath() + " (mode 600): copy it to every member " +
            "and agent of the mirror and name it in mirror.keyFile / agent.keyFile");
        return BulwarkCli.EXIT_OK;
    }

    /**
     * Write a new key, owner read/write only from the moment the file exists; durable before this returns.
     *
     * @throws FileAlreadyExistsException if {@code file} exists and {@code force} is false.
     */
    static void writeKey(final Path file, final boolean force) throws IOException
    {
        final Path directory = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory))
        {
            throw new IOException("directory " + directory + " does not exist");
        }
        final FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
        final byte[] text = MirrorKey.generateFileText().getBytes(StandardCharsets.US_ASCII);
        if (!force)
        {
            // CREATE_NEW: an existing file, even one made a moment ago by someone else, is never replaced.
            writeDurably(file, text, ownerOnly, StandardOpenOption.CREATE_NEW);
        }
        else
        {
            // A new file renamed over the old one: a reader sees the old key or the new one, never half of it.
            final Path temporary = Files.createTempFile(directory, "." + file.getFileName() + ".", ".tmp", ownerOnly);
            try
            {
                writeDurably(temporary, text, ownerOnly, StandardOpenOption.TRUNCATE_EXISTING);
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            finally
            {
                Files.deleteIfExists(temporary);
            }
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true); // the new directory entry survives a crash too
        }
    }

    private static void writeDurably(final Path file, final byte[] text,
        final FileAttribute<Set<PosixFilePermission>> ownerOnly, final StandardOpenOption create) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.WRITE, create), ownerOnly))
        {
            // The umask may have taken bits away from 600 (0277 leaves 400): exactly 600, before the key is in it.
            Files.setPosixFilePermissions(file, OWNER_ONLY);
            final ByteBuffer buffer = ByteBuffer.wrap(text);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
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
        out.println("usage: bulwark mirror <subcommand>");
        out.println("  status [--config FILE | --data DIR] [--json]");
        out.println("                           the mirror monitor of the member running on the data directory:");
        out.println("                           members, journal transfer, dejournaling, databases (over its RESP");
        out.println("                           port); exit 1 if it is not mirrored or cannot be asked, 3 if no");
        out.println("                           member runs there");
        out.println("  keygen FILE [--force]    write a new mirror key, readable by its owner only (mode 600);");
        out.println("                           an existing FILE is replaced only with --force");
        out.println("  up | down                start or stop the mirror's members: for now scripts/mirror-up.sh and");
        out.println("                           scripts/mirror-down.sh");
    }
}
