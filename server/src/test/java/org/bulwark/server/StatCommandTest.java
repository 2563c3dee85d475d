package org.bulwark.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bulwark stat} (SPEC V-5) against a running member: through the command line entry in
 * this JVM and from a separate JVM, which has nothing of the member but its counters file.
 */
class StatCommandTest
{
    private static final Pattern COMMITS_ROW = Pattern.compile("(?m)^\\s*0\\s+commits\\s+([0-9,]+)\\s*(\\S*)$");

    @TempDir
    Path dir;

    private Path config() throws Exception
    {
        return CliRun.memberConfig(dir, "pool.size = 4m", "journal.fileSize = 1m", "metrics.intervalMs = 50");
    }

    @Test
    void onceShowsTheCountersOfTheRunningMember() throws Exception
    {
        try (Instance instance = Instance.open(InstanceConfig.load(config()), new InstanceOptions()))
        {
            final BulwarkSession session = instance.openSession();
            for (int i = 0; i < 3; i++)
            {
                session.set("v", "a", i);
            }
            final CliRun run = CliRun.run("", CliRun.withConfig(config(), "stat", "--once"));
            assertEquals(BulwarkCli.EXIT_OK, run.code(), run.errors());
            assertTrue(run.output().contains("pid " + ProcessHandle.current().pid()), run.output());
            final Matcher commits = COMMITS_ROW.matcher(run.output());
            assertTrue(commits.find(), run.output());
            assertEquals("3", commits.group(1));
            assertEquals("-", commits.group(2), "no rate before a second refresh");
            for (final String label : List.of("journal syncs", "write daemon cycles", "dirty blocks",
                "pool frames total", "open sessions", "lock timeouts", "commit latency p99 (us)",
                "journal sync p50 (us)", "write daemon cycle p99 (us)"))
            {
                assertTrue(run.output().contains(label), label + " in\n" + run.output());
            }
            assertFalse(run.output().contains("\u001b["), "no terminal control codes when not on a terminal");
        }
    }

    @Test
    void successiveBlocksShowRates() throws Exception
    {
        try (Instance instance = Instance.open(InstanceConfig.load(config()), new InstanceOptions()))
        {
            instance.openSession().set("v", "a", 1);
            final CliRun run = CliRun.run("", CliRun.withConfig(config(), "stat", "--count", "2", "--interval", "20"));
            assertEquals(BulwarkCli.EXIT_OK, run.code(), run.errors());
            final Matcher commits = COMMITS_ROW.matcher(run.output());
            assertTrue(commits.find(), run.output());
            assertEquals("-", commits.group(2));
            assertTrue(commits.find(), "a second block:\n" + run.output());
            assertTrue(commits.group(2).matches("[0-9,]+\\.[0-9]"), "a rate: " + commits.group(2));
            assertFalse(commits.find(), "exactly two blocks");
        }
    }

    @Test
    void noMemberRunningIsAClearError() throws Exception
    {
        Instance.open(InstanceConfig.load(config()), new InstanceOptions()).close();
        final CliRun run = CliRun.run("", CliRun.withConfig(config(), "stat", "--once"));
        assertEquals(BulwarkCli.EXIT_FAILED, run.code(), run.output());
        assertTrue(run.errors().contains("no member is running on " + dir.resolve("data").toAbsolutePath()),
            run.errors());

        final CliRun bad = CliRun.run("", CliRun.withConfig(config(), "stat", "--interval", "soon"));
        assertEquals(BulwarkCli.EXIT_USAGE, bad.code());
        assertTrue(bad.errors().contains("--interval needs a positive whole number"), bad.errors());
    }

    @Test
    void anotherJvmReadsTheCounters() throws Exception
    {
        try (Instance instance = Instance.open(InstanceConfig.load(config()), new InstanceOptions()))
        {
            final BulwarkSession session = instance.openSession();
            session.set("v", "a", 1);
            session.set("w", "a", 2);
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (final String flag : System.getProperty("bulwark.jvm.flags", "").split("\\s+"))
            {
                if (!flag.isBlank())
                {
                    command.add(flag);
                }
            }
            command.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), BulwarkCli.class.getName(),
                "stat", "--data", dir.resolve("data").toString(), "--once"));
            final Path output = dir.resolve("stat-output.txt");
            final Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
            if (!child.waitFor(20, TimeUnit.SECONDS))
            {
                child.destroyForcibly();
                fail("bulwark stat did not end within 20 s: " + Files.readString(output, StandardCharsets.UTF_8));
            }
            final String text = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(BulwarkCli.EXIT_OK, child.exitValue(), text);
            final Matcher commits = COMMITS_ROW.matcher(text);
            assertTrue(commits.find(), text);
            assertEquals("2", commits.group(1), text);
        }
    }
}
