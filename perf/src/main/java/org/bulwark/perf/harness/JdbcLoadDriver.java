package org.bulwark.perf.harness;

import org.HdrHistogram.Recorder;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives PostgreSQL through JDBC, a thread per connection, with the RESP ops mapped onto two
 * tables: {@code bench_kv(k text primary key, v bytea)} and {@code bench_ctr(k text primary key,
 * n bigint)}, created if absent. set: an autocommit upsert; get: a SELECT; incr: an upsert
 * {@code n = n + 1 RETURNING n}; multi: a transaction of three upserts. Prepared statements
 * throughout. An SQL error counts as an op error; a broken connection (SQLState class 08) ends
 * the run.
 */
final class JdbcLoadDriver implements LoadDriver
{
    private static final String CREATE_KV = "CREATE TABLE IF NOT EXISTS bench_kv(k text primary key, v bytea)";
    private static final String CREATE_CTR = "CREATE TABLE IF NOT EXISTS bench_ctr(k text primary key, n bigint)";
    private static final String UPSERT_KV =
        "INSERT INTO bench_kv(k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v";
    private static final String SELECT_KV = "SELECT v FROM bench_kv WHERE k = ?";
    private static final String INCR_CTR =
        "INSERT INTO bench_ctr(k, n) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET n = bench_ctr.n + 1 RETURNING n";
    private static final int PRELOAD_BATCH = 1_000;
    private static final int NETWORK_TIMEOUT_MS = 30_000;

    private final HarnessOptions options;
    private final byte[] value;
    private final List<Client> clients = new ArrayList<>();
    private final DriverThreads threads = new DriverThreads();
    private volatile boolean stopRequested;

    JdbcLoadDriver(final HarnessOptions options)
    {
        this.options = options;
        this.value = new byte[options.valueBytes];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)('a' + i % 26);
        }
    }

    @Override
    public void connect() throws HarnessException
    {
        final Properties properties = new Properties();
        if (null != options.password)
        {
            properties.setProperty("password", options.password);
        }
        for (int i = 0; i < options.clients; i++)
        {
            try
            {
                final Connection connection = DriverManager.getConnection(options.target.url, properties);
                final Executor direct = Runnable::run;
                connection.setNetworkTimeout(direct, NETWORK_TIMEOUT_MS);
                if (i == 0)
                {
                    try (Statement statement = connection.createStatement())
                    {
                        statement.execute(CREATE_KV);
                        statement.execute(CREATE_CTR);
                    }
                }
                clients.add(new Client(i, connection));
            }
            catch (final SQLException ex)
            {
                throw new HarnessException(options.target.printable() + ": connection " + (i + 1) + " of " +
                    options.clients + " failed: " + describe(ex), ex);
            }
        }
    }

    @Override
    public void preload() throws HarnessException
    {
        final Client client = clients.get(0);
        try
        {
            client.connection.setAutoCommit(false);
            int inBatch = 0;
            for (int key = 0; key < options.keys; key++)
            {
                client.upsertKv.setString(1, RespRequests.keyName(RespRequests.KEY_PREFIX, key));
                client.upsertKv.setBytes(2, value);
                client.upsertKv.addBatch();
                if (++inBatch == PRELOAD_BATCH || key == options.keys - 1)
                {
                    client.upsertKv.executeBatch();
                    client.connection.commit();
                    inBatch = 0;
                }
            }
            client.connection.setAutoCommit(true);
        }
        catch (final SQLException ex)
        {
            throw new HarnessException(options.target.printable() + ": preload failed: " + describe(ex), ex);
        }
    }

    @Override
    public void start(final RunSchedule schedule, final Recorder latencyNs)
    {
        final long drainDeadlineNs = schedule.endNs + DRAIN_NS;
        for (final Client client : clients)
        {
            client.recording = new OpRecording(latencyNs);
            threads.add("harness-jdbc-" + client.index, () -> client.run(schedule, drainDeadlineNs));
        }
        threads.startAll();
    }

    @Override
    public boolean awaitEnd(final long deadlineNs) throws HarnessException, InterruptedException
    {
        if (!threads.awaitAll(deadlineNs))
        {
            return false;
        }
        for (final Client client : clients)
        {
            if (null != client.failure)
            {
                throw new HarnessException(options.target.printable() + ": connection " + (client.index + 1) +
                    " failed: " + describe(client.failure), client.failure);
            }
        }
        return true;
    }

    @Override
    public RunTotals totals()
    {
        final List<OpRecording> recordings = new ArrayList<>();
        for (final Client client : clients)
        {
            recordings.add(client.recording);
        }
        return new RunTotals(recordings);
    }

    private static String describe(final SQLException ex)
    {
        return ex.getMessage() + " (SQLState " + ex.getSQLState() + ")";
    }

    @Override
    public void close()
    {
        stopRequested = true;
        threads.joinAndClose(clients.stream().map(client -> client.connection).toList());
    }

    /**
     * One connection and the thread that drives it.
     */
    private final class Client
    {
        final int index;
        final Connection connection;
        final PreparedStatement upsertKv;
        final PreparedStatement selectKv;
        final PreparedStatement incrCtr;
        final SplittableRandom random;
        OpRecording recording;
        volatile SQLException failure;

        Client(final int index, final Connection connection) throws SQLException
        {
            this.index = index;
            this.connection = connection;
            this.upsertKv = connection.prepareStatement(UPSERT_KV);
            this.selectKv = connection.prepareStatement(SELECT_KV);
            this.incrCtr = connection.prepareStatement(INCR_CTR);
            this.random = new SplittableRandom(options.seed + 0x9E3779B97F4A7C15L * (index + 1));
        }

        void run(final RunSchedule schedule, final long drainDeadlineNs)
        {
            long opIndex = 0;
            long lastReplyNs = schedule.startNs;
            while (!stopRequested)
            {
                final long nowNs = System.nanoTime();
                final long intendedNs = schedule.closedLoop() ? nowNs : schedule.intendedNs(index, opIndex);
                if (!schedule.mayStart(intendedNs))
                {
                    return;
                }
                if (nowNs - drainDeadlineNs >= 0)
                {
                    recording.unsent(schedule, index, opIndex, nowNs);
                    return;
                }
                final long sendAtNs = RunSchedule.sendNs(intendedNs, lastReplyNs);
                if (sendAtNs - nowNs > 0)
                {
                    LockSupport.parkNanos(sendAtNs - nowNs);
                    continue;
                }
                final long sentNs = System.nanoTime();
                boolean error = false;
                try
                {
                    execute(options.mix.pick(random.nextInt()));
                }
                catch (final SQLException ex)
                {
                    if (null != ex.getSQLState() && ex.getSQLState().startsWith("08") || connectionLost())
                    {
                        failure = ex;
                        return;
                    }
                    error = true;
                }
                lastReplyNs = System.nanoTime();
                recording.completed(schedule, intendedNs, sentNs, lastReplyNs, error);
                opIndex++;
            }
        }

        private boolean connectionLost()
        {
            try
            {
                return connection.isClosed();
            }
            catch (final SQLException ex)
            {
                return true;
            }
        }

        private void execute(final OpKind kind) throws SQLException
        {
            switch (kind)
            {
                case SET -> upsert();
                case GET ->
                {
                    selectKv.setString(1, key(RespRequests.KEY_PREFIX));
                    try (ResultSet rows = selectKv.executeQuery())
                    {
                        while (rows.next())
                        {
                            rows.getBytes(1);
                        }
                    }
                }
                case INCR ->
                {
                    incrCtr.setString(1, key(RespRequests.COUNTER_PREFIX));
                    try (ResultSet rows = incrCtr.executeQuery())
                    {
                        rows.next();
                    }
                }
                case MULTI ->
                {
                    connection.setAutoCommit(false);
                    try
                    {
                        upsert();
                        upsert();
                        upsert();
                        connection.commit();
                    }
                    catch (final SQLException ex)
                    {
                        connection.rollback();
                        throw ex;
                    }
                    finally
                    {
                        connection.setAutoCommit(true);
                    }
                }
                default -> throw new IllegalStateException(kind.name());
            }
        }

        private void upsert() throws SQLException
        {
            upsertKv.setString(1, key(RespRequests.KEY_PREFIX));
            upsertKv.setBytes(2, value);
            upsertKv.executeUpdate();
        }

        private String key(final String prefix)
        {
            return RespRequests.keyName(prefix, random.nextInt(options.keys));
        }
    }
}
