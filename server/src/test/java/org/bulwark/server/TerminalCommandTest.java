package org.bulwark.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SPEC V-3 end to end: {@code bulwark terminal} reading a script from standard input prints
 * exactly what the commands write and their errors, keeps what committed across runs, and with
 * {@code --stop-on-error} ends at the first failing line with exit code 1.
 */
class TerminalCommandTest
{
    /** A script over every kind of command, and what it prints (also run over RESP: TerminalOverRespTest). */
    static final String GOLDEN_SCRIPT = String.join("\n",
        "; orders of the day",
        "set ^x(\"a\",1)=\"v\",^x(\"a\",2)=02,^x(\"b\")=\"say \"\"hi\"\"\"",
        "set ^x(1.50)=\"one and a half\",^x(10)=\"ten\"",
        "write ^x",
        "zwrite ^x(\"a\")",
        "write ^x(\"a\",1),\" \",$get(^x(\"c\"),\"none\"),\" \",$data(^x(\"a\")),\" \",$data(^x(\"a\",1))",
        "write $order(^x(\"\")),\" \",$order(^x(\"\"),-1),\" \",$order(^x(\"a\"),-1),\" \",$query(^x)",
        "write $increment(^n),\" \",$increment(^n,5),\" \",$increment(^n,-.5)",
        "write ^x(2)",
        "set ^y=1 write \"after\"",
        "tstart set ^t=1 tstart set ^t=2 write $tlevel",
        "trollback 1 write $get(^t),\" \",$tlevel",
        "tcommit write $tlevel,\" \",^t",
        "write ^t",
        "tstart kill ^x trollback write $data(^x),\" \",$tlevel",
        "lock +^x(\"a\"):1 write $test",
        "lock -^x(\"a\") lock",
        "halt",
        "write \"not reached\"");

    static final String GOLDEN_OUTPUT = String.join("\n",
        "^x(1.5)=\"one and a half\"",
        "^x(10)=\"ten\"",
        "^x(\"a\",1)=\"v\"",
        "^x(\"a\",2)=2",
        "^x(\"b\")=\"say \"\"hi\"\"\"",
        "^x(\"a\",1)=\"v\"",
        "^x(\"a\",2)=2",
        "v none 10 1",
        "1.5 b 10 ^x(1.5)",
        "1 6 5.5",
        "<UNDEFINED> ^x(2)",
        "after",
        "2",
        "1 1",
        "0 1",
        "^t=1",
        "10 0",
        "1",
        "");

    @TempDir
    Path dir;

    private CliRun terminal(final String script, final String... more)
    {
        final String[] args = new String[3 + more.length];
        args[0] = "terminal";
        args[1] = "--data";
        args[2] = dir.resolve("data").toString();
        System.arraycopy(more, 0, args, 3, more.length);
        return CliRun.run(script, args);
    }

    @Test
    void aScriptPrintsWhatItWritesAndNothingElse()
    {
        final CliRun run = terminal(GOLDEN_SCRIPT);
        assertEquals(0, run.code(), run.errors());
        assertEquals(GOLDEN_OUTPUT, run.output());
    }

    @Test
    void syntaxErrorsNameTheColumnAndRunNothingOfTheirLine()
    {
        final CliRun run = terminal(String.join("\n",
            "set ^a=1 set ^b(1=2",
            "write ^a,\"unclosed",
            "frobnicate ^a",
            "set ^a=",
            "write $nope(^a)",
            "write $data(^a)"));
        assertEquals(0, run.code(), run.errors());
        assertEquals(String.join("\n",
            "<SYNTAX> column 18: expected ',' or ')' after subscript 1 of ^b, found '='",
            "<SYNTAX> column 10: string not closed: a '\"' is missing (write \"\" for a quote inside a string)",
            "<SYNTAX> column 1: unknown command 'frobnicate' (help lists them)",
            "<SYNTAX> column 8: expected a value (a \"string\", a number, ^global, $function or a variable), found " +
                "the end of the line",
            "<SYNTAX> column 7: unknown function $nope (the terminal knows $get, $order, $query, $data, " +
                "$increment, $tlevel, $test)",
            "0",
            ""), run.output());
    }

    @Test
    void stopOnErrorEndsTheScriptWithExitCodeOne()
    {
        final CliRun run = terminal(String.join("\n",
            "set ^s(1)=\"kept\"",
            "write ^s(2)",
            "set ^s(3)=\"never\""), "--stop-on-error");
        assertEquals(BulwarkCli.EXIT_FAILED, run.code(), run.errors());
        assertEquals("<UNDEFINED> ^s(2)\n(stopped at line 2)\n", run.output());
        final CliRun again = terminal("zwrite ^s\n");
        assertEquals("^s(1)=\"kept\"\n", again.output());
    }

    @Test
    void anOpenTransactionRollsBackWhenTheScriptEnds()
    {
        final CliRun run = terminal("set ^c=1\ntstart\nset ^c=2\n");
        assertEquals("(the session ends inside a transaction, level 1: rolled back)\n", run.output());
        assertEquals("1\n", terminal("write $get(^c)\n").output());
    }
}
