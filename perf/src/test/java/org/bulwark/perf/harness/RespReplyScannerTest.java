package org.bulwark.perf.harness;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespReplyScannerTest
{
    private final RespReplyScanner scanner = new RespReplyScanner();

    @Test
    void findsTheEndOfEachKindOfReply() throws Exception
    {
        complete("+OK\r\n", false);
        complete("-ERR wrong\r\n", true);
        complete("-PROTECT the member is read-only\r\n", true);
        complete(":42\r\n", false);
        complete("$5\r\nhello\r\n", false);
        complete("$0\r\n\r\n", false);
        complete("$-1\r\n", false);
        complete("*-1\r\n", false);
        complete("*0\r\n", false);
        complete("*3\r\n+OK\r\n:7\r\n$2\r\nab\r\n", false);
        complete("*2\r\n*2\r\n+a\r\n+b\r\n$1\r\nc\r\n", false);
        complete("*3\r\n+OK\r\n-ERR in EXEC\r\n+OK\r\n", true);
        complete("%1\r\n+k\r\n:1\r\n", false);
        complete("_\r\n", false);
        complete("!3\r\nbad\r\n", true);
    }

    @Test
    void integerOfATopLevelIntegerReply() throws Exception
    {
        complete(":-3\r\n", false);
        assertTrue(scanner.integerReply());
        assertEquals(-3, scanner.integer());
        complete("*1\r\n:5\r\n", false);
        assertFalse(scanner.integerReply());
    }

    @Test
    void incompleteAtEveryCut() throws Exception
    {
        final String reply = "*3\r\n$3\r\nabc\r\n*1\r\n:12\r\n-ERR x\r\n";
        final ByteBuffer buffer = buffer(reply + "+next\r\n");
        for (int cut = 0; cut < reply.length(); cut++)
        {
            assertEquals(-1, scanner.scan(buffer, 0, cut), "cut at " + cut);
        }
        assertEquals(reply.length(), scanner.scan(buffer, 0, reply.length()));
        assertEquals(reply.length(), scanner.scan(buffer, 0, buffer.limit()));
        assertTrue(scanner.error());
        assertEquals(buffer.limit(), scanner.scan(buffer, reply.length(), buffer.limit()));
        assertFalse(scanner.error());
    }

    @Test
    void bytesThatAreNotRespAreRefused()
    {
        assertThrows(RespProtocolException.class, () -> scanner.scan(buffer("HTTP/1.1 400\r\n"), 0, 14));
        assertThrows(RespProtocolException.class, () -> scanner.scan(buffer("$3\r\nabcd\r\n"), 0, 10));
        assertThrows(RespProtocolException.class, () -> scanner.scan(buffer(":1x\r\n"), 0, 5));
    }

    private void complete(final String reply, final boolean error) throws Exception
    {
        final ByteBuffer buffer = buffer(reply);
        assertEquals(reply.length(), scanner.scan(buffer, 0, reply.length()), reply);
        assertEquals(error, scanner.error(), reply);
    }

    private static ByteBuffer buffer(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }
}
