package org.bulwark.server.terminal;

import org.bulwark.server.Instance;
import org.bulwark.server.InstanceConfig;
import org.bulwark.server.InstanceOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * SPEC V-3, T-1, T-2 through the terminal: two sessions of one member, each with its own
 * interpreter, see each other's commits and not each other's open transactions, and contend for
 * locks with timeouts in seconds.
 */
class TerminalInterpreterTest
{
    @TempDir
    Path dir;

    private Instance instance;
    private Session alice;
    private Session bob;

    /**
     * One terminal session and what it printed.
     */
    private static final class Session
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TerminalBackend backend;
        final TerminalInterpreter interpreter;

        Session(final Instance instance)
        {
            backend = new SessionBackend(instance.openSession(), "test member");
            interpreter = new TerminalInterpreter(backend, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }

        /**
         * @return what the line printed.
         */
        String run(final String line)
        {
            bytes.reset();
            interpreter.execute(line);
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void open() throws Exception
    {
        instance = Instance.open(InstanceConfig.defaults(dir.resolve("data")), new InstanceOptions());
        alice = new Session(instance);
        bob = new Session(instance);
    }

    @AfterEach
    void close() throws Exception
    {
        alice.backend.close();
        bob.backend.close();
        instance.close();
    }

    @Test
    void locksContendWithTimeoutsInSeconds()
    {
        assertEquals("", alice.run("lock +^acct(\"alice\"):1"));
        assertEquals("<LOCK TIMEOUT> ^acct(\"alice\") not locked within .05 s ($test=0)\n",
            bob.run("lock +^acct(\"alice\"):.05"));
        assertEquals("0\n", bob.run("write $test"));
        // A failed lock ends its line.
        assertEquals("<LOCK TIMEOUT> ^acct(\"alice\") not locked within 0 s ($test=0)\n",
            bob.run("lock +^acct(\"alice\"):0 write \"unreached\""));
        // Incremental: alice takes it twice, so one release keeps it.
        assertEquals("", alice.run("lock +^acct(\"alice\"):0 lock -^acct(\"alice\")"));
        assertEquals("<LOCK TIMEOUT> ^acct(\"alice\") not locked within 0 s ($test=0)\n",
            bob.run("lock +^acct(\"alice\"):0"));
        // "lock" alone releases everything.
        assertEquals("", alice.run("lock"));
        assertEquals("1\n", bob.run("lock +^acct(\"alice\"):0 write $test"));
        // "lock ref" without a sign releases what the session holds first.
        assertEquals("", bob.run("lock ^other:0"));
        assertEquals("1\n", alice.run("lock +^acct(\"alice\"):0 write $test"));
        // Shared locks go together, an exclusive one waits for them.
        assertEquals("", alice.run("lock +^s#\"S\":0"));
        assertEquals("", bob.run("lock +^s#\"S\":0"));
        assertEquals("<LOCK TIMEOUT> ^s not locked within 0 s ($test=0)\n", alice.run("lock ^s:0"));
    }

    @Test
    void transactionsAreIsolatedUntilCommitAndPromptShowsTheLevel()
    {
        assertEquals("USER> ", alice.interpreter.prompt());
        alice.run("tstart set ^t(1)=\"pending\"");
        assertEquals("TL1:USER> ", alice.interpreter.prompt());
        assertEquals("<UNDEFINED> ^t(1)\n", alice.run("trollback write ^t(1)"));
        alice.run("tstart set ^t(1)=\"committed\" tstart set ^t(2)=\"inner\" trollback 1");
        assertEquals("1 committed 0\n", alice.run("write $tlevel,\" \",^t(1),\" \",$data(^t(2))"));
        alice.run("tcommit");
        assertEquals("committed\n", bob.run("write ^t(1)"));
        assertEquals("<ROLLBACK> TCOMMIT without a transaction\n", bob.run("tcommit"));
    }

    @Test
    void localsAndCanonicalNumbers()
    {
        assertEquals("", alice.run("set a=1,b=\"two\",n=007.50"));
        assertEquals("a=1\nb=\"two\"\nn=7.5\n", alice.run("zwrite"));
        assertEquals("7.5 none 1 0\n", alice.run("write n,\" \",$get(c,\"none\"),\" \",$data(a),\" \",$data(c)"));
        assertEquals("8.5\n", alice.run("write $increment(n)"));
        assertEquals("", alice.run("set ^g(n)=a,^g(\"8.5\")=\"same subscript\",^g(\"08.5\")=\"a string\""));
        assertEquals("^g(8.5)=\"same subscript\"\n^g(\"08.5\")=\"a string\"\n", alice.run("zwrite ^g"));
        assertEquals("<UNDEFINED> c\n", alice.run("write c"));
        assertEquals("", alice.run("kill a zkill ^g(8.5)"));
        assertEquals("b=\"two\"\nn=8.5\n", alice.run("zwrite"));
        assertNull(alice.backend.get(GlobalRef.of("g", "8.5")));
    }

    @Test
    void errorsNameTheirColumn()
    {
        assertEquals("<SYNTAX> column 10: expected '=' after ^x(...), found ' '\n", alice.run("set ^x(1) =2"));
        assertEquals("<SYNTAX> column 7: expected a global name after '^' (a letter or % first), found '1'\n",
            alice.run("kill ^1x"));
        assertEquals("<SYNTAX> column 21: expected ')' to close $order(, found ','\n",
            alice.run("write $order(^x(1),1,2)"));
        assertEquals("<FUNCTION> direction must be 1 or -1, not '2'\n", alice.run("write $order(^x(1),2)"));
        assertEquals("<SYNTAX> column 12: an unlock takes no timeout\n", alice.run("lock -^x(1):5"));
        assertEquals("<SUBSCRIPT> $order needs a subscript: ^x\n", alice.run("write $order(^x)"));
    }
}
