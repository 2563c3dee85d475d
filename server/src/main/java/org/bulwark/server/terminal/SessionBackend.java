package org.bulwark.server.terminal;

import org.bulwark.server.BulwarkSession;
import org.bulwark.store.BulwarkException;
import org.bulwark.store.ErrorCode;

/**
 * The terminal's commands run in-process on a session of an open member.
 */
public final class SessionBackend implements TerminalBackend
{
    private final BulwarkSession session;
    private final String description;

    public SessionBackend(final BulwarkSession session, final String description)
    {
        this.session = session;
        this.description = description;
    }

    @Override
    public void set(final GlobalRef ref, final String value)
    {
        session.set(value, ref.name(), ref.subscriptArray());
    }

    @Override
    public String get(final GlobalRef ref)
    {
        try
        {
            return session.getString(ref.name(), ref.subscriptArray());
        }
        catch (final BulwarkException ex)
        {
            if (ex.code() == ErrorCode.UNDEFINED)
            {
                return null;
            }
            throw ex;
        }
    }

    @Override
    public void kill(final GlobalRef ref)
    {
        session.kill(ref.name(), ref.subscriptArray());
    }

    @Override
    public void zkill(final GlobalRef ref)
    {
        session.zkill(ref.name(), ref.subscriptArray());
    }

    @Override
    public int data(final GlobalRef ref)
    {
        return session.data(ref.name(), ref.subscriptArray());
    }

    @Override
    public String order(final GlobalRef ref, final int direction)
    {
        return session.order(direction, ref.name(), ref.subscriptArray());
    }

    @Override
    public String query(final GlobalRef ref, final int direction)
    {
        return session.query(direction, ref.name(), ref.subscriptArray());
    }

    @Override
    public String increment(final GlobalRef ref, final String by)
    {
        return session.incrementBy(by, ref.name(), ref.subscriptArray());
    }

    @Override
    public void scan(final GlobalRef ref, final NodeVisitor visitor)
    {
        session.scan(ref.name(), ref.subscriptArray(), (key, value, offset, length) ->
            visitor.visit(key.toString(), value.getStringWithoutLengthUtf8(offset, length)));
    }

    @Override
    public int tstart()
    {
        return session.tstart();
    }

    @Override
    public int tcommit()
    {
        session.tcommit();
        return session.tlevel();
    }

    @Override
    public int trollback(final int levels)
    {
        if (levels <= 0)
        {
            session.trollback();
        }
        else
        {
            session.trollback(levels);
        }
        return session.tlevel();
    }

    @Override
    public int tlevel()
    {
        return session.tlevel();
    }

    @Override
    public boolean lock(final GlobalRef ref, final boolean exclusive, final long timeoutMs)
    {
        return session.tryLock(timeoutMs, exclusive, ref.name(), ref.subscriptArray());
    }

    @Override
    public void unlock(final GlobalRef ref, final boolean exclusive)
    {
        session.unlock(exclusive, ref.name(), ref.subscriptArray());
    }

    @Override
    public void unlockAll()
    {
        session.unlockAll();
    }

    @Override
    public String describe()
    {
        return description;
    }

    @Override
    public void close()
    {
        session.close();
    }
}
