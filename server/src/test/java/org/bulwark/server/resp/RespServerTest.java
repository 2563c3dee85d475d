package org.bulwark.server.resp;

import org.bulwark.common.io.NioFileLayer;
import org.bulwark.journal.Journal;
import org.bulwark.journal.JournalReader;
import org.bulwark.journal.JournalRecord;
import org.bulwark.server.BulwarkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.bulwark.server.resp.RespFixture.command;
import static org.bulwark.server.resp.RespFixture.text;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The RESP server driven by a real Redis client (Jedis): the Redis commands over plain keys,
 * MULTI/EXEC as one transaction, the native commands, locks between clients, a disconnect in the
 * middle of a transaction, and RESP3.
 */
class RespServerTest
{
    @TempDir
    Path dir;

    private RespFixture member;

    @BeforeEach
    void start() throws Exception
    {
        member = RespFixture.start(dir);
    }

    @AfterEach
    void stop() throws Exception
    {
        member.close();
    }

    @Test
    void redisStringCommandsLiveInTheConfiguredGlobal() throws Exception
    {
        try (Jedis jedis = member.jedis())
        {
            assertEquals("PONG", jedis.ping());
            assertEquals("OK", jedis.set("k1", "v1"));
            assertEquals("v1", jedis.get("k1"));
            assertNull(jedis.get("missing"));
            assertTrue(jedis.exists("k1"));
            assertEquals(1, jedis.exists("k1", "missing"));
            assertEquals(1, jedis.incr("n"));
            assertEquals(11, jedis.incrBy("n", 10));
            assertEquals(10, jedis.decr("n"));
            assertEquals("OK", jedis.mset("a", "1", "b", "2", "ü-key", "ü-value"));
            assertEquals(Arrays.asList("1", "2", null, "ü-value"), jedis.mget("a", "b", "c", "ü-key"));
            assertEquals(2, jedis.del("a", "b", "c"));
            assertFalse(jedis.exists("a"));
            final JedisDataException notInteger = assertThrows(JedisDataException.class, () -> jedis.incr("k1"));
            assertTrue(notInteger.getMessage().startsWith("ERR value is not an integer"), notInteger.getMessage());
            final byte[] binary = {0, 1, 2, (byte)0xFF, '\r', '\n'};
            jedis.set("bin".getBytes(), binary);
            assertArrayEquals(binary, jedis.get("bin".getBytes()));
            assertEquals("OK", jedis.select(0));
        }
        // The same data through the embedded API: plain keys are ^redis(key).
        final BulwarkSession session = member.instance.openSession();
        try
        {
            assertEquals("v1", session.getString("redis", "k1"));
            assertEquals("10", session.getString("redis", "n"));
        }
        finally
        {
            session.close();
        }
    }

    @Test
    void writesAreAcknowledgedOnlyOnceDurable() throws Exception
    {
        final Journal journal = member.instance.journal();
        try (Jedis jedis = member.jedis())
        {
            for (int i = 0; i < 200; i++)
            {
                final long appended = journal.appendedPosition();
                jedis.set("d" + i, "x");
                assertTrue(journal.durablePosition() > appended, "SET acknowledged at durable position " +
                    journal.durablePosition() + " before its record past " + appended + " was durable");
            }
        }
    }

    @Test
    void multiExecIsOneTransaction() throws Exception
    {
        final Journal journal = member.instance.journal();
        try (Jedis jedis = member.jedis(); Jedis other = member.jedis())
        {
            final long from = journal.appendedPosition();
            final Transaction tx = jedis.multi();
            tx.set("t1", "a");
            tx.incr("t2");
            tx.get("t1");
            assertNull(other.get("t1"), "nothing applied before EXEC");
            final List<Object> replies = tx.exec();
            assertEquals(3, replies.size());
            assertEquals("OK", text(replies.get(0)));
            assertEquals(1L, replies.get(1));
            assertEquals("a", text(replies.get(2)));
            assertEquals("a", other.get("t1"));
            // In the journal: TSTART, the two updates and TCOMMIT, all of one transaction.
            final List<String> records = new ArrayList<>();
            try (JournalReader reader = new JournalReader(journal.files(), NioFileLayer.INSTANCE))
            {
                reader.seek(from);
                while (reader.next())
                {
                    final JournalRecord record = reader.record();
                    records.add(JournalRecord.typeName(record.type()) + "@" + record.transaction());
                }
            }
            assertEquals(4, records.size(), records.toString());
            final String transaction = records.get(0).substring(records.get(0).indexOf('@'));
            for (final String record : records)
            {
                assertTrue(record.endsWith(transaction), "not all of one transaction: " + records);
            }
            assertTrue(records.get(0).startsWith("TSTART") && records.get(3).startsWith("TCOMMIT"), records.toString());

            final Transaction discarded = jedis.multi();
            discarded.set("t3", "never");
            assertEquals("OK", discarded.discard());
            assertNull(other.get("t3"));
        }
    }

    @Test
    void nativeCommandsCoverTheGlobalsModel() throws Exception
    {
        try (Jedis jedis = member.jedis())
        {
            assertEquals("OK", text(jedis.sendCommand(command("GSET"), "x", "a", "1", "first")));
            jedis.sendCommand(command("GSET"), "^x", "a", "2", "second");
            jedis.sendCommand(command("GSET"), "x", "b", "third");
            assertEquals("first", text(jedis.sendCommand(command("GGET"), "x", "a", "1")));
            final JedisDataException undefined = assertThrows(JedisDataException.class,
                () -> jedis.sendCommand(command("GGET"), "x", "zz"));
            assertEquals("UNDEFINED ^x(\"zz\")", undefined.getMessage());
            assertEquals(10L, jedis.sendCommand(command("GDATA"), "x", "a"));
            assertEquals(1L, jedis.sendCommand(command("GDATA"), "x", "a", "1"));
            assertEquals("a", text(jedis.sendCommand(command("GORDER"), "x", "")));
            assertEquals("b", text(jedis.sendCommand(command("GORDER"), "x", "a")));
            assertEquals("", text(jedis.sendCommand(command("GORDER"), "x", "b")));
            assertEquals("b", text(jedis.sendCommand(command("GORDER"), "REVERSE", "x", "")));
            assertEquals("^x(\"a\",1)", text(jedis.sendCommand(command("GQUERY"), "x")));
            assertEquals("^x(\"a\",2)", text(jedis.sendCommand(command("GQUERY"), "x", "a", "1")));
            assertEquals("1", text(jedis.sendCommand(command("GINCR"), "c")));
            assertEquals("3.5", text(jedis.sendCommand(command("GINCR"), "BY", "2.5", "c")));
            final List<?> scan = (List<?>)jedis.sendCommand(command("GSCAN"), "x", "a");
            assertEquals(List.of("^x(\"a\",1)", "first", "^x(\"a\",2)", "second"), scan.stream()
                .map(RespFixture::text).toList());
            assertEquals(2, ((List<?>)jedis.sendCommand(command("GSCAN"), "LIMIT", "1", "x")).size());
            jedis.sendCommand(command("GZKILL"), "x", "a", "1");
            assertEquals(0L, jedis.sendCommand(command("GDATA"), "x", "a", "1"));
            jedis.sendCommand(command("GKILL"), "x", "a");
            assertEquals(0L, jedis.sendCommand(command("GDATA"), "x", "a"));
            final JedisDataException subscript = assertThrows(JedisDataException.class,
                () -> jedis.sendCommand(command("GSET"), "9bad", "v"));
            assertTrue(subscript.getMessage().startsWith("SUBSCRIPT "), subscript.getMessage());

            // TSTART ... TROLLBACK undoes; TSTART ... TCOMMIT keeps.
            assertEquals(1L, jedis.sendCommand(command("TSTART")));
            jedis.sendCommand(command("GSET"), "y", "1", "rolled back");
            assertEquals(1L, jedis.sendCommand(command("TLEVEL")));
            assertEquals("OK", text(jedis.sendCommand(command("TROLLBACK"))));
            assertEquals(0L, jedis.sendCommand(command("GDATA"), "y", "1"));
            jedis.sendCommand(command("TSTART"));
            jedis.sendCommand(command("GSET"), "y", "2", "kept");
            assertEquals("OK", text(jedis.sendCommand(command("TCOMMIT"))));
            assertEquals("kept", text(jedis.sendCommand(command("GGET"), "y", "2")));
            final JedisDataException noTransaction = assertThrows(JedisDataException.class,
                () -> jedis.sendCommand(command("TCOMMIT")));
            assertTrue(noTransaction.getMessage().startsWith("ROLLBACK "), noTransaction.getMessage());

            assertTrue(text(jedis.sendCommand(command("JOURNAL"), "INFO")).contains("journal_durable_position:"));
            assertTrue(text(jedis.sendCommand(command("MIRROR"), "STATUS")).contains("not configured"));
            assertTrue(jedis.info().contains("redis_version:"));
            assertEquals(0L, jedis.sendCommand(command("WAIT"), "0", "100"));
            assertEquals("master", text(((List<?>)jedis.sendCommand(command("ROLE"))).get(0)));
        }
    }

    @Test
    void lockConflictBetweenTwoClientsTimesOutThenIsGranted() throws Exception
    {
        try (Jedis first = member.jedis(); Jedis second = member.jedis())
        {
            assertEquals("OK", text(first.sendCommand(command("LOCK"), "acct", "1")));
            final JedisDataException timeout = assertThrows(JedisDataException.class,
                () -> second.sendCommand(command("LOCK"), "TIMEOUT", "200", "acct", "1"));
            assertEquals("LOCKTIMEOUT ^acct(1) not locked within 200 ms", timeout.getMessage());
            // A lock on the parent conflicts with the child's; a shared one on another node does not.
            assertThrows(JedisDataException.class, () -> second.sendCommand(command("LOCK"), "TIMEOUT", "0", "acct"));
            assertEquals("OK", text(second.sendCommand(command("LOCK"), "SHARED", "TIMEOUT", "0", "acct", "2")));
            // Waiting off the event loop: the first client is served meanwhile and its UNLOCK lets it in.
            final CompletableFuture<String> waiting = CompletableFuture.supplyAsync(
                () -> text(second.sendCommand(command("LOCK"), "TIMEOUT", "10000", "acct", "1")));
            assertEquals("PONG", first.ping());
            // Connections go to the event loops in turn: among these some share the waiting one's loop.
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors() + 2; i++)
            {
                try (Jedis another = member.jedis())
                {
                    assertEquals("PONG", another.ping(), "client " + i + " served while a LOCK waits");
                }
            }
            assertFalse(waiting.isDone());
            assertEquals("OK", text(first.sendCommand(command("UNLOCK"), "acct", "1")));
            assertEquals("OK", waiting.get(10, TimeUnit.SECONDS));
            assertEquals("PONG", second.ping(), "requests after the wait are served in order");
        }
    }

    @Test
    void disconnectInTheMiddleOfATransactionRollsBackAndReleasesLocks() throws Exception
    {
        try (Jedis other = member.jedis())
        {
            other.set("balance", "100");
            final RawClient client = member.raw();
            client.send(RawClient.request("LOCK", "acct", "7"));
            assertEquals("+OK", client.reply());
            client.send(RawClient.request("TSTART"));
            assertEquals(":1", client.reply());
            client.send(RawClient.request("SET", "balance", "0"));
            assertEquals("+OK", client.reply());
            client.send(RawClient.request("GSET", "acct", "7", "debited"));
            assertEquals("+OK", client.reply());
            client.close(); // no QUIT: the connection just goes
            // The lock comes free once the session is closed, and that is after its rollback.
            assertEquals("OK", text(other.sendCommand(command("LOCK"), "TIMEOUT", "10000", "acct", "7")));
            assertEquals("100", other.get("balance"));
            assertEquals(0L, other.sendCommand(command("GDATA"), "acct", "7"));
            RespFixture.await("the session to be closed", () -> member.server != null &&
                infoValue(other, "connected_clients").equals("1"));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderWithWritesAcknowledgedWhenDurable() throws Exception
    {
        try (RawClient raw = member.raw())
        {
            final StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 200; i++)
            {
                pipeline.append(RawClient.request("SET", "p" + i, "v" + i)).append(RawClient.request("GET", "p" + i))
                    .append(RawClient.request("INCR", "counter"));
            }
            pipeline.append(RawClient.request("QUIT"));
            raw.send(pipeline.toString());
            for (int i = 0; i < 200; i++)
            {
                assertEquals("+OK", raw.reply());
                assertEquals("$" + ("v" + i).length() + "|v" + i, raw.reply());
                assertEquals(":" + (i + 1), raw.reply());
            }
            assertEquals("+OK", raw.reply());
            assertTrue(raw.closedByServer(), "QUIT closes after its reply");
        }
    }

    @Test
    void aClientThatDisconnectsWhileItsLockWaitsIsClosedAtOnce() throws Exception
    {
        try (Jedis holder = member.jedis())
        {
            holder.sendCommand(command("LOCK"), "busy");
            final RawClient waiter = member.raw();
            waiter.send(RawClient.request("LOCK", "TIMEOUT", "60000", "busy"));
            RespFixture.await("two clients", () -> infoValue(holder, "connected_clients").equals("2"));
            waiter.close();
            // Not after the 60 s timeout: the wait is interrupted and the session closed.
            RespFixture.await("the waiting client's session to close", () ->
                infoValue(holder, "connected_clients").equals("1"));
            holder.sendCommand(command("UNLOCK"), "busy");
            try (Jedis next = member.jedis())
            {
                assertEquals("OK", text(next.sendCommand(command("LOCK"), "TIMEOUT", "0", "busy")),
                    "the closed client did not take the lock after all");
            }
        }
    }

    @Test
    void resp3AfterHello3() throws Exception
    {
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", member.port()), DefaultJedisClientConfig.builder()
            .timeoutMillis(RespFixture.TIMEOUT_MS).protocol(RedisProtocol.RESP3).build()))
        {
            assertEquals("OK", jedis.set("r3", "v"));
            assertEquals("v", jedis.get("r3"));
            assertNull(jedis.get("r3-missing"));
        }
        try (RawClient raw = member.raw())
        {
            raw.send(RawClient.request("GET", "missing"));
            assertEquals("$-1", raw.reply());
            raw.send(RawClient.request("HELLO", "3"));
            final String hello = raw.reply();
            assertTrue(hello.startsWith("%7|$6|server|$7|bulwark|"), hello);
            assertTrue(hello.contains("|proto|:3|"), hello);
            raw.send(RawClient.request("GET", "missing"));
            assertEquals("_", raw.reply());
            raw.send(RawClient.request("CONFIG", "GET", "appendonly"));
            assertEquals("%1|$10|appendonly|$3|yes", raw.reply());
            raw.send(RawClient.request("HELLO", "4"));
            assertEquals("-NOPROTO unsupported protocol version", raw.reply());
            raw.send("PING\r\n"); // inline, as telnet and redis-benchmark's PING_INLINE send it
            assertEquals("+PONG", raw.reply());
        }
    }

    private static String infoValue(final Jedis jedis, final String field)
    {
        for (final String line : jedis.info().split("\r\n"))
        {
            if (line.startsWith(field + ":"))
            {
                return line.substring(field.length() + 1);
            }
        }
        return "";
    }
}
