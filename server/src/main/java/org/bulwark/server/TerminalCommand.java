package org.bulwark.server;

import org.bulwark.server.terminal.ConsoleLineSource;
import org.bulwark.server.terminal.LineSource;
import org.bulwark.server.terminal.RespBackend;
import org.bulwark.server.terminal.SessionBackend;
import org.bulwark.server.terminal.TerminalBackend;
import org.bulwark.server.terminal.TerminalInterpreter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bulwark terminal [--stop-on-error]} (SPEC V-3): the terminal idiom on the member of the
 * data directory: over its RESP port if it runs (started with {@code bulwark start} or {@code run}),
 * else opened in-process. At a console: a prompt, line editing and history ({@code ~/.bulwark_history}). With
 * standard input from a file or a pipe: one line after another, nothing printed but what the
 * commands write and their errors, which do not stop the script; with {@code --stop-on-error} the
 * first failing line ends it and the exit code is 1.
 */
final class TerminalCommand
{
    static final String HISTORY_FILE = ".bulwark_history";
    /** How {@code RespServer.toString()} begins; {@code bulwark run} writes it into the pid file. */
    static final String RESP_SERVICE_PREFIX = "RESP on ";

    private final PrintStream out;
    private final BufferedReader in;
    private final boolean console;

    /**
     * @param console true if standard input and output are a terminal (and {@code in} reads standard input).
     */
    TerminalCommand(final PrintStream out, final BufferedReader in, final boolean console)
    {
        this.out = out;
        this.in = in;
        this.console = console;
    }

    int run(final InstanceConfig config, final InstanceOptions options, final List<String> arguments)
        throws Exception
    {
        boolean stopOnError = false;
        for (final String argument : arguments)
        {
            if (!"--stop-on-error".equals(argument))
            {
                throw new IllegalArgumentException("unexpected argument '" + argument + "' (terminal takes " +
                    "--stop-on-error and the member's options)");
            }
            stopOnError = true;
        }
        final String respAddress = runningMemberRespAddress(config.dataDirectory().toAbsolutePath());
        if (null != respAddress)
        {
            // A member runs on this data directory: be one of its clients, over its RESP port.
            final int colon = respAddress.lastIndexOf(':');
            final org.bulwark.server.resp.RespConfig resp = config.respConfig();
            try (TerminalBackend backend = RespBackend.connect(respAddress.substring(0, colon),
                Integer.parseInt(respAddress.substring(colon + 1)), resp.authUser(), resp.authPassword());
                LineSource lines = lines())
            {
                return run(backend, lines, stopOnError);
            }
        }
        try (Instance instance = Instance.open(config, options);
            TerminalBackend backend = new SessionBackend(instance.openSession(), "member on " +
                config.dataDirectory().toAbsolutePath());
            LineSource lines = lines())
        {
            return run(backend, lines, stopOnError);
        }
    }

    private LineSource lines() throws IOException
    {
        return console ? new ConsoleLineSource(Path.of(System.getProperty("user.home"), HISTORY_FILE)) :
            LineSource.script(in);
    }

    /**
     * @return {@code host:port} of the RESP port of the member running (ready) on the data
     * directory, or null if none runs there.
     * @throws IllegalStateException if one runs but cannot be reached over RESP.
     */
    static String runningMemberRespAddress(final Path dataDirectory) throws IOException
    {
        final long pid = DataDirectoryLock.holder(dataDirectory);
        final PidFile ready = PidFile.read(PidFile.path(dataDirectory));
        if (pid < 0 || null == ready || ready.pid() != pid)
        {
            return null; // nobody, or a tool or a member still recovering: opening refuses with its pid
        }
        for (final String service : ready.services())
        {
            if (service.startsWith(RESP_SERVICE_PREFIX) && !service.endsWith("(TLS)"))
            {
                return service.substring(RESP_SERVICE_PREFIX.length()).strip();
            }
        }
        throw new IllegalStateException("the member running on " + dataDirectory + " (pid " + pid + ") has no " +
            "plain RESP port the terminal can use (its services: " + String.join(", ", ready.services()) + "); " +
            "use redis-cli, or stop it (bulwark stop) to use the terminal on the files");
    }

    /**
     * Read, run and print until the input ends or {@code halt}.
     *
     * @return the exit code: 1 if a line failed and {@code stopOnError}.
     */
    int run(final TerminalBackend backend, final LineSource lines, final boolean stopOnError) throws IOException
    {
        final TerminalInterpreter interpreter = new TerminalInterpreter(backend, out);
        if (lines.interactive())
        {
            out.println("Bulwark terminal, " + backend.describe() + ". help lists the commands; halt ends.");
        }
        int failures = 0;
        int lineNumber = 0;
        while (!interpreter.halted())
        {
            final String prompt = interpreter.prompt();
            final String line = lines.readLine(prompt);
            if (null == line)
            {
                break;
            }
            lineNumber++;
            interpreter.caretIndent(lines.interactive() ? prompt.length() : -1);
            final RuntimeException error = interpreter.execute(line);
            if (null == error)
            {
                continue;
            }
            failures++;
            if (stopOnError && !lines.interactive())
            {
                out.println("(stopped at line " + lineNumber + ")");
                break;
            }
        }
        if (backend.tlevel() > 0)
        {
            out.println("(the session ends inside a transaction, level " + backend.tlevel() + ": rolled back)");
        }
        // Errors are part of a session's output; only a script that asked to stop at one fails the run.
        return failures > 0 && stopOnError ? BulwarkCli.EXIT_FAILED : BulwarkCli.EXIT_OK;
    }
}
