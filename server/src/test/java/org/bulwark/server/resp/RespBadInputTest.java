package org.bulwark.server.resp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC E-1: malformed requests, oversized ones, wrong arity and types, unknown commands and a
 * half-closed connection each get a clear error (or a closed connection) for that client only,
 * while another client goes on being served between every case.
 */
class RespBadInputTest
{
    @TempDir
    Path dir;

    private RespFixture member;
    private Jedis bystander;
    private int served;

    @BeforeEach
    void start() throws Exception
    {
        member = RespFixture.start(dir, "resp.maxBulkBytes = 1k", "resp.maxArrayLength = 16",
            "resp.maxInlineBytes = 256", "value.maxSize = 512");
        bystander = member.jedis();
    }

    @AfterEach
    void stop() throws Exception
    {
        bystander.close();
        member.close();
    }

    /**
     * The other client is still served, and sees its own writes.
     */
    private void bystanderServed()
    {
        served++;
        assertEquals("OK", bystander.set("bystander", Integer.toString(served)));
        assertEquals(Integer.toString(served), bystander.get("bystander"));
    }

    private void protocolErrorThenClosed(final String input, final String expectedError) throws Exception
    {
        try (RawClient raw = member.raw())
        {
            raw.send(RawClient.request("SET", "before", "ok"));
            assertEquals("+OK", raw.reply(), "requests before the bad one are answered");
            raw.send(input);
            final String reply = raw.reply();
            assertEquals("-ERR Protocol error: " + expectedError, reply.length() > expectedError.length() + 21 ?
                reply.substring(0, expectedError.length() + 21) : reply, "for input " + printable(input));
            assertTrue(raw.closedByServer(), "the connection is closed after a protocol error");
        }
        bystanderServed();
    }

    @Test
    void malformedRequestsGetAProtocolErrorAndTheirConnectionCloses() throws Exception
    {
        protocolErrorThenClosed("*2\r\n$3\r\nGET\r\n#1\r\n", "expected '$', got '#'");
        protocolErrorThenClosed("*x\r\n", "invalid multibulk length");
        protocolErrorThenClosed("*1\r\n$-5\r\n", "invalid bulk length");
        protocolErrorThenClosed("*1\r\n$3\r\nGETxx", "bulk string of 3 bytes is not followed by CRLF");
        protocolErrorThenClosed("*1\r\n$99999999999999999999999\r\n", "invalid bulk length");
        protocolErrorThenClosed("*1\r" + "x".repeat(40), "CR not followed by LF");
        protocolErrorThenClosed("SET \"unclosed value\r\n", "unbalanced quotes in request");
    }

    @Test
    void oversizedRequestsAreRefusedBeforeTheirBytesArrive() throws Exception
    {
        // The declared sizes are refused at once: the server does not wait for the data.
        protocolErrorThenClosed("*1\r\n$1025\r\n", "invalid bulk length: 1025 bytes is more than the limit of 1024");
        protocolErrorThenClosed("*17\r\n", "invalid multibulk length: 17 elements is more than the limit of 16");
        protocolErrorThenClosed("x".repeat(300), "too big inline request");
        // A value the store does not take is a clean <MAXSTRING> error, and the connection stays.
        try (RawClient raw = member.raw())
        {
            raw.send(RawClient.request("SET", "big", "v".repeat(600)));
            assertTrue(raw.reply().startsWith("-MAXSTRING value of 600 bytes"));
            raw.send(RawClient.request("PING"));
            assertEquals("+PONG", raw.reply());
        }
        bystanderServed();
    }

    @Test
    void wrongArityTypesAndUnknownCommandsAreErrorsNamingThem() throws Exception
    {
        try (RawClient raw = member.raw())
        {
            raw.send(RawClient.request("GET"));
            assertEquals("-ERR wrong number of arguments for 'get' command", raw.reply());
            bystanderServed();
            raw.send(RawClient.request("INCRBY", "n", "abc"));
            assertEquals("-ERR value is not an integer or out of range: argument 3 of 'incrby' is 'abc'",
                raw.reply());
            raw.send(RawClient.request("MSET", "a", "1", "b"));
            assertEquals("-ERR wrong number of arguments for 'mset' command", raw.reply());
            raw.send(RawClient.request("FROB", "x", "y"));
            assertEquals("-ERR unknown command 'FROB', with args beginning with: 'x' 'y'", raw.reply());
            raw.send(RawClient.request("SET", "k", "v", "EX", "10"));
            assertTrue(raw.reply().startsWith("-ERR SET option 'EX' (argument 4) is not supported"));
            raw.send(RawClient.request("LOCK", "TIMEOUT", "-1", "x"));
            assertEquals("-ERR LOCK TIMEOUT -1 (argument 3) must not be negative", raw.reply());
            raw.send(RawClient.request("SET", "", "empty key"));
            assertTrue(raw.reply().startsWith("-SUBSCRIPT "));
            // In MULTI an error while queuing aborts EXEC.
            raw.send(RawClient.request("MULTI"));
            assertEquals("+OK", raw.reply());
            raw.send(RawClient.request("SET", "queued", "1"));
            assertEquals("+QUEUED", raw.reply());
            raw.send(RawClient.request("NOSUCH"));
            assertTrue(raw.reply().startsWith("-ERR unknown command 'NOSUCH'"));
            raw.send(RawClient.request("LOCK", "x"));
            assertEquals("-ERR LOCK is not allowed in MULTI", raw.reply());
            raw.send(RawClient.request("EXEC"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.", raw.reply());
            raw.send(RawClient.request("EXISTS", "queued"));
            assertEquals(":0", raw.reply());
            // The connection is still in order after all of it.
            raw.send(RawClient.request("PING", "still here"));
            assertEquals("$10|still here", raw.reply());
        }
        bystanderServed();
    }

    @Test
    void halfClosedAndAbandonedConnectionsDoNotDisturbOthers() throws Exception
    {
        try (RawClient raw = member.raw())
        {
            raw.send("*2\r\n$3\r\nGET\r\n$5\r\nab"); // half a request, then the client stops sending
            raw.shutdownOutput();
            assertTrue(raw.closedByServer(), "the server closes a connection whose input ended");
        }
        bystanderServed();
        try (RawClient raw = member.raw())
        {
            raw.send(RawClient.request("SET", "answered", "1") + RawClient.request("GET", "answered"));
            raw.shutdownOutput(); // whole requests before the end of input are still answered
            assertEquals("+OK", raw.reply());
            assertEquals("$1|1", raw.reply());
        }
        bystanderServed();
        final RawClient abandoned = member.raw();
        abandoned.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\npartial");
        abandoned.close();
        bystanderServed();
        assertNull(bystander.get("k"), "a request cut off is never applied");
    }

    @Test
    void aClientThatSendsWithoutReadingIsHeldBackWhileOthersAreServed() throws Exception
    {
        final int requests = 40_000;
        bystander.set("wide", "w".repeat(500));
        try (RawClient slow = member.raw())
        {
            final byte[] request = RawClient.request("GET", "wide").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            final Thread sender = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < requests; i++)
                    {
                        slow.send(request); // blocks once the server stops reading this connection
                    }
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            }, "slow-sender");
            sender.start();
            // 20 MB of replies nobody reads: the server stops reading this client, and serves others.
            for (int i = 0; i < 20; i++)
            {
                bystanderServed();
            }
            for (int i = 0; i < requests; i++)
            {
                assertEquals("$500|" + "w".repeat(500), slow.reply(), "reply " + i);
            }
            sender.join(RespFixture.TIMEOUT_MS);
            assertFalse(sender.isAlive());
        }
        bystanderServed();
    }

    private static String printable(final String text)
    {
        return text.replace("\r", "\\r").replace("\n", "\\n");
    }
}
