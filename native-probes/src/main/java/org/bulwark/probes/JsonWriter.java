package org.bulwark.probes;

import java.util.Locale;

/**
 * A minimal JSON writer for the probes' machine-readable output: objects, arrays, strings, numbers,
 * booleans and null, with commas placed by the writer. Not a general serializer.
 */
final class JsonWriter
{
    private final StringBuilder out = new StringBuilder();
    private boolean needsComma;

    JsonWriter beginObject()
    {
        comma();
        out.append('{');
        needsComma = false;
        return this;
    }

    JsonWriter endObject()
    {
        out.append('}');
        needsComma = true;
        return this;
    }

    JsonWriter beginArray()
    {
        comma();
        out.append('[');
        needsComma = false;
        return this;
    }

    JsonWriter endArray()
    {
        out.append(']');
        needsComma = true;
        return this;
    }

    /**
     * A member name inside an object; the value follows.
     */
    JsonWriter name(final String name)
    {
        comma();
        string(name);
        out.append(':');
        needsComma = false;
        return this;
    }

    JsonWriter value(final String value)
    {
        comma();
        if (null == value)
        {
            out.append("null");
        }
        else
        {
            string(value);
        }
        needsComma = true;
        return this;
    }

    JsonWriter value(final long value)
    {
        comma();
        out.append(value);
        needsComma = true;
        return this;
    }

    JsonWriter value(final double value)
    {
        comma();
        out.append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null");
        needsComma = true;
        return this;
    }

    JsonWriter value(final boolean value)
    {
        comma();
        out.append(value);
        needsComma = true;
        return this;
    }

    JsonWriter field(final String name, final String value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final long value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final double value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    @Override
    public String toString()
    {
        return out.toString();
    }

    private void comma()
    {
        if (needsComma)
        {
            out.append(',');
        }
    }

    private void string(final String value)
    {
        out.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
