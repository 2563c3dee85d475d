package org.bulwark.systemtests.mirror;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC M-2, M-6, M-11, M-12: the walkthrough (seed 000 §3) with real member processes, each with its
 * agent. A set on the primary shows on the backup, which refuses writes; a graceful stop of the primary
 * makes the backup primary in a higher term; the old primary, started again, rejoins as backup with the
 * new data and refuses writes.
 */
class MirrorWalkthroughTest
{
    /** Kept when a test fails: the members' logs and data tell what happened. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void backupReadsRefusesWritesTakesOverOnAGracefulStopAndTheOldPrimaryRejoins() throws Exception
    {
        try (MirrorPair pair = MirrorPair.onLoopback(root))
        {
            final MirrorNode a = pair.a();
            final MirrorNode b = pair.b();
            pair.startBoth();
            Walkthrough.setOnPrimaryReadOnBackup(a, b, "walk", "one");
            final long termOfA = Walkthrough.lastPrimaryTerm(a);

            // Planned failover: a graceful stop of the primary hands over to its active backup.
            final long markA = a.logMark();
            final long markB = b.logMark();
            assertEquals(0, a.stop(), "graceful stop of the primary a:\n" + a.mirrorLog(markA));
            final long takeoverMs = pair.awaitPrimary(b, markB, Walkthrough.TAKEOVER_TIMEOUT_MS);
            assertNotNull(b.findLog(markB, "planned failover"), "b took over, but not as asked:\n" +
                b.mirrorLog(markB));
            assertNotNull(a.findLog(markA, "took over as primary in term"), "a did not see b take over before it " +
                "stopped:\n" + a.mirrorLog(markA));
            final long termOfB = Walkthrough.lastPrimaryTerm(b);
            assertTrue(termOfB > termOfA, "b's term " + termOfB + " after a's " + termOfA);
            try (RespClient client = b.client(MirrorPair.REPLY_TIMEOUT_MS))
            {
                assertEquals("one", client.get("walk"), "the new primary lost the value");
                assertEquals("OK", client.set("walk", "two"));
            }

            // The old primary, started again, is b's backup: it catches up and refuses writes.
            final long rejoinMark = a.logMark();
            a.start();
            pair.awaitActiveBackup(a, rejoinMark, Walkthrough.REPLICATION_TIMEOUT_MS);
            assertNotNull(a.findLog(rejoinMark, "backup of b"), a.mirrorLog(rejoinMark));
            assertEquals("two", MirrorPair.awaitValue(a, "walk", "two", Walkthrough.REPLICATION_TIMEOUT_MS),
                "the rejoined a does not have what b wrote while a was down");
            Walkthrough.setOnPrimaryReadOnBackup(b, a, "walk", "three");

            System.out.println("walkthrough: a primary in term " + termOfA + "; graceful stop of a; b primary in " +
                "term " + termOfB + " after " + takeoverMs + " ms; a rejoined as backup");
        }
    }
}
