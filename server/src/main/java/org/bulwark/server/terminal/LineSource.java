package org.bulwark.server.terminal;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * Where the terminal's lines come from: a console with line editing and history, or a script.
 */
public interface LineSource extends AutoCloseable
{
    /**
     * @return the next line, or null at the end of the input.
     */
    String readLine(String prompt) throws IOException;

    /**
     * @return true if a person types the lines (prompts shown, syntax errors pointed at).
     */
    boolean interactive();

    @Override
    void close() throws IOException;

    /**
     * Lines of a script on standard input: no prompt, nothing echoed.
     */
    static LineSource script(final BufferedReader in)
    {
        return new LineSource()
        {
            @Override
            public String readLine(final String prompt) throws IOException
            {
                return in.readLine();
            }

            @Override
            public boolean interactive()
            {
                return false;
            }

            @Override
            public void close()
            {
                // standard input belongs to the process
            }
        };
    }
}
