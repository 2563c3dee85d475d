package org.bulwark.server.mirror;

import java.util.Locale;

/**
 * Just enough JSON writing for the monitor: objects, arrays, strings, integers, booleans and null,
 * commas placed by the writer. (native-probes has the same idea, package-private to the probes.)
 */
final class JsonText
{
    private final StringBuilder out = new StringBuilder(1024);
    private boolean needsComma;

    JsonText beginObject()
    {
        comma();
        out.append('{');
        needsComma = false;
        return this;
    }

    JsonText endObject()
    {
        out.append('}');
        needsComma = true;
        return this;
    }

    JsonText beginArray(final String name)
    {
        name(name);
        out.append('[');
        needsComma = false;
        return this;
    }

    JsonText endArray()
    {
        out.append(']');
        needsComma = true;
        return this;
    }

    JsonText field(final String name, final String value)
    {
        name(name);
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

    JsonText field(final String name, final long value)
    {
        name(name);
        out.append(value);
        needsComma = true;
        return this;
    }

    JsonText field(final String name, final boolean value)
    {
        name(name);
        out.append(value);
        needsComma = true;
        return this;
    }

    JsonText nullField(final String name)
    {
        name(name);
        out.append("null");
        needsComma = true;
        return this;
    }

    @Override
    public String toString()
    {
        return out.toString();
    }

    private void name(final String name)
    {
        comma();
        string(name);
        out.append(':');
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
