package org.bulwark.server.mirror;

import java.util.ArrayList;
import java.util.List;

/**
 * Columns of text padded to their widest cell, two spaces apart, under a header and a rule of dashes;
 * the last column is not padded (no trailing blanks).
 */
final class TextTable
{
    private static final String GAP = "  ";

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    TextTable(final String... headers)
    {
        columns = headers.length;
        rows.add(headers.clone());
        final String[] rule = new String[columns];
        for (int i = 0; i < columns; i++)
        {
            rule[i] = "-".repeat(headers[i].length());
        }
        rows.add(rule);
    }

    TextTable row(final String... cells)
    {
        if (cells.length != columns)
        {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns +
                " columns");
        }
        final String[] copy = new String[columns];
        for (int i = 0; i < columns; i++)
        {
            copy[i] = MirrorText.cell(cells[i]);
        }
        rows.add(copy);
        return this;
    }

    /**
     * Append the table, each line ending with a newline.
     */
    void appendTo(final StringBuilder out)
    {
        final int[] widths = new int[columns];
        for (final String[] row : rows)
        {
            for (int i = 0; i < columns; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (int r = 0; r < rows.size(); r++)
        {
            final String[] row = rows.get(r);
            if (r == 1)
            {
                // The rule spans each column's width, so it underlines the widest cell too.
                for (int i = 0; i < columns; i++)
                {
                    row[i] = "-".repeat(widths[i]);
                }
            }
            final int start = out.length();
            for (int i = 0; i < columns; i++)
            {
                out.append(row[i]);
                if (i < columns - 1)
                {
                    out.append(" ".repeat(widths[i] - row[i].length())).append(GAP);
                }
            }
            int end = out.length();
            while (end > start && out.charAt(end - 1) == ' ')
            {
                end--;
            }
            out.setLength(end);
            out.append('\n');
        }
    }
}
