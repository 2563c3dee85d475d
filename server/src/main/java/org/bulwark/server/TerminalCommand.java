package org.bulwark.server;

import org.bulwark.server.terminal.ConsoleLineSource;
import org.bulwark.server.terminal.LineSource;
import org.bulwark.server.terminal.SessionBackend;
import org.bulwark.server.terminal.TerminalBackend;
import org.bulwark.server.terminal.TerminalInterpreter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bulwark terminal [--stop-on-error]} (SPEC V-3): the terminal idiom on a member opened
 * in-process. At a console: a prompt, line editing and history ({@code ~/.bulwark_history}). With
 * standard input from a file or a pipe: one line after another, nothing printed but what the
 * commands write and their errors, which do not stop the script; with {@code --stop-on-error} the
 * first failing line ends it and the exit code is 1.
 */
final class TerminalCommand
{
    static final String HISTORY_FILE = ".bulwark_history";

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
        try (Instance instance = Instance.open(config, options);
            TerminalBackend backend = new SessionBackend(instance.openSession(), "member on " +
                config.dataDirectory().toAbsolutePath());
            LineSource lines = console ?
                new ConsoleLineSource(Path.of(System.getProperty("user.home"), HISTORY_FILE)) : LineSource.script(in))
        {
            return run(backend, lines, stopOnError);
        }
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
