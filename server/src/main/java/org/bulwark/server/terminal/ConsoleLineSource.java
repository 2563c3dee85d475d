package org.bulwark.server.terminal;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Lines typed at a console, read with JLine: editing, history kept in a file across sessions,
 * Ctrl-C abandons the line being typed, Ctrl-D ends the session.
 */
public final class ConsoleLineSource implements LineSource
{
    private static final int HISTORY_LINES = 1000;

    private final Terminal terminal;
    private final LineReader reader;

    /**
     * @param historyFile where the history is kept, e.g. {@code ~/.bulwark_history}.
     */
    public ConsoleLineSource(final Path historyFile) throws IOException
    {
        terminal = TerminalBuilder.builder().system(true).build();
        reader = LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("bulwark")
            .variable(LineReader.HISTORY_FILE, historyFile)
            .variable(LineReader.HISTORY_SIZE, HISTORY_LINES)
            .variable(LineReader.HISTORY_FILE_SIZE, HISTORY_LINES)
            // "!" is the write command's new line, not a history expansion.
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .build();
    }

    @Override
    public String readLine(final String prompt)
    {
        while (true)
        {
            try
            {
                return reader.readLine(prompt);
            }
            catch (final UserInterruptException ex)
            {
                // Ctrl-C: drop the line, prompt again
            }
            catch (final EndOfFileException ex)
            {
                return null;
            }
        }
    }

    @Override
    public boolean interactive()
    {
        return true;
    }

    @Override
    public void close() throws IOException
    {
        reader.getHistory().save();
        terminal.close();
    }
}
