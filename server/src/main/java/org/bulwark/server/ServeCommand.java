package org.bulwark.server;

import org.bulwark.server.resp.RespConfig;
import org.bulwark.server.resp.RespServer;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bulwark serve}: run a member in the foreground with its RESP port until SIGTERM or Ctrl-C,
 * then shut down gracefully (clients disconnected and rolled back, blocks written, WIJ clean).
 */
final class ServeCommand
{
    private static final long SHUTDOWN_WAIT_MS = TimeUnit.MINUTES.toMillis(5);

    private final PrintStream out;

    ServeCommand(final PrintStream out)
    {
        this.out = out;
    }

    int run(final InstanceConfig config, final InstanceOptions options) throws Exception
    {
        final RespConfig resp = config.respConfig();
        if (!resp.enabled())
        {
            throw new IllegalArgumentException("resp.enabled is false: there is nothing to serve");
        }
        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicInteger exitCode = new AtomicInteger(BulwarkCli.EXIT_FAILED);
        final AtomicBoolean serving = new AtomicBoolean();
        final Thread hook = new Thread(() ->
        {
            if (!serving.get())
            {
                return; // startup failed, or the JVM exits for another reason: the caller's exit code stands
            }
            stop.countDown();
            try
            {
                // The JVM exits when the hooks end: hold it until the shutdown below is done, then
                // exit with its status (a JVM ended by SIGTERM would otherwise report 143).
                if (stopped.await(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS))
                {
                    out.flush();
                    Runtime.getRuntime().halt(exitCode.get());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "bulwark-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Instance instance = Instance.open(config, options))
        {
            try (RespServer server = new RespServer(instance, resp).start())
            {
                out.println("bulwark: serving RESP on " + resp.bind() + ":" + server.port() + " (data " +
                    config.dataDirectory().toAbsolutePath() + "); SIGTERM or Ctrl-C stops");
                out.flush();
                serving.set(true);
                stop.await();
                out.println("bulwark: shutting down");
                out.flush();
            }
            exitCode.set(BulwarkCli.EXIT_OK);
        }
        finally
        {
            out.println(exitCode.get() == BulwarkCli.EXIT_OK ? "bulwark: stopped cleanly" :
                "bulwark: stopped after an error");
            out.flush();
            stopped.countDown();
        }
        return exitCode.get();
    }
}
