package org.bulwark.systemtests.mirror;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.util.List;

/**
 * A RESP client of one member through Jedis: one connection, opened on first use and dropped after a
 * connection error (the next call connects again).
 */
final class JedisRespClient implements RespClient
{
    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final HostAndPort address;
    private final int replyTimeoutMs;
    private Jedis jedis;

    /**
     * @param replyTimeoutMs how long a call waits for its reply: longer than a primary may hold a commit
     *                       (the QoS timeout plus the trouble timeout).
     */
    JedisRespClient(final String host, final int port, final int replyTimeoutMs)
    {
        this.address = new HostAndPort(host, port);
        this.replyTimeoutMs = replyTimeoutMs;
    }

    @Override
    public String set(final String key, final String value) throws IOException
    {
        try
        {
            return connection().set(key, value);
        }
        catch (final JedisDataException ex)
        {
            return ex.getMessage();
        }
        catch (final JedisConnectionException ex)
        {
            throw lost(ex);
        }
    }

    @Override
    public String get(final String key) throws IOException
    {
        try
        {
            return connection().get(key);
        }
        catch (final JedisDataException | JedisConnectionException ex)
        {
            throw lost(ex);
        }
    }

    @Override
    public List<String> mget(final List<String> keys) throws IOException
    {
        try
        {
            return connection().mget(keys.toArray(new String[0]));
        }
        catch (final JedisDataException | JedisConnectionException ex)
        {
            throw lost(ex);
        }
    }

    private Jedis connection()
    {
        if (null == jedis)
        {
            jedis = new Jedis(address, DefaultJedisClientConfig.builder().connectionTimeoutMillis(CONNECT_TIMEOUT_MS)
                .socketTimeoutMillis(replyTimeoutMs).autoNegotiateProtocol(false).build());
        }
        return jedis;
    }

    private IOException lost(final RuntimeException ex)
    {
        close();
        return new IOException(address + ": " + ex.getMessage(), ex);
    }

    @Override
    public void close()
    {
        if (null != jedis)
        {
            try
            {
                jedis.close();
            }
            catch (final RuntimeException ex)
            {
                // the connection is gone already
            }
            jedis = null;
        }
    }
}
