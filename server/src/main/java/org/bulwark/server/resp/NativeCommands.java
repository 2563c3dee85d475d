package org.bulwark.server.resp;

import org.bulwark.server.BulwarkSession;
import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;
import org.bulwark.store.GlobalKey;
import org.bulwark.store.StoreSession;

import java.util.ArrayList;
import java.util.List;

/**
 * Native commands for the full globals model (SPEC V-2, G-3, T-1, T-2). A reference is written as
 * the global's name (a leading {@code ^} is allowed) followed by one argument per subscript;
 * canonical numbers are numeric subscripts. Options come first, before the global; a global whose
 * name is also an option word (REVERSE, BY, LIMIT, SHARED, TIMEOUT) is written with its {@code ^}.
 *
 * <pre>
 * GSET global sub... value               +OK
 * GGET global sub...                     the value, or -UNDEFINED ^x("a")
 * GKILL global sub...                    +OK  (the node and its subtree)
 * GZKILL global sub...                   +OK  (the node's value only)
 * GDATA global sub...                    :0 | :1 | :10 | :11
 * GORDER [REVERSE] global sub... last    next (previous) subscript after last at its level; "" = start/end
 * GQUERY [REVERSE] global sub...         next (previous) reference with a value, e.g. ^x("a",2); "" at the end
 * GINCR [BY n] global sub...             the new value (n may be a decimal; default 1)
 * GSCAN [LIMIT n] global sub...          reference, value, reference, value ... (RESP3: a map); default 1000
 * LOCK [SHARED] [TIMEOUT ms] global sub...   +OK, or -LOCKTIMEOUT after ms (default 10000; 0 = try once)
 * UNLOCK [SHARED] global sub...          +OK (one level; inside a transaction at its end);  UNLOCK: all
 * TSTART                                 :level     TCOMMIT  +OK (durable)     TLEVEL  :level
 * TROLLBACK [levels]                     +OK (all levels, or the innermost ones)
 * </pre>
 */
final class NativeCommands
{
    private static final int SCAN_DEFAULT_LIMIT = 1_000;
    private static final int SCAN_MAX_LIMIT = 100_000;

    private NativeCommands()
    {
    }

    static void gset(final RespConnection c, final RespCommand command)
    {
        final int valueIndex = command.argc() - 1;
        final GlobalKey key = reference(c, command, 1, valueIndex);
        c.session().set(key, c.value(command, valueIndex), 0, command.length(valueIndex));
        c.writer().ok();
    }

    static void gget(final RespConnection c, final RespCommand command)
    {
        final GlobalKey key = reference(c, command, 1, command.argc());
        final BulwarkSession session = c.session();
        if (!session.get(key))
        {
            throw new BulwarkException(ErrorCode.UNDEFINED, key.toString());
        }
        c.writer().bulk(session.value(), 0, session.valueLength());
    }

    static void gkill(final RespConnection c, final RespCommand command)
    {
        c.session().kill(reference(c, command, 1, command.argc()));
        c.writer().ok();
    }

    static void gzkill(final RespConnection c, final RespCommand command)
    {
        c.session().zkill(reference(c, command, 1, command.argc()));
        c.writer().ok();
    }

    static void gdata(final RespConnection c, final RespCommand command)
    {
        c.writer().integer(c.session().data(reference(c, command, 1, command.argc())));
    }

    static void gorder(final RespConnection c, final RespCommand command)
    {
        final boolean reverse = command.is(1, "REVERSE") && command.argc() > 3;
        final int from = reverse ? 2 : 1;
        final String global = global(command, from);
        final Object[] subscripts = subscripts(command, from + 1, command.argc());
        if (subscripts.length == 0)
        {
            throw new RespArgumentException("GORDER needs a subscript after the global (\"\" to start)");
        }
        c.writer().bulk(c.session().order(reverse ? StoreSession.REVERSE : StoreSession.FORWARD, global,
            subscripts));
    }

    static void gquery(final RespConnection c, final RespCommand command)
    {
        final boolean reverse = command.is(1, "REVERSE") && command.argc() > 2;
        final int from = reverse ? 2 : 1;
        c.writer().bulk(c.session().query(reverse ? StoreSession.REVERSE : StoreSession.FORWARD,
            global(command, from), subscripts(command, from + 1, command.argc())));
    }

    static void gincr(final RespConnection c, final RespCommand command)
    {
        String by = "1";
        int from = 1;
        if (command.is(1, "BY") && command.argc() > 3)
        {
            by = command.string(2);
            from = 3;
        }
        final java.math.BigDecimal amount;
        try
        {
            amount = new java.math.BigDecimal(by);
        }
        catch (final NumberFormatException ex)
        {
            throw new RespArgumentException("GINCR BY '" + by + "' (argument 3) is not a number");
        }
        c.writer().bulk(c.session().incrementBy(amount, global(command, from),
            subscripts(command, from + 1, command.argc())));
    }

    static void gscan(final RespConnection c, final RespCommand command)
    {
        int limit = SCAN_DEFAULT_LIMIT;
        int from = 1;
        if (command.is(1, "LIMIT") && command.argc() > 3)
        {
            final long requested = KeyCommands.integerArgument(command, 2);
            if (requested <= 0 || requested > SCAN_MAX_LIMIT)
            {
                throw new RespArgumentException("GSCAN LIMIT " + requested + " is outside 1.." + SCAN_MAX_LIMIT);
            }
            limit = (int)requested;
            from = 3;
        }
        final int max = limit;
        final List<String> references = new ArrayList<>();
        final List<byte[]> values = new ArrayList<>();
        c.session().scan(global(command, from), subscripts(command, from + 1, command.argc()),
            (key, value, offset, length) ->
            {
                references.add(key.toString());
                final byte[] copy = new byte[length];
                value.getBytes(offset, copy);
                values.add(copy);
                return references.size() < max;
            });
        c.writer().map(references.size());
        for (int i = 0; i < references.size(); i++)
        {
            c.writer().bulk(references.get(i));
            c.writer().bulk(values.get(i));
        }
    }

    /**
     * LOCK: tried at once on the event loop; if it must wait, the wait runs on the blocking executor.
     */
    static void lock(final RespConnection c, final RespCommand command)
    {
        boolean exclusive = true;
        long timeoutMs = RespConfig.DEFAULT_LOCK_TIMEOUT_MS;
        int from = 1;
        while (from < command.argc() - 1)
        {
            if (command.is(from, "SHARED"))
            {
                exclusive = false;
                from++;
            }
            else if (command.is(from, "TIMEOUT") && from + 2 < command.argc())
            {
                timeoutMs = KeyCommands.integerArgument(command, from + 1);
                if (timeoutMs < 0)
                {
                    throw new RespArgumentException("LOCK TIMEOUT " + timeoutMs + " (argument " + (from + 2) +
                        ") must not be negative");
                }
                from += 2;
            }
            else
            {
                break;
            }
        }
        final String global = global(command, from);
        final Object[] subscripts = subscripts(command, from + 1, command.argc());
        final BulwarkSession session = c.session();
        if (session.tryLock(0, exclusive, global, subscripts))
        {
            c.writer().ok();
            return;
        }
        if (timeoutMs == 0)
        {
            throw timeout(c, global, subscripts, 0);
        }
        final boolean lockExclusive = exclusive;
        final long waitMs = timeoutMs;
        final boolean[] locked = new boolean[1];
        c.runBlocking(() -> locked[0] = session.tryLock(waitMs, lockExclusive, global, subscripts), () ->
        {
            if (!locked[0])
            {
                throw timeout(c, global, subscripts, waitMs);
            }
            c.writer().ok();
        });
    }

    private static BulwarkException timeout(final RespConnection c, final String global, final Object[] subscripts,
        final long timeoutMs)
    {
        final GlobalKey key = c.key().global(global);
        for (final Object subscript : subscripts)
        {
            key.add(subscript);
        }
        return new BulwarkException(ErrorCode.LOCK_TIMEOUT, key + " not locked within " + timeoutMs + " ms");
    }

    static void unlock(final RespConnection c, final RespCommand command)
    {
        if (command.argc() == 1)
        {
            c.session().unlockAll();
            c.writer().ok();
            return;
        }
        final boolean shared = command.is(1, "SHARED") && command.argc() > 2;
        final int from = shared ? 2 : 1;
        c.session().unlock(!shared, global(command, from), subscripts(command, from + 1, command.argc()));
        c.writer().ok();
    }

    static void tstart(final RespConnection c, final RespCommand command)
    {
        c.writer().integer(c.session().tstart());
    }

    static void tcommit(final RespConnection c, final RespCommand command)
    {
        c.session().tcommit();
        c.writer().ok();
    }

    static void tlevel(final RespConnection c, final RespCommand command)
    {
        c.writer().integer(c.session().tlevel());
    }

    /**
     * TROLLBACK reads the transaction's records back from the journal: off the event loop.
     */
    static void trollback(final RespConnection c, final RespCommand command)
    {
        final BulwarkSession session = c.session();
        if (session.tlevel() == 0)
        {
            c.writer().ok();
            return;
        }
        final int levels = command.argc() > 1 ? (int)Math.min(Integer.MAX_VALUE,
            KeyCommands.integerArgument(command, 1)) : Integer.MAX_VALUE;
        c.runBlocking(() ->
        {
            if (levels == Integer.MAX_VALUE)
            {
                session.trollback();
            }
            else
            {
                session.trollback(levels);
            }
        }, () -> c.writer().ok());
    }

    private static GlobalKey reference(final RespConnection c, final RespCommand command, final int from,
        final int to)
    {
        final GlobalKey key = c.key().global(global(command, from));
        for (int i = from + 1; i < to; i++)
        {
            key.add(command.string(i));
        }
        return key;
    }

    private static String global(final RespCommand command, final int index)
    {
        if (index >= command.argc())
        {
            throw new RespArgumentException("'" + command.string(0).toLowerCase(java.util.Locale.ROOT) +
                "' needs a global name (argument " + (index + 1) + ")");
        }
        return command.string(index);
    }

    private static Object[] subscripts(final RespCommand command, final int from, final int to)
    {
        final Object[] subscripts = new Object[Math.max(0, to - from)];
        for (int i = from; i < to; i++)
        {
            subscripts[i - from] = command.string(i);
        }
        return subscripts;
    }
}
