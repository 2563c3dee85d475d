package org.bulwark.systemtests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC F-1 with the journal: a child JVM commits seeded transactions (some rolled back), printing
 * each acknowledgement, and is killed with SIGKILL at a random moment. After each restart the
 * member must hold exactly the transactions up to the last acknowledged one, or one more (whose
 * commit was durable but not yet acknowledged): every acknowledged commit present, no transaction
 * partly visible, integrity clean. The data carries over from kill to kill.
 */
class CommitCrashTest
{
    private static final int KILLS = Boolean.getBoolean("bulwark.soak") ? 500 : 50;

    @TempDir
    Path root;

    @Test
    void everyAcknowledgedCommitSurvivesAndNoTransactionIsPartial() throws Exception
    {
        final Path config = MemberConfig.write(root.resolve("bulwark.conf"), root.resolve("data"), "pool.size = 4m",
            "journal.fileSize = 2m", "writeDaemon.intervalMs = 50");
        final long baseSeed = Long.getLong("bulwark.seed", System.nanoTime());
        final Random random = new Random(baseSeed);
        Workload.Model state = new Workload.Model();
        long acknowledged = 0;
        for (int kill = 0; kill < KILLS; kill++)
        {
            final long seed = baseSeed + kill;
            final String where = "base seed " + baseSeed + " kill " + kill;
            final ChildJvm child = new ChildJvm(root, CommitChild.class, config.toString(), Long.toString(seed));
            assertNotNull(child.awaitLine("READY", 60_000), where + ": child not ready");
            Thread.sleep(50 + random.nextInt(600));
            assertEquals(137, child.kill(), where);
            final List<String> lines = child.snapshot();
            final long lastAck = CommitVerifier.lastAck(lines);
            final List<String> errors = lines.stream().filter(line -> line.startsWith("ERROR ")).toList();
            assertTrue(errors.isEmpty(), where + ": " + errors);
            acknowledged += lastAck;
            state = CommitVerifier.verifyRecovered(config, state, seed, lastAck, where);
        }
        System.out.println("commit crash test: " + KILLS + " kills, " + acknowledged + " acknowledged transactions, " +
            state.nodes.size() + " nodes at the end");
        assertTrue(acknowledged > KILLS, "the children hardly committed anything: " + acknowledged);
    }
}
