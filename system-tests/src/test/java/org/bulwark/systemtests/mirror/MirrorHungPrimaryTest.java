package org.bulwark.systemtests.mirror;

import org.bulwark.replication.agent.ForcedDownMarker;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC M-9, M-10: a hung primary (SIGSTOP). Its backup, hearing nothing, asks the primary's agent:
 * <ul>
 * <li>while that agent is unreachable the backup never takes over (the primary may be alive): when the
 *     primary wakes up it goes on as the only primary;</li>
 * <li>with the agent there, the agent finds the primary hung, forces it down (SIGKILL and the
 *     {@code forced-down} marker) and the backup takes over in a higher term; the member stays down
 *     until an operator starts it ({@code bulwark start} clears the marker), and it rejoins as backup.</li>
 * </ul>
 * A stale primary that learns of a higher term cannot arise here: the agent kills the hung primary
 * before the takeover, so it never wakes up as primary.
 */
class MirrorHungPrimaryTest
{
    /**
     * Agent consultations (about one a second) the backup must survive without taking over; few, so that
     * the primary stays frozen well below Aeron's 10 s client timeout (see the disabled test below).
     */
    private static final int REFUSED_CONSULTATIONS = 2;
    /** Longer than Aeron's client conductor service interval timeout (10 s). */
    private static final long LONG_FREEZE_MS = 12_000;
    /** The QoS timeout, then the agent's hung-after time; the rest is slack. */
    private static final long FORCE_DOWN_TIMEOUT_MS = MirrorPair.QOS_TIMEOUT_MS + MirrorPair.PRODUCT_HUNG_AFTER_MS +
        25_000;
    /** Short, but ten times the member's heartbeat interval (100 ms). */
    private static final long SHORT_HUNG_AFTER_MS = 1_000;

    /** Kept when a test fails: the members' logs and data tell what happened. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void aHungPrimaryIsForcedDownByItsAgentButNeverTakenOverWithoutIt() throws Exception
    {
        try (MirrorPair pair = MirrorPair.onLoopback(root))
        {
            final MirrorNode a = pair.a();
            final MirrorNode b = pair.b();
            pair.startBoth();
            Walkthrough.setOnPrimaryReadOnBackup(a, b, "hung", "before");

            // The primary hangs and its agent is unreachable: the backup cannot know it is down.
            a.killAgent();
            final long unreachableMark = b.logMark();
            a.member().pause();
            assertTrue(b.awaitLogCount(unreachableMark, "no takeover without it", REFUSED_CONSULTATIONS,
                Walkthrough.TAKEOVER_TIMEOUT_MS), "b did not try a's agent " + REFUSED_CONSULTATIONS + " times:\n" +
                b.mirrorLog(unreachableMark));
            assertNull(b.findLog(unreachableMark, "PRIMARY of mirror"), "b took over without a's agent:\n" +
                b.mirrorLog(unreachableMark));
            assertTrue(RespClient.isProtect(MirrorPair.write(b, "hung", "b-without-agent")), "b accepts writes");

            // The primary wakes up: it is still the only primary, and b its backup again.
            a.member().resume();
            final long resumedMs = MirrorPair.awaitWrite(a, "hung", "after-resume", Walkthrough.TAKEOVER_TIMEOUT_MS);
            assertEquals("after-resume", MirrorPair.awaitValue(b, "hung", "after-resume",
                Walkthrough.REPLICATION_TIMEOUT_MS), "b does not follow a after a woke up:\n" + pair.logs());
            assertNull(b.findLog(unreachableMark, "PRIMARY of mirror"), b.mirrorLog(unreachableMark));
            assertTrue(RespClient.isProtect(MirrorPair.write(b, "hung", "b-after-resume")), "b accepts writes");

            // With its agent back, a hang of the primary ends in a forced down and a takeover.
            a.agentHungAfterMs(MirrorPair.PRODUCT_HUNG_AFTER_MS);
            a.startAgent();
            final long forceMark = b.logMark();
            a.member().pause();
            pair.awaitPrimary(b, forceMark, FORCE_DOWN_TIMEOUT_MS);
            assertNotNull(b.findLog(forceMark, "is hung"), b.mirrorLog(forceMark));
            assertEquals(137, a.awaitMemberExit(MirrorNode.STOP_TIMEOUT_MS), "a was not killed by its agent");
            final ForcedDownMarker marker = ForcedDownMarker.read(a.dataDirectory());
            assertNotNull(marker, "no forced-down marker in " + a.dataDirectory());
            assertTrue(marker.reason().contains("hung") && marker.requestedBy().startsWith("b"), marker.toString());
            assertTrue(Walkthrough.lastPrimaryTerm(b) > Walkthrough.lastPrimaryTerm(a), "b's term is not higher");
            try (RespClient client = b.client(MirrorPair.REPLY_TIMEOUT_MS))
            {
                assertEquals("after-resume", client.get("hung"), "the new primary lost a write");
                assertEquals("OK", client.set("hung", "after-takeover"));
            }

            // An operator starts the forced-down member: the marker goes, and it rejoins as backup.
            final long rejoinMark = a.logMark();
            final String started = a.operatorStart();
            assertTrue(started.contains("was forced down"), started);
            assertFalse(a.forcedDown(), "bulwark start left the forced-down marker");
            pair.awaitActiveBackup(a, rejoinMark, Walkthrough.REPLICATION_TIMEOUT_MS);
            assertEquals("after-takeover", MirrorPair.awaitValue(a, "hung", "after-takeover",
                Walkthrough.REPLICATION_TIMEOUT_MS));
            assertTrue(RespClient.isProtect(MirrorPair.write(a, "hung", "a-after-rejoin")), "the rejoined a " +
                "accepts writes");
            System.out.println("hung primary: no takeover over " + REFUSED_CONSULTATIONS + " tries of an unreachable " +
                "agent; the woken primary accepted a write after " + resumedMs + " ms; forced down by its agent (" +
                marker + "); b primary in term " + Walkthrough.lastPrimaryTerm(b) + "; a rejoined after bulwark start");
        }
    }

    @Test
    @Disabled("bug: a member frozen for more than 10 s (SIGSTOP here; a long GC pause or VM stall alike) loses " +
        "its mirror link for good: on waking, its Aeron client conductor finds its service interval exceeded " +
        "(ConductorServiceTimeoutException, FATAL; then AgentTerminationException, both in messages.log as 'Aeron " +
        "error') and closes, and MirrorMember carries on with the dead link. A primary goes on committing alone " +
        "(trouble timeout passes) and never ships to its backup again; the backup never hears it again and, the " +
        "primary's agent reporting it RUNNING, never takes over. Nothing restarts the driver and the link, and the " +
        "member does not stop")
    void aPrimaryFrozenLongerThanAeronsClientTimeoutIsFollowedAgainWhenItWakes() throws Exception
    {
        try (MirrorPair pair = MirrorPair.onLoopback(root))
        {
            final MirrorNode a = pair.a();
            final MirrorNode b = pair.b();
            pair.startBoth();
            Walkthrough.setOnPrimaryReadOnBackup(a, b, "frozen", "before");
            a.killAgent(); // so that b cannot have a forced down: a must wake up as primary
            final long mark = b.logMark();
            a.member().pause();
            Thread.sleep(LONG_FREEZE_MS); // the fault: a freeze of this length
            a.member().resume();
            MirrorPair.awaitWrite(a, "frozen", "after", Walkthrough.TAKEOVER_TIMEOUT_MS);
            assertEquals("after", MirrorPair.awaitValue(b, "frozen", "after", Walkthrough.REPLICATION_TIMEOUT_MS),
                "b does not follow a after a froze for " + LONG_FREEZE_MS + " ms:\n" + pair.logs());
            assertNull(b.findLog(mark, "PRIMARY of mirror"), b.mirrorLog(mark));
        }
    }

    @Test
    @Disabled("bug: a member that is starting is judged HUNG by its agent, and its partner has it forced down " +
        "(SIGKILL, forced-down marker) and takes over. MirrorMember's constructor opens mirror-member.state, which " +
        "stamps the heartbeat and publishes the pid, but the heartbeats only begin in the mirror agent's duty " +
        "cycle, after MirrorDriver.launch, the link's setup and the first duty cycles: on a loaded machine more " +
        "than agent.hungAfterMs (3 s by default) later. Seen with the default in this suite: 'b is hung (no " +
        "heartbeat for 3625 ms)' of a b that had started 5 s before. A partner asks the agent while the member " +
        "starts whenever it waits for it (both starting, or a backup whose primary stopped with --nofailover, " +
        "whose stopped state the new process also overwrites with NONE). A starting member (role NONE, no " +
        "heartbeat yet) should not count as hung, or the heartbeat should run from the state file's opening")
    void aStartingMemberIsNeverForcedDownAsHung() throws Exception
    {
        try (MirrorPair pair = MirrorPair.onLoopback(root))
        {
            // A short hung-after widens the window; the product's 3 s needs a slow start to show it.
            pair.agentHungAfterMs(SHORT_HUNG_AFTER_MS);
            final MirrorNode a = pair.a();
            final MirrorNode b = pair.b();
            pair.startBoth();
            for (int restart = 1; restart <= 3; restart++)
            {
                // a stops without failover; b waits for it, asking a's agent about every second, while a starts.
                a.stopNoFailover();
                final long mark = a.logMark();
                a.start();
                pair.awaitPrimary(a, mark, Walkthrough.TAKEOVER_TIMEOUT_MS);
                assertFalse(a.forcedDown(), "restart " + restart + ": a was forced down while starting:\n" +
                    b.mirrorLog(0));
            }
        }
    }
}
