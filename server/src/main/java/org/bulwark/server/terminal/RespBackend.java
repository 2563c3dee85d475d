package org.bulwark.server.terminal;

import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The terminal on a running member: each operation is one RESP native command (GSET, GGET,
 * GKILL, GZKILL, GDATA, GORDER, GQUERY, GINCR, GSCAN, LOCK, UNLOCK, TSTART, TCOMMIT, TROLLBACK,
 * TLEVEL) on one connection, which is the session: closing it rolls back an open transaction and
 * releases the locks on the member's side. Error replies become {@link BulwarkException}s again
 * when their first word is a G-5 name.
 */
public final class RespBackend implements TerminalBackend
{
    /** {@code write ^x} of a whole subtree reads at most this many nodes over RESP. */
    public static final int SCAN_LIMIT = 100_000;

    private final RespClient client;

    public RespBackend(final RespClient client)
    {
        this.client = client;
    }

    /**
     * Connect, and authenticate if {@code password} is not empty.
     */
    public static RespBackend connect(final String host, final int port, final String user, final String password)
        throws IOException
    {
        final RespClient client = new RespClient(host, port, 5_000);
        try
        {
            if (!password.isEmpty())
            {
                client.call("AUTH", user, password);
            }
            return new RespBackend(client);
        }
        catch (final IOException | RuntimeException ex)
        {
            client.close();
            throw ex;
        }
    }

    @Override
    public void set(final GlobalRef ref, final String value)
    {
        call(withReference(List.of("GSET"), ref, value));
    }

    @Override
    public String get(final GlobalRef ref)
    {
        try
        {
            return (String)client.call(withReference(List.of("GGET"), ref));
        }
        catch (final RespClient.ErrorReply ex)
        {
            if (ErrorCode.UNDEFINED.displayName().equals(ex.code()))
            {
                return null;
            }
            throw translate(ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void kill(final GlobalRef ref)
    {
        call(withReference(List.of("GKILL"), ref));
    }

    @Override
    public void zkill(final GlobalRef ref)
    {
        call(withReference(List.of("GZKILL"), ref));
    }

    @Override
    public int data(final GlobalRef ref)
    {
        return ((Long)call(withReference(List.of("GDATA"), ref))).intValue();
    }

    @Override
    public String order(final GlobalRef ref, final int direction)
    {
        return (String)call(withReference(direction < 0 ? List.of("GORDER", "REVERSE") : List.of("GORDER"), ref));
    }

    @Override
    public String query(final GlobalRef ref, final int direction)
    {
        return (String)call(withReference(direction < 0 ? List.of("GQUERY", "REVERSE") : List.of("GQUERY"), ref));
    }

    @Override
    public String increment(final GlobalRef ref, final String by)
    {
        return String.valueOf(call(withReference(List.of("GINCR", "BY", by), ref)));
    }

    @Override
    public void scan(final GlobalRef ref, final NodeVisitor visitor)
    {
        final List<?> pairs = (List<?>)call(withReference(List.of("GSCAN", "LIMIT", Integer.toString(SCAN_LIMIT)),
            ref));
        for (int i = 0; i + 1 < pairs.size(); i += 2)
        {
            if (!visitor.visit((String)pairs.get(i), (String)pairs.get(i + 1)))
            {
                return;
            }
        }
    }

    @Override
    public int tstart()
    {
        return ((Long)call("TSTART")).intValue();
    }

    @Override
    public int tcommit()
    {
        call("TCOMMIT");
        return tlevel();
    }

    @Override
    public int trollback(final int levels)
    {
        if (levels > 0)
        {
            call("TROLLBACK", Integer.toString(levels));
        }
        else
        {
            call("TROLLBACK");
        }
        return tlevel();
    }

    @Override
    public int tlevel()
    {
        return ((Long)call("TLEVEL")).intValue();
    }

    @Override
    public boolean lock(final GlobalRef ref, final boolean exclusive, final long timeoutMs)
    {
        final List<String> head = new ArrayList<>(List.of("LOCK"));
        if (!exclusive)
        {
            head.add("SHARED");
        }
        head.add("TIMEOUT");
        head.add(Long.toString(Math.max(0, timeoutMs)));
        try
        {
            client.call(withReference(head, ref));
            return true;
        }
        catch (final RespClient.ErrorReply ex)
        {
            if (ErrorCode.LOCK_TIMEOUT.displayName().replace(" ", "").equals(ex.code()))
            {
                return false;
            }
            throw translate(ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void unlock(final GlobalRef ref, final boolean exclusive)
    {
        call(withReference(exclusive ? List.of("UNLOCK") : List.of("UNLOCK", "SHARED"), ref));
    }

    @Override
    public void unlockAll()
    {
        call("UNLOCK");
    }

    @Override
    public String describe()
    {
        return "member at " + client.address() + " (RESP)";
    }

    @Override
    public void close()
    {
        try
        {
            try
            {
                // The member rolls back a disconnected session's transaction in the background;
                // roll it back here so that it is undone by the time the terminal says so.
                if (tlevel() > 0)
                {
                    client.call("TROLLBACK");
                }
                client.call("QUIT");
            }
            catch (final IOException | RuntimeException ex)
            {
                // The member closes the session either way; a connection already gone is no news.
            }
            client.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the command: {@code head}, {@code ^name}, the subscripts, then {@code tail}.
     */
    private static String[] withReference(final List<String> head, final GlobalRef ref, final String... tail)
    {
        final List<String> all = new ArrayList<>(head);
        all.add("^" + ref.name()); // with its caret: a global named like an option word stays a global
        all.addAll(ref.subscripts());
        all.addAll(List.of(tail));
        return all.toArray(new String[0]);
    }

    private Object call(final String... command)
    {
        try
        {
            return client.call(command);
        }
        catch (final RespClient.ErrorReply ex)
        {
            throw translate(ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the error as the terminal prints it: a G-5 error with its name, anything else as sent.
     */
    private static RuntimeException translate(final RespClient.ErrorReply reply)
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code.displayName().replace(" ", "").equals(reply.code()))
            {
                return new BulwarkException(code, reply.detail());
            }
        }
        return new IllegalStateException(reply.getMessage());
    }
}
