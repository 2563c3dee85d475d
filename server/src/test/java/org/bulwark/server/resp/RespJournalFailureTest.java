package org.bulwark.server.resp;

import org.bulwark.common.io.DurableFile;
import org.bulwark.common.io.FileLayer;
import org.bulwark.common.io.ForwardingDurableFile;
import org.bulwark.common.io.NioFileLayer;
import org.bulwark.common.io.SyncLevel;
import org.bulwark.server.InstanceOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A write whose journal records never become durable is never acknowledged over RESP (SPEC J-6,
 * F-3): when the journal's sync fails, the waiting client gets {@code -JOURNALFROZEN} instead of
 * {@code +OK}, and later writes are refused.
 */
class RespJournalFailureTest
{
    @TempDir
    Path dir;

    @Test
    void aWriteThatNeverBecomesDurableIsAnsweredWithAnError() throws Exception
    {
        final AtomicBoolean failSyncs = new AtomicBoolean();
        final RespFixture member = RespFixture.start(dir, new InstanceOptions().fileLayer(
            failingJournalSyncs(failSyncs)), "journal.freezeTimeoutMs = 500");
        try
        {
            try (RawClient raw = member.raw())
            {
                raw.send(RawClient.request("SET", "before", "kept"));
                assertEquals("+OK", raw.reply());
                failSyncs.set(true);
                raw.send(RawClient.request("SET", "after", "lost"));
                final String reply = raw.reply();
                assertTrue(reply.startsWith("-JOURNALFROZEN "), "a write that did not become durable answered " +
                    reply);
                assertTrue(raw.closedByServer(), "the connection is closed after the failed acknowledgement");
            }
            try (Jedis other = member.jedis())
            {
                final Exception refused = assertThrows(Exception.class, () -> other.set("later", "x"));
                assertFalse(String.valueOf(refused.getMessage()).startsWith("OK"), String.valueOf(refused));
                assertEquals("PONG", other.ping(), "PING is still served");
            }
        }
        finally
        {
            try
            {
                member.close();
            }
            catch (final IOException | RuntimeException ex)
            {
                // closing a member whose journal froze may report the freeze
            }
        }
    }

    private static FileLayer failingJournalSyncs(final AtomicBoolean fail)
    {
        return new FileLayer()
        {
            @Override
            public DurableFile open(final Path path, final boolean create) throws IOException
            {
                final DurableFile file = NioFileLayer.INSTANCE.open(path, create);
                if (!path.getParent().getFileName().toString().equals("journal"))
                {
                    return file;
                }
                return new ForwardingDurableFile(file)
                {
                    @Override
                    public void sync(final SyncLevel level) throws IOException
                    {
                        if (fail.get())
                        {
                            throw new IOException("injected: fdatasync failed (EIO)");
                        }
                        super.sync(level);
                    }
                };
            }

            @Override
            public void syncDirectory(final Path directory) throws IOException
            {
                NioFileLayer.INSTANCE.syncDirectory(directory);
            }
        };
    }
}
