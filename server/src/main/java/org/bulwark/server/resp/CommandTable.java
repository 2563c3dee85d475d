package org.bulwark.server.resp;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands a connection understands: name, arity and flags, and the code that runs each.
 * Looked up by comparing the request's first argument in place (no string per request); the hot
 * commands come first.
 */
final class CommandTable
{
    /** Runs one request of a connection. */
    @FunctionalInterface
    interface Handler
    {
        void handle(RespConnection connection, RespCommand command);
    }

    /** Allowed before AUTH. */
    static final int NO_AUTH = 1;
    /** Runs at once inside MULTI instead of being queued (MULTI, EXEC, DISCARD, QUIT). */
    static final int MULTI_CONTROL = 2;
    /** Refused inside MULTI: it could block, or it manages transactions itself. */
    static final int NOT_IN_MULTI = 4;

    /** One command. {@code maxArgs} -1: no upper bound; counts include the name. */
    static final class Entry
    {
        final String name;
        final int minArgs;
        final int maxArgs;
        final int flags;
        final Handler handler;

        Entry(final String name, final int minArgs, final int maxArgs, final int flags, final Handler handler)
        {
            this.name = name;
            this.minArgs = minArgs;
            this.maxArgs = maxArgs;
            this.flags = flags;
            this.handler = handler;
        }

        boolean has(final int flag)
        {
            return (flags & flag) != 0;
        }

        boolean arityFits(final int argc)
        {
            return argc >= minArgs && (maxArgs < 0 || argc <= maxArgs);
        }
    }

    private final Entry[] entries;

    private CommandTable(final List<Entry> entries)
    {
        this.entries = entries.toArray(new Entry[0]);
    }

    /**
     * @return the entry for the request's command name, or null if unknown.
     */
    Entry find(final RespCommand command)
    {
        for (final Entry entry : entries)
        {
            if (command.is(0, entry.name))
            {
                return entry;
            }
        }
        return null;
    }

    static CommandTable standard()
    {
        final List<Entry> e = new ArrayList<>();
        // Plain keys (Redis strings), hottest first.
        e.add(new Entry("GET", 2, 2, 0, KeyCommands::get));
        e.add(new Entry("SET", 3, -1, 0, KeyCommands::set));
        e.add(new Entry("PING", 1, 2, 0, ServerCommands::ping));
        e.add(new Entry("MGET", 2, -1, 0, KeyCommands::mget));
        e.add(new Entry("MSET", 3, -1, 0, KeyCommands::mset));
        e.add(new Entry("INCR", 2, 2, 0, KeyCommands::incr));
        e.add(new Entry("INCRBY", 3, 3, 0, KeyCommands::incrBy));
        e.add(new Entry("DECR", 2, 2, 0, KeyCommands::decr));
        e.add(new Entry("DECRBY", 3, 3, 0, KeyCommands::decrBy));
        e.add(new Entry("DEL", 2, -1, 0, KeyCommands::del));
        e.add(new Entry("EXISTS", 2, -1, 0, KeyCommands::exists));
        // Transactions, Redis style.
        e.add(new Entry("MULTI", 1, 1, MULTI_CONTROL, RespConnection::multi));
        e.add(new Entry("EXEC", 1, 1, MULTI_CONTROL, RespConnection::exec));
        e.add(new Entry("DISCARD", 1, 1, MULTI_CONTROL, RespConnection::discard));
        // The full globals model.
        e.add(new Entry("GSET", 3, -1, 0, NativeCommands::gset));
        e.add(new Entry("GGET", 2, -1, 0, NativeCommands::gget));
        e.add(new Entry("GKILL", 2, -1, 0, NativeCommands::gkill));
        e.add(new Entry("GZKILL", 2, -1, 0, NativeCommands::gzkill));
        e.add(new Entry("GDATA", 2, -1, 0, NativeCommands::gdata));
        e.add(new Entry("GORDER", 3, -1, 0, NativeCommands::gorder));
        e.add(new Entry("GQUERY", 2, -1, 0, NativeCommands::gquery));
        e.add(new Entry("GINCR", 2, -1, 0, NativeCommands::gincr));
        e.add(new Entry("GSCAN", 2, -1, 0, NativeCommands::gscan));
        e.add(new Entry("LOCK", 2, -1, NOT_IN_MULTI, NativeCommands::lock));
        e.add(new Entry("UNLOCK", 1, -1, NOT_IN_MULTI, NativeCommands::unlock));
        e.add(new Entry("TSTART", 1, 1, NOT_IN_MULTI, NativeCommands::tstart));
        e.add(new Entry("TCOMMIT", 1, 1, NOT_IN_MULTI, NativeCommands::tcommit));
        e.add(new Entry("TROLLBACK", 1, 2, NOT_IN_MULTI, NativeCommands::trollback));
        e.add(new Entry("TLEVEL", 1, 1, 0, NativeCommands::tlevel));
        e.add(new Entry("JOURNAL", 2, 2, 0, ServerCommands::journal));
        e.add(new Entry("MIRROR", 2, 3, 0, ServerCommands::mirror));
        // Connection and server.
        e.add(new Entry("AUTH", 2, 3, NO_AUTH | NOT_IN_MULTI, ServerCommands::auth));
        e.add(new Entry("HELLO", 1, -1, NO_AUTH | NOT_IN_MULTI, ServerCommands::hello));
        e.add(new Entry("QUIT", 1, -1, NO_AUTH | MULTI_CONTROL, ServerCommands::quit));
        e.add(new Entry("ECHO", 2, 2, 0, ServerCommands::echo));
        e.add(new Entry("SELECT", 2, 2, 0, ServerCommands::select));
        e.add(new Entry("CLIENT", 2, -1, 0, ServerCommands::client));
        e.add(new Entry("CONFIG", 2, -1, 0, ServerCommands::config));
        e.add(new Entry("COMMAND", 1, -1, 0, ServerCommands::command));
        e.add(new Entry("INFO", 1, -1, 0, ServerCommands::info));
        e.add(new Entry("ROLE", 1, 1, 0, ServerCommands::role));
        e.add(new Entry("WAIT", 3, 3, 0, ServerCommands::waitReplicas));
        return new CommandTable(e);
    }
}
