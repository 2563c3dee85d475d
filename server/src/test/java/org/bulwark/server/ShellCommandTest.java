package org.bulwark.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC T-1, T-2 at the command line: {@code bulwark shell} runs transactions and locks from a
 * script; what commits stays across runs, what rolls back does not; bad lines are reported with
 * their number and the session goes on.
 */
class ShellCommandTest
{
    @TempDir
    Path dir;

    private String output;

    private int shell(final String script)
    {
        final CliRun run = CliRun.run(script, "shell", "--data", dir.resolve("data").toString());
        output = run.output();
        return run.code();
    }

    @Test
    void transactionsAndLocksFromAScript()
    {
        assertEquals(0, shell(String.join("\n",
            "; a comment",
            "set ^acct(\"alice\") 100",
            "tstart",
            "set ^acct(\"alice\") 40",
            "set ^acct(\"bob\") 60",
            "tstart",
            "incr ^acct(\"fee\") 1",
            "trollback 1",
            "data ^acct(\"fee\")",
            "tcommit",
            "tstart",
            "kill ^acct",
            "trollback",
            "zwrite ^acct",
            "lock ^acct(\"alice\") 0",
            "lock ^acct(\"alice\") 0 shared",
            "unlockall",
            "tstart",
            "set ^acct(\"carol\") 1",
            "")));
        assertEquals(String.join("\n",
            "$tlevel=1",
            "$tlevel=2",
            "1",
            "$tlevel=1",
            "0",
            "$tlevel=0",
            "$tlevel=1",
            "$tlevel=0",
            "^acct(\"alice\")=40",
            "^acct(\"bob\")=60",
            "$test=1",
            "$test=1",
            "$tlevel=1",
            "(the session ends with an open transaction: rolled back)",
            ""), output);

        assertEquals(1, shell("data ^acct(\"carol\")\nget ^acct(\"bob\")\nset ^acct(1 2\nget ^acct(\"alice\")\n"));
        assertEquals(String.join("\n", "0", "60",
            "<ERROR> line 3: subscript '1 2' is neither a number nor a \"string\"",
            "40", ""), output);
    }
}
