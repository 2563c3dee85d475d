package org.bulwark.systemtests.mirror;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC F-1 with mirroring, M-6..M-11: kill -9 of member processes under a client that records every
 * acknowledged write. The primary's death makes its backup primary (its agent says it is down) with
 * every acknowledged write; the backup's death costs the primary a pause of about the trouble timeout;
 * and across repeated failovers, with each killed member started again to rejoin as backup, the final
 * primary holds every write ever acknowledged.
 */
class MirrorFailoverTest
{
    private static final int ROUNDS = Boolean.getBoolean("bulwark.soak") ? 10 : 2;
    /** The trouble state ends after the trouble timeout; the rest is slack for two loaded cores. */
    private static final long RESUME_TIMEOUT_MS = MirrorPair.QOS_TIMEOUT_MS + MirrorPair.TROUBLE_TIMEOUT_MS + 30_000;

    /** Kept when a test fails: the members' logs and data tell what happened. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void killOfThePrimaryMakesTheBackupPrimaryWithEveryAcknowledgedWrite() throws Exception
    {
        try (MirrorPair pair = MirrorPair.onLoopback(root))
        {
            pair.startBoth();
            Walkthrough.killPrimaryTakeover(pair, pair.a(), pair.b(), 200);
        }
    }

    @Test
    void killOfTheBackupPausesThePrimaryAboutTheTroubleTimeoutThenWritesGoOn() throws Exception
    {
        try (MirrorPair pair = MirrorPair.onLoopback(root))
        {
            final MirrorNode a = pair.a();
            final MirrorNode b = pair.b();
            pair.startBoth();
            final long markA = a.logMark();
            try (AcknowledgedWriter writer = new AcknowledgedWriter(pair, a, "backupkill"))
            {
                writer.awaitMore(200, Walkthrough.REPLICATION_TIMEOUT_MS);
                final String before = writer.latencySummary();
                final long killedAtMs = System.currentTimeMillis();
                assertEquals(137, b.kill(), "kill -9 of the backup b");
                final long resumedMs = writer.awaitMore(100, RESUME_TIMEOUT_MS);
                assertNotNull(a.findLog(markA, "is no longer active"), "a never noticed its backup died:\n" +
                    a.mirrorLog(markA));
                assertNotNull(a.findLog(markA, "leaving the trouble state"), a.mirrorLog(markA));
                System.out.println("kill -9 of the backup: 100 more writes acknowledged " + resumedMs + " ms after " +
                    "the kill; longest write " + writer.longestMs() + " ms, ending " +
                    (writer.longestAtMs() - killedAtMs) + " ms after the kill (QoS " + MirrorPair.QOS_TIMEOUT_MS +
                    " ms, trouble timeout " + MirrorPair.TROUBLE_TIMEOUT_MS + " ms); before the kill: " + before +
                    "; overall: " + writer.latencySummary());

                // b started again catches up on what a committed alone, and is active again.
                final long markB = b.logMark();
                b.start();
                pair.awaitActiveBackup(b, markB, Walkthrough.REPLICATION_TIMEOUT_MS);
                writer.awaitMore(50, Walkthrough.REPLICATION_TIMEOUT_MS);
                writer.stop();
                assertEquals(List.of(), writer.missingOn(a), "acknowledged writes missing on the primary a");
                assertEquals(List.of(), awaitNoneMissing(writer, b), "acknowledged writes missing on the backup b " +
                    "after it caught up");
            }
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesRepeatedKillsOfThePrimary() throws Exception
    {
        try (MirrorPair pair = MirrorPair.onLoopback(root))
        {
            pair.startBoth();
            MirrorNode primary = pair.a();
            MirrorNode backup = pair.b();
            final StringBuilder report = new StringBuilder();
            try (AcknowledgedWriter writer = new AcknowledgedWriter(pair, primary, "rounds"))
            {
                writer.awaitMore(100, Walkthrough.REPLICATION_TIMEOUT_MS);
                for (int round = 1; round <= ROUNDS; round++)
                {
                    final long markBackup = backup.logMark();
                    final long killNs = System.nanoTime();
                    assertEquals(137, primary.kill(), "round " + round + ": kill -9 of " + primary);
                    pair.awaitPrimary(backup, markBackup, Walkthrough.TAKEOVER_TIMEOUT_MS);
                    final long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killNs);
                    writer.awaitMore(50, Walkthrough.REPLICATION_TIMEOUT_MS);

                    final long markRestarted = primary.logMark();
                    final long restartNs = System.nanoTime();
                    primary.start();
                    pair.awaitActiveBackup(primary, markRestarted, Walkthrough.REPLICATION_TIMEOUT_MS);
                    final long rejoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNs);
                    writer.awaitMore(50, Walkthrough.REPLICATION_TIMEOUT_MS);
                    report.append(String.format("%n  round %d: %s took over %d ms after the kill of %s (term %d), " +
                        "which was started again and active backup %d ms later; %d writes acknowledged so far", round,
                        backup.name(), takeoverMs, primary.name(), Walkthrough.lastPrimaryTerm(backup), rejoinMs,
                        writer.acknowledgedCount()));
                    final MirrorNode newPrimary = backup;
                    backup = primary;
                    primary = newPrimary;
                }
                writer.stop();
                assertEquals(List.of(), writer.missingOn(primary), "acknowledged writes missing on the final " +
                    "primary " + primary);
                assertEquals(List.of(), awaitNoneMissing(writer, backup), "acknowledged writes missing on the " +
                    "final backup " + backup);
                System.out.println(ROUNDS + " failovers by kill -9:" + report + "\n  every acknowledged write is on " +
                    "both members; " + writer.latencySummary());
            }
        }
    }

    /**
     * @return the acknowledged writes {@code node} still lacks when none are or the replication timeout
     *     passed.
     */
    static List<String> awaitNoneMissing(final AcknowledgedWriter writer, final MirrorNode node) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Walkthrough.REPLICATION_TIMEOUT_MS);
        while (true)
        {
            final List<String> missing = writer.missingOn(node);
            if (missing.isEmpty() || System.nanoTime() - deadlineNs > 0)
            {
                return missing.subList(0, Math.min(20, missing.size()));
            }
            Thread.sleep(100);
        }
    }
}
