package org.bulwark.server;

import java.util.List;

/**
 * The arguments of {@code start}, {@code stop} and {@code status}: {@code --wait S},
 * {@code --timeout S}, {@code --nofailover}.
 */
final class DaemonArguments
{
    private DaemonArguments()
    {
    }

    /**
     * @return the seconds given with {@code option}, or {@code fallback}.
     * @throws IllegalArgumentException for anything else in {@code arguments} but the known options.
     */
    static long seconds(final List<String> arguments, final String option, final long fallback)
    {
        long seconds = fallback;
        for (int i = 0; i < arguments.size(); i++)
        {
            final String argument = arguments.get(i);
            if (argument.equals(option) && i + 1 < arguments.size())
            {
                final String text = arguments.get(++i);
                try
                {
                    seconds = Long.parseLong(text);
                }
                catch (final NumberFormatException ex)
                {
                    seconds = -1;
                }
                if (seconds <= 0)
                {
                    throw new IllegalArgumentException(option + " takes a whole number of seconds, not '" + text + "'");
                }
            }
            else if (!argument.equals("--nofailover"))
            {
                throw new IllegalArgumentException("unexpected argument '" + argument + "'");
            }
        }
        return seconds;
    }
}
