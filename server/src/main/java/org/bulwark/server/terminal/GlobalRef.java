package org.bulwark.server.terminal;

import org.bulwark.store.key.KeyCodec;

import java.util.List;

/**
 * A global reference as text: the name (without {@code ^}) and its subscripts, each a string or a
 * canonical number in text form (G-2: a canonical number and the same digits as a string are the
 * same subscript, so text is lossless). The form every {@link TerminalBackend} speaks.
 */
public record GlobalRef(String name, List<String> subscripts)
{
    public GlobalRef
    {
        subscripts = List.copyOf(subscripts);
    }

    public static GlobalRef of(final String name, final String... subscripts)
    {
        return new GlobalRef(name, List.of(subscripts));
    }

    /**
     * @return the subscripts for the embedded API.
     */
    public Object[] subscriptArray()
    {
        return subscripts.toArray();
    }

    /**
     * @return the reference as the terminal writes it: {@code ^x("a",1)}.
     */
    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder().append('^').append(name);
        if (!subscripts.isEmpty())
        {
            out.append('(');
            for (int i = 0; i < subscripts.size(); i++)
            {
                if (i > 0)
                {
                    out.append(',');
                }
                out.append(literal(subscripts.get(i)));
            }
            out.append(')');
        }
        return out.toString();
    }

    /**
     * @return a canonical number as it is, anything else as a quoted string with {@code ""} for a quote.
     */
    public static String literal(final String value)
    {
        if (!value.isEmpty() && KeyCodec.isCanonicalNumber(value))
        {
            return value;
        }
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }
}
