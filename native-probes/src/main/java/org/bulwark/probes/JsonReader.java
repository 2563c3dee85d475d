package org.bulwark.probes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader (the counterpart of {@link JsonWriter}) for the probes' and the perf harness's
 * summary files: objects become {@code Map<String, Object>} (in file order),
 * arrays {@code List<Object>}, numbers {@code Double}, and strings, booleans and null themselves. Enough for files
 * of a few kilobytes read once; not a general-purpose parser (no streaming, numbers as doubles).
 */
public final class JsonReader
{
    private final String text;
    private final String source;
    private int position;

    private JsonReader(final String text, final String source)
    {
        this.text = text;
        this.source = source;
    }

    /**
     * @param source names the text in error messages (a file name).
     * @return the value of the whole text.
     * @throws IllegalArgumentException naming the source, line and column of the first error.
     */
    public static Object parse(final String text, final String source)
    {
        final JsonReader reader = new JsonReader(text, source);
        final Object value = reader.value();
        reader.skipWhitespace();
        if (reader.position < text.length())
        {
            throw reader.error("unexpected text after the value");
        }
        return value;
    }

    private Object value()
    {
        skipWhitespace();
        if (position >= text.length())
        {
            throw error("unexpected end of the text, expected a value");
        }
        final char c = text.charAt(position);
        switch (c)
        {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return number();
                }
                throw error("unexpected character '" + c + "', expected a value");
        }
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> members = new LinkedHashMap<>();
        position++;
        skipWhitespace();
        if (peek() == '}')
        {
            position++;
            return members;
        }
        while (true)
        {
            skipWhitespace();
            if (peek() != '"')
            {
                throw error(position >= text.length() ? "unexpected end of the text, expected a member name" :
                    "expected a member name in double quotes");
            }
            final String name = string();
            skipWhitespace();
            expect(':');
            members.put(name, value());
            skipWhitespace();
            if (peek() == ',')
            {
                position++;
            }
            else
            {
                expect('}');
                return members;
            }
        }
    }

    private List<Object> array()
    {
        final List<Object> elements = new ArrayList<>();
        position++;
        skipWhitespace();
        if (peek() == ']')
        {
            position++;
            return elements;
        }
        while (true)
        {
            elements.add(value());
            skipWhitespace();
            if (peek() == ',')
            {
                position++;
            }
            else
            {
                expect(']');
                return elements;
            }
        }
    }

    private String string()
    {
        final StringBuilder value = new StringBuilder();
        position++;
        while (true)
        {
            if (position >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(position++);
            if (c == '"')
            {
                return value.toString();
            }
            if (c != '\\')
            {
                value.append(c);
                continue;
            }
            if (position >= text.length())
            {
                throw error("unterminated escape in a string");
            }
            final char escaped = text.charAt(position++);
            switch (escaped)
            {
                case '"', '\\', '/' -> value.append(escaped);
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'n' -> value.append('\n');
                case 'r' -> value.append('\r');
                case 't' -> value.append('\t');
                case 'u' -> value.append(unicodeEscape());
                default -> throw error("unknown escape '\\" + escaped + "' in a string");
            }
        }
    }

    private char unicodeEscape()
    {
        if (position + 4 > text.length())
        {
            throw error("incomplete \\u escape");
        }
        try
        {
            final char c = (char)Integer.parseInt(text.substring(position, position + 4), 16);
            position += 4;
            return c;
        }
        catch (final NumberFormatException ex)
        {
            throw error("bad \\u escape '" + text.substring(position, position + 4) + "'");
        }
    }

    private Double number()
    {
        final int start = position;
        while (position < text.length() && "+-0123456789.eE".indexOf(text.charAt(position)) >= 0)
        {
            position++;
        }
        final String digits = text.substring(start, position);
        try
        {
            return Double.valueOf(digits);
        }
        catch (final NumberFormatException ex)
        {
            position = start;
            throw error("bad number '" + digits + "'");
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, position))
        {
            throw error("unexpected word, expected " + word);
        }
        position += word.length();
        return value;
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error(position >= text.length() ? "unexpected end of the text, expected '" + c + "'" :
                "expected '" + c + "', found '" + text.charAt(position) + "'");
        }
        position++;
    }

    private char peek()
    {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void skipWhitespace()
    {
        while (position < text.length() && Character.isWhitespace(text.charAt(position)))
        {
            position++;
        }
    }

    private IllegalArgumentException error(final String what)
    {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(position, text.length()); i++)
        {
            if (text.charAt(i) == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return new IllegalArgumentException(source + ": line " + line + ", column " + column + ": " + what);
    }
}
