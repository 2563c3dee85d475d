package org.bulwark.store;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bulwark.store.key.KeyCodec;

import java.math.BigDecimal;

/**
 * A reusable global reference, {@code ^name(sub1,sub2,...)}, kept encoded (see {@link KeyCodec}).
 * Build one once and re-fill it per call to use the store without allocating. Not thread-safe.
 *
 * <p>Limits (SPEC G-1, G-4): a name starts with a letter or {@code %}, then letters and digits, at
 * most 31 characters; at most 31 subscripts; name plus encoded subscripts at most 511 bytes. A
 * breach is a {@code <SUBSCRIPT>} error naming the reference.
 */
public final class GlobalKey
{
    public static final int MAX_NAME_LENGTH = 31;
    public static final int MAX_DEPTH = 31;
    public static final int MAX_REFERENCE_BYTES = 511;

    private String global = "";
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[MAX_REFERENCE_BYTES + 1]);
    private int length;
    private int depth;
    private final int[] starts = new int[MAX_DEPTH + 1];

    /**
     * Start a reference to a global (a leading {@code ^} is allowed) with no subscripts.
     */
    public GlobalKey global(final String name)
    {
        final String bare = !name.isEmpty() && name.charAt(0) == '^' ? name.substring(1) : name;
        validateName(bare);
        global = bare;
        length = 0;
        depth = 0;
        return this;
    }

    /**
     * @throws BulwarkException {@code <SUBSCRIPT>} if the name is not a valid global name.
     */
    public static void validateName(final String name)
    {
        final int n = name.length();
        if (n == 0 || n > MAX_NAME_LENGTH)
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, "global name '" + name + "' must have 1 to " +
                MAX_NAME_LENGTH + " characters");
        }
        final char first = name.charAt(0);
        if (!(isLetter(first) || first == '%'))
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, "global name '" + name +
                "' must start with a letter or %");
        }
        for (int i = 1; i < n; i++)
        {
            final char c = name.charAt(i);
            if (!(isLetter(c) || (c >= '0' && c <= '9')))
            {
                throw new BulwarkException(ErrorCode.SUBSCRIPT, "global name '" + name +
                    "' may only hold letters and digits after the first character");
            }
        }
    }

    private static boolean isLetter(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    public GlobalKey add(final CharSequence subscript)
    {
        checkDepth();
        final int end;
        try
        {
            end = KeyCodec.encodeString(key, length, subscript, limit());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, toString() + ": " + ex.getMessage());
        }
        return appended(end);
    }

    public GlobalKey add(final long subscript)
    {
        checkDepth();
        return appended(KeyCodec.encodeLong(key, length, subscript, limit()));
    }

    public GlobalKey add(final BigDecimal subscript)
    {
        checkDepth();
        final int end;
        try
        {
            end = KeyCodec.encodeDecimal(key, length, subscript, limit());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, toString() + ": " + ex.getMessage());
        }
        return appended(end);
    }

    /**
     * Add a subscript of any supported type (see {@link KeyCodec#encodeObject}).
     */
    public GlobalKey add(final Object subscript)
    {
        checkDepth();
        final int end;
        try
        {
            end = KeyCodec.encodeObject(key, length, subscript, limit());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, toString() + ": " + ex.getMessage());
        }
        return appended(end);
    }

    /**
     * Remove the last subscript.
     */
    public GlobalKey pop()
    {
        if (depth == 0)
        {
            throw new IllegalStateException("no subscript to remove from " + this);
        }
        depth--;
        length = starts[depth];
        return this;
    }

    /**
     * Set from a global name and encoded subscripts (as a journal record carries them), checking both.
     *
     * @throws BulwarkException {@code <SUBSCRIPT>} if the name or the encoding is not valid.
     */
    public GlobalKey fromEncoded(final String global, final DirectBuffer source, final int offset, final int length)
    {
        validateName(global);
        if (length < 0 || global.length() + length > MAX_REFERENCE_BYTES)
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, "encoded reference of " + length + " bytes for ^" + global);
        }
        final UnsafeBuffer view = new UnsafeBuffer(source, offset, length);
        try
        {
            if (org.bulwark.store.key.KeyCodec.depth(view, 0, length) > MAX_DEPTH)
            {
                throw new BulwarkException(ErrorCode.SUBSCRIPT, "more than " + MAX_DEPTH + " subscripts for ^" +
                    global);
            }
        }
        catch (final IllegalStateException ex)
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, "malformed subscripts for ^" + global + ": " +
                ex.getMessage());
        }
        return setEncoded(global, view, length);
    }

    /**
     * Set from an encoded key (as stored in a tree).
     */
    GlobalKey setEncoded(final String global, final DirectBuffer source, final int sourceLength)
    {
        this.global = global;
        key.putBytes(0, source, 0, sourceLength);
        length = sourceLength;
        depth = 0;
        int i = 0;
        while (i < sourceLength && depth < MAX_DEPTH)
        {
            starts[depth++] = i;
            i = KeyCodec.subscriptEnd(key, i, sourceLength);
        }
        starts[depth] = sourceLength;
        return this;
    }

    public GlobalKey copyFrom(final GlobalKey other)
    {
        return setEncoded(other.global, other.key, other.length);
    }

    public String global()
    {
        return global;
    }

    /**
     * @return the encoded subscripts; bytes {@code [0, length())}.
     */
    public DirectBuffer buffer()
    {
        return key;
    }

    public int length()
    {
        return length;
    }

    public int depth()
    {
        return depth;
    }

    /**
     * @return subscript {@code index} (0-based) as text: a canonical number or the string.
     */
    public String subscript(final int index)
    {
        if (index < 0 || index >= depth)
        {
            throw new IndexOutOfBoundsException("subscript " + index + " of " + depth);
        }
        final StringBuilder out = new StringBuilder();
        KeyCodec.appendText(key, starts[index], length, out);
        return out.toString();
    }

    /**
     * @return true if subscript {@code index} is a number.
     */
    public boolean isNumeric(final int index)
    {
        return KeyCodec.isNumeric(key, starts[index]);
    }

    @Override
    public String toString()
    {
        return KeyCodec.appendReference(new StringBuilder(), global, key, 0, length).toString();
    }

    private int limit()
    {
        return MAX_REFERENCE_BYTES - global.length();
    }

    private void checkDepth()
    {
        if (depth >= MAX_DEPTH)
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, toString() + ": more than " + MAX_DEPTH + " subscripts");
        }
    }

    private GlobalKey appended(final int end)
    {
        if (KeyCodec.OVERFLOW == end)
        {
            throw new BulwarkException(ErrorCode.SUBSCRIPT, toString() + ",...: reference longer than " +
                MAX_REFERENCE_BYTES + " bytes encoded");
        }
        starts[depth++] = length;
        length = end;
        starts[depth] = end;
        return this;
    }
}
