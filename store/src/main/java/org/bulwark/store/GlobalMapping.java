package org.bulwark.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which database holds each global (SPEC S-1): exact names and prefix patterns ({@code Tmp*});
 * an exact name wins, then the longest prefix, then the default database.
 */
public final class GlobalMapping
{
    private final String defaultDatabase;
    private final Map<String, String> exact = new LinkedHashMap<>();
    private final Map<String, String> prefixes = new LinkedHashMap<>();

    public GlobalMapping(final String defaultDatabase)
    {
        this.defaultDatabase = defaultDatabase;
    }

    /**
     * Map a global name, or a prefix ending in {@code *}, to a database.
     */
    public GlobalMapping map(final String pattern, final String database)
    {
        final String bare = pattern.startsWith("^") ? pattern.substring(1) : pattern;
        if (bare.endsWith("*"))
        {
            final String prefix = bare.substring(0, bare.length() - 1);
            if (prefix.isEmpty())
            {
                throw new IllegalArgumentException("mapping pattern '" + pattern + "' matches everything; " +
                    "set the default database instead");
            }
            prefixes.put(prefix, database);
        }
        else
        {
            GlobalKey.validateName(bare);
            exact.put(bare, database);
        }
        return this;
    }

    public String defaultDatabase()
    {
        return defaultDatabase;
    }

    public Map<String, String> exact()
    {
        return exact;
    }

    public Map<String, String> prefixes()
    {
        return prefixes;
    }

    /**
     * @return the database name for a global name (without {@code ^}).
     */
    public String databaseFor(final String global)
    {
        final String mapped = exact.get(global);
        if (null != mapped)
        {
            return mapped;
        }
        String best = null;
        int bestLength = -1;
        for (final Map.Entry<String, String> e : prefixes.entrySet())
        {
            if (global.startsWith(e.getKey()) && e.getKey().length() > bestLength)
            {
                best = e.getValue();
                bestLength = e.getKey().length();
            }
        }
        return null != best ? best : defaultDatabase;
    }
}
