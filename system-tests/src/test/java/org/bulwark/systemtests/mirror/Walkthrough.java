package org.bulwark.systemtests.mirror;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The steps of the mirroring walkthrough (seed 000 §3) on a started {@link MirrorPair}, shared by the
 * loopback test and the network-namespace test.
 */
final class Walkthrough
{
    /** How long a change on the primary may take to show on its backup. */
    static final long REPLICATION_TIMEOUT_MS = 20_000;
    /** A takeover needs the QoS timeout and an agent's answer; the rest is slack for two loaded cores. */
    static final long TAKEOVER_TIMEOUT_MS = MirrorPair.QOS_TIMEOUT_MS + 25_000;
    private static final Pattern TERM = Pattern.compile("PRIMARY of mirror \\S+ in term (\\d+)");

    private Walkthrough()
    {
    }

    /**
     * Set on the primary, read it on the backup, and a write on the backup is refused with PROTECT.
     */
    static void setOnPrimaryReadOnBackup(final MirrorNode primary, final MirrorNode backup, final String key,
        final String value) throws Exception
    {
        try (RespClient client = primary.client(MirrorPair.REPLY_TIMEOUT_MS))
        {
            assertEquals("OK", client.set(key, value), "SET on the primary " + primary);
        }
        assertEquals(value, MirrorPair.awaitValue(backup, key, value, REPLICATION_TIMEOUT_MS),
            "the backup " + backup + " did not get " + key + " within " + REPLICATION_TIMEOUT_MS + " ms");
        try (RespClient client = backup.client(MirrorPair.REPLY_TIMEOUT_MS))
        {
            final String reply = client.set(key, "written-on-the-backup");
            assertTrue(RespClient.isProtect(reply), "a write on the backup " + backup + " was answered " + reply);
            assertEquals(value, client.get(key), "the refused write changed the backup");
        }
    }

    /**
     * kill -9 of the primary while its agent runs: the backup takes over within the deadline, and has
     * every write acknowledged before the kill.
     *
     * @param writesBeforeKill how many writes the primary acknowledges before it is killed.
     * @return the milliseconds from the kill until the new primary accepted a write.
     */
    static long killPrimaryTakeover(final MirrorPair pair, final MirrorNode primary, final MirrorNode backup,
        final int writesBeforeKill) throws Exception
    {
        final long mark = backup.logMark();
        final AcknowledgedWriter writer = new AcknowledgedWriter(pair, primary, "kill9");
        try
        {
            writer.awaitMore(writesBeforeKill, REPLICATION_TIMEOUT_MS);
            final long killNs = System.nanoTime();
            assertEquals(137, primary.kill(), "kill -9 of " + primary);
            pair.awaitPrimary(backup, mark, TAKEOVER_TIMEOUT_MS);
            final long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killNs);
            writer.awaitMore(Math.min(50, writesBeforeKill), REPLICATION_TIMEOUT_MS);
            writer.stop();
            assertEquals(java.util.List.of(), writer.missingOn(backup), "acknowledged writes missing on the new " +
                "primary " + backup + " after the kill of " + primary);
            assertNotNull(backup.findLog(mark, "is down (its agent says DOWN)"), "the takeover did not come from the " +
                "agent's report:\n" + backup.mirrorLog(mark));
            System.out.println("kill -9 of the primary " + primary.name() + ": " + backup.name() + " accepted writes " +
                takeoverMs + " ms later (QoS timeout " + MirrorPair.QOS_TIMEOUT_MS + " ms); " +
                writer.acknowledgedCount() + " acknowledged writes all there; " + writer.latencySummary());
            return takeoverMs;
        }
        finally
        {
            writer.stop();
        }
    }

    /**
     * @return the term of the last "PRIMARY of mirror ... in term N" line of the member's log.
     */
    static long lastPrimaryTerm(final MirrorNode node) throws Exception
    {
        final Matcher matcher = TERM.matcher(node.messages(0));
        long term = -1;
        while (matcher.find())
        {
            term = Long.parseLong(matcher.group(1));
        }
        return term;
    }
}
