package org.bulwark.server.resp;

import org.agrona.DirectBuffer;
import org.bulwark.server.BulwarkSession;
import org.bulwark.store.GlobalKey;

import java.math.BigDecimal;

/**
 * The Redis string commands over plain keys, each {@code ^<resp.global>(key)}: GET, SET, MGET,
 * MSET, INCR, INCRBY, DECR, DECRBY, DEL, EXISTS. A write outside a transaction is one journaled
 * commit; MSET and a DEL of several keys are one transaction, as they are atomic in Redis.
 */
final class KeyCommands
{
    private KeyCommands()
    {
    }

    static void get(final RespConnection c, final RespCommand command)
    {
        final BulwarkSession session = c.session();
        if (session.get(c.plainKey(command, 1)))
        {
            c.writer().bulk(session.value(), 0, session.valueLength());
        }
        else
        {
            c.writer().nullBulk();
        }
    }

    /**
     * {@code SET key value [NX | XX] [GET]}; expiry options are refused (keys do not expire).
     */
    static void set(final RespConnection c, final RespCommand command)
    {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        for (int i = 3; i < command.argc(); i++)
        {
            if (command.is(i, "NX"))
            {
                nx = true;
            }
            else if (command.is(i, "XX"))
            {
                xx = true;
            }
            else if (command.is(i, "GET"))
            {
                get = true;
            }
            else
            {
                throw new RespArgumentException("SET option '" + command.string(i) + "' (argument " + (i + 1) +
                    ") is not supported: keys do not expire; use NX, XX or GET");
            }
        }
        if (nx && xx)
        {
            throw new RespArgumentException("syntax error: SET with both NX and XX");
        }
        final BulwarkSession session = c.session();
        if (nx || xx || get)
        {
            final boolean exists = session.get(c.plainKey(command, 1));
            final byte[] old = get && exists ? copyValue(session) : null;
            if ((nx && exists) || (xx && !exists))
            {
                replyOld(c, get, old);
                return;
            }
            session.set(c.plainKey(command, 1), c.value(command, 2), 0, command.length(2));
            if (get)
            {
                replyOld(c, true, old);
            }
            else
            {
                c.writer().ok();
            }
            return;
        }
        session.set(c.plainKey(command, 1), c.value(command, 2), 0, command.length(2));
        c.writer().ok();
    }

    private static void replyOld(final RespConnection c, final boolean get, final byte[] old)
    {
        if (!get)
        {
            c.writer().nullBulk();
        }
        else if (null == old)
        {
            c.writer().nullBulk();
        }
        else
        {
            c.writer().bulk(old);
        }
    }

    private static byte[] copyValue(final BulwarkSession session)
    {
        final byte[] copy = new byte[session.valueLength()];
        session.value().getBytes(0, copy);
        return copy;
    }

    static void mget(final RespConnection c, final RespCommand command)
    {
        final BulwarkSession session = c.session();
        c.writer().array(command.argc() - 1);
        for (int i = 1; i < command.argc(); i++)
        {
            if (session.get(c.plainKey(command, i)))
            {
                c.writer().bulk(session.value(), 0, session.valueLength());
            }
            else
            {
                c.writer().nullBulk();
            }
        }
    }

    static void mset(final RespConnection c, final RespCommand command)
    {
        if (command.argc() % 2 != 1)
        {
            throw new RespArgumentException("wrong number of arguments for 'mset' command");
        }
        final BulwarkSession session = c.session();
        for (int i = 1; i < command.argc(); i += 2)
        {
            c.plainKey(command, i); // check every key before the first write
        }
        if (atomically(c, command, 2, (key, i) -> session.set(key, c.value(command, i + 1), 0, command.length(i + 1))))
        {
            c.writer().ok();
        }
    }

    static void del(final RespConnection c, final RespCommand command)
    {
        final BulwarkSession session = c.session();
        final long[] removed = new long[1];
        final boolean done = atomically(c, command, 1, (key, i) ->
        {
            if (session.data(key) != 0)
            {
                removed[0]++;
                session.kill(key);
            }
        });
        if (done)
        {
            c.writer().integer(removed[0]);
        }
    }

    static void exists(final RespConnection c, final RespCommand command)
    {
        final BulwarkSession session = c.session();
        long count = 0;
        for (int i = 1; i < command.argc(); i++)
        {
            if (session.data(c.plainKey(command, i)) % 10 == 1)
            {
                count++;
            }
        }
        c.writer().integer(count);
    }

    static void incr(final RespConnection c, final RespCommand command)
    {
        incrementBy(c, command, 1);
    }

    static void decr(final RespConnection c, final RespCommand command)
    {
        incrementBy(c, command, -1);
    }

    static void incrBy(final RespConnection c, final RespCommand command)
    {
        incrementBy(c, command, integerArgument(command, 2));
    }

    static void decrBy(final RespConnection c, final RespCommand command)
    {
        final long by = integerArgument(command, 2);
        if (by == Long.MIN_VALUE)
        {
            throw new RespArgumentException("decrement would overflow");
        }
        incrementBy(c, command, -by);
    }

    /**
     * INCR and friends: Redis semantics (the value must be a 64-bit integer, no overflow), applied
     * with the store's atomic increment.
     */
    private static void incrementBy(final RespConnection c, final RespCommand command, final long by)
    {
        final BulwarkSession session = c.session();
        final GlobalKey key = c.plainKey(command, 1);
        final long old = session.get(key) ? parseLong(session.value(), session.valueLength()) : 0;
        try
        {
            Math.addExact(old, by);
        }
        catch (final ArithmeticException ex)
        {
            throw new RespArgumentException("increment or decrement would overflow");
        }
        session.increment(key, by == 1 ? BigDecimal.ONE : BigDecimal.valueOf(by));
        c.writer().integer(parseLong(session.value(), session.valueLength()));
    }

    static long integerArgument(final RespCommand command, final int index)
    {
        try
        {
            return command.longValue(index);
        }
        catch (final NumberFormatException ex)
        {
            throw new RespArgumentException("value is not an integer or out of range: argument " + (index + 1) +
                " of '" + command.string(0).toLowerCase(java.util.Locale.ROOT) + "' is '" + command.string(index) +
                "'");
        }
    }

    private static long parseLong(final DirectBuffer value, final int length)
    {
        if (length == 0 || length > 20)
        {
            throw new RespArgumentException("value is not an integer or out of range");
        }
        long result = 0;
        boolean negative = false;
        int i = 0;
        if (value.getByte(0) == '-' && length > 1)
        {
            negative = true;
            i = 1;
        }
        for (; i < length; i++)
        {
            final int digit = value.getByte(i) - '0';
            if (digit < 0 || digit > 9 || result > (Long.MAX_VALUE - digit) / 10)
            {
                throw new RespArgumentException("value is not an integer or out of range");
            }
            result = result * 10 + digit;
        }
        return negative ? -result : result;
    }

    /** One step over a key argument of a multi-key command. */
    @FunctionalInterface
    private interface KeyStep
    {
        void apply(GlobalKey key, int index);
    }

    /**
     * Apply {@code step} to the keys at 1, 1 + stride, ...: one transaction when there is more than
     * one key and none is open yet.
     *
     * @return false if a step failed and the transaction is being rolled back: the error is the
     * reply, written once the rollback is done.
     */
    private static boolean atomically(final RespConnection c, final RespCommand command, final int stride,
        final KeyStep step)
    {
        final BulwarkSession session = c.session();
        final boolean own = command.argc() > 1 + stride && session.tlevel() == 0 &&
            null != c.server().instance().journal();
        if (own)
        {
            session.tstart();
        }
        try
        {
            for (int i = 1; i < command.argc(); i += stride)
            {
                step.apply(c.plainKey(command, i), i);
            }
        }
        catch (final RuntimeException ex)
        {
            if (own)
            {
                // Rolling back reads the journal (it may wait): off the event loop, then the error.
                c.runBlocking(session::trollback, () ->
                {
                    throw ex;
                });
                return false;
            }
            throw ex;
        }
        if (own)
        {
            session.tcommit();
        }
        return true;
    }
}
