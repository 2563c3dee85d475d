package org.bulwark.server.mirror;

import java.util.Locale;

/**
 * Small text helpers shared by the monitor's renderings.
 */
final class MirrorText
{
    private static final String[] RATE_UNITS = {"B/s", "KiB/s", "MiB/s", "GiB/s"};

    private MirrorText()
    {
    }

    /**
     * @return {@code text} on one line, "-" if it is null or empty (a cell is never blank: columns stay readable).
     */
    static String cell(final String text)
    {
        if (null == text || text.isBlank())
        {
            return "-";
        }
        return oneLine(text);
    }

    /**
     * @return {@code text} with line breaks and tabs as blanks ("" for null).
     */
    static String oneLine(final String text)
    {
        return null == text ? "" : text.replace('\r', ' ').replace('\n', ' ').replace('\t', ' ');
    }

    /**
     * @return PRIMARY as Primary, "CAUGHT UP" as "Caught up".
     */
    static String titleCase(final String word)
    {
        if (null == word || word.isEmpty())
        {
            return cell(word);
        }
        final String lower = word.toLowerCase(Locale.ROOT);
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    /**
     * @return a rate for people: {@code 1.18 MiB/s (1234567 bytes/s)}; bytes below 1 KiB as they are.
     */
    static String rate(final long bytesPerSec)
    {
        double value = bytesPerSec;
        int unit = 0;
        while (value >= 1024 && unit < RATE_UNITS.length - 1)
        {
            value /= 1024;
            unit++;
        }
        if (unit == 0)
        {
            return bytesPerSec + " bytes/s";
        }
        return String.format(Locale.ROOT, "%.2f %s (%d bytes/s)", value, RATE_UNITS[unit], bytesPerSec);
    }
}
