package org.bulwark.server;

import org.bulwark.store.BulwarkException;
import org.bulwark.store.MountedDatabase;
import org.bulwark.store.integrity.IntegrityReport;
import org.bulwark.wij.WijRecoveryException;

import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code bulwark demo}: the main job until the server exists. Opens a member on its data
 * directory (WIJ recovery included), runs a short session in the terminal idiom of the seeds
 * through the embedded API, checks integrity, and shuts down cleanly. Run it twice: the second run
 * finds the first run's data.
 */
final class DemoCommand
{
    private final PrintStream out;

    DemoCommand(final PrintStream out)
    {
        this.out = out;
    }

    int run(final InstanceConfig config, final InstanceOptions options)
        throws IOException, WijRecoveryException, InstanceConfig.ConfigException
    {
        out.println("Bulwark demo: data in " + config.dataDirectory().toAbsolutePath());
        try (Instance instance = Instance.open(config, options))
        {
            out.println("WIJ recovery at startup: " + instance.recovery().recoveryCase() + " (" +
                instance.recovery().recoveryCase().description() + ")");
            final BulwarkSession s = instance.session();
            final String runs = s.increment("Demo", "runs");
            show("write $increment(^Demo(\"runs\"))", runs);

            s.set("red", "Demo", "fruit", "apple");
            say("set ^Demo(\"fruit\",\"apple\")=\"red\"");
            s.set("yellow", "Demo", "fruit", "banana");
            say("set ^Demo(\"fruit\",\"banana\")=\"yellow\"");
            s.set("green", "Demo", "fruit", "pear");
            say("set ^Demo(\"fruit\",\"pear\")=\"green\"");
            for (int i = 1; i <= 3; i++)
            {
                s.set(i * i, "Demo", "square", i);
                say("set ^Demo(\"square\"," + i + ")=" + (i * i));
            }
            show("write ^Demo(\"fruit\",\"banana\")", s.getString("Demo", "fruit", "banana"));
            show("write $order(^Demo(\"fruit\",\"\"))", s.order(1, "Demo", "fruit", ""));
            show("write $order(^Demo(\"fruit\",\"apple\"))", s.order(1, "Demo", "fruit", "apple"));
            show("write $order(^Demo(\"fruit\",\"\"),-1)", s.order(-1, "Demo", "fruit", ""));
            show("write $data(^Demo(\"fruit\"))", Integer.toString(s.data("Demo", "fruit")));
            say("zwrite ^Demo");
            zwrite(s);
            s.kill("Demo", "fruit", "pear");
            say("kill ^Demo(\"fruit\",\"pear\")");
            show("write $data(^Demo(\"fruit\",\"pear\"))", Integer.toString(s.data("Demo", "fruit", "pear")));
            s.kill("Demo", "square");
            say("kill ^Demo(\"square\")");
            show("write $query(^Demo)", s.query(1, "Demo"));
            try
            {
                s.get("Demo", "fruit", "pear");
            }
            catch (final BulwarkException ex)
            {
                show("write ^Demo(\"fruit\",\"pear\")", ex.getMessage());
            }
            say("zwrite ^Demo");
            zwrite(s);

            // Transactions (SPEC T-1): a rollback undoes from the journaled old values.
            s.tstart();
            say("tstart");
            s.set("brown", "Demo", "fruit", "apple");
            say("set ^Demo(\"fruit\",\"apple\")=\"brown\"");
            s.set("purple", "Demo", "fruit", "plum");
            say("set ^Demo(\"fruit\",\"plum\")=\"purple\"");
            s.trollback();
            say("trollback");
            show("write ^Demo(\"fruit\",\"apple\")", s.getString("Demo", "fruit", "apple"));
            show("write $data(^Demo(\"fruit\",\"plum\"))", Integer.toString(s.data("Demo", "fruit", "plum")));
            s.tstart();
            say("tstart");
            s.set("purple", "Demo", "fruit", "plum");
            say("set ^Demo(\"fruit\",\"plum\")=\"purple\"");
            s.tcommit();
            say("tcommit   (returns once the journal has it on disk)");
            show("write ^Demo(\"fruit\",\"plum\")", s.getString("Demo", "fruit", "plum"));

            // Locks (SPEC T-2): another session cannot take a lock on the same subtree.
            s.lock(1_000, true, "Demo", "fruit");
            say("lock +^Demo(\"fruit\")");
            try (BulwarkSession other = instance.openSession())
            {
                show("(another session) lock +^Demo(\"fruit\",\"plum\"):0.1",
                    other.tryLock(100, true, "Demo", "fruit", "plum") ? "granted" : "timed out ($test=0)");
                s.unlock(true, "Demo", "fruit");
                say("lock -^Demo(\"fruit\")");
                show("(another session) lock +^Demo(\"fruit\",\"plum\"):0.1",
                    other.tryLock(100, true, "Demo", "fruit", "plum") ? "granted ($test=1)" : "timed out");
            }

            instance.daemon().requestFlush();
            int problems = 0;
            for (final MountedDatabase db : instance.store().databases())
            {
                final IntegrityReport report = instance.store().checkIntegrity(db.name());
                out.print(report.format());
                problems += report.problems().size();
            }
            out.println("Shutting down: changed blocks go through the WIJ to the block files.");
            return problems == 0 ? BulwarkCli.EXIT_OK : BulwarkCli.EXIT_FAILED;
        }
        finally
        {
            out.println("messages.log: " + config.logDirectory().resolve("messages.log").toAbsolutePath());
        }
    }

    private void zwrite(final BulwarkSession s)
    {
        s.scan("Demo", new Object[0], (key, value, offset, length) ->
        {
            final String text = value.getStringWithoutLengthUtf8(offset, length);
            out.println(key + "=" + (text.matches("-?[0-9]+") ? text : "\"" + text.replace("\"", "\"\"") + "\""));
            return true;
        });
    }

    private void say(final String command)
    {
        out.println("USER> " + command);
    }

    private void show(final String command, final String result)
    {
        say(command);
        out.println(result);
    }
}
