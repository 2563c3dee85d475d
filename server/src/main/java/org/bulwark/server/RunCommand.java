package org.bulwark.server;

import org.agrona.CloseHelper;
import org.bulwark.common.log.MessageLog;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code bulwark run}: a member in the foreground until SIGTERM (or Ctrl-C). It opens the
 * instance (recovery), starts the {@link MemberService}s, writes {@code bulwark.pid} and waits;
 * the JVM's shutdown hook then closes the services and the instance — sessions disconnected, the
 * last write daemon cycle written, the WIJ marked clean, the journal synced — and only then lets
 * the process exit. {@code bulwark start} runs this in a detached child; systemd may run it directly.
 */
final class RunCommand
{
    static final String SUBSYSTEM = "DAEMON";
    /** Instance.close may wait up to 10 minutes for a write daemon cycle; the hook waits a little longer. */
    private static final long SHUTDOWN_WAIT_MS = TimeUnit.MINUTES.toMillis(11);

    private final PrintStream out;
    private final List<MemberService> services;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile int exitCode = BulwarkCli.EXIT_FAILED;

    RunCommand(final PrintStream out, final List<MemberService> services)
    {
        this.out = out;
        this.services = List.copyOf(services);
    }

    /**
     * @param configFile the configuration file, for status (null if none).
     */
    int run(final InstanceConfig config, final InstanceOptions options, final Path configFile) throws Exception
    {
        final long startedMs = System.currentTimeMillis();
        final Instance instance = Instance.open(config, options);
        final MessageLog log = instance.log();
        final List<AutoCloseable> running = new ArrayList<>();
        final Path pidFile = PidFile.path(config.dataDirectory());
        boolean served = false;
        try
        {
            final List<String> descriptions = new ArrayList<>();
            for (final MemberService service : services)
            {
                final AutoCloseable started = service.start(instance);
                running.add(started);
                descriptions.add(started.toString());
                log.info(SUBSYSTEM, "started " + started);
                out.println("bulwark: serving " + started + " (data " + config.dataDirectory().toAbsolutePath() + ")");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(this::shutdownHook, "bulwark-shutdown"));
            new PidFile(ProcessHandle.current().pid(), startedMs, config.dataDirectory().toAbsolutePath().toString(),
                null == configFile ? "" : configFile.toAbsolutePath().toString(),
                config.logDirectory().resolve(MessageLog.FILE_NAME).toAbsolutePath().toString(),
                StartCommand.consoleLog(config).toAbsolutePath().toString(), descriptions).write(pidFile);
            log.info(SUBSYSTEM, "member ready: pid " + ProcessHandle.current().pid() + ", " + running.size() +
                " service(s); SIGTERM (bulwark stop) shuts it down cleanly");
            out.println("bulwark: member ready, pid " + ProcessHandle.current().pid() + ", data " +
                config.dataDirectory().toAbsolutePath());
            out.flush();
            stopRequested.await();
            served = true;
            log.info(SUBSYSTEM, "shutdown requested (SIGTERM or interrupt): closing " + running.size() +
                " service(s), then the instance");
        }
        finally
        {
            try
            {
                for (int i = running.size() - 1; i >= 0; i--)
                {
                    CloseHelper.quietClose(running.get(i));
                }
                instance.close();
                Files.deleteIfExists(pidFile);
                if (served)
                {
                    exitCode = BulwarkCli.EXIT_OK;
                    out.println("bulwark: stopped cleanly");
                    out.flush();
                }
            }
            finally
            {
                stopped.countDown();
            }
        }
        return BulwarkCli.EXIT_OK;
    }

    /**
     * Runs at SIGTERM: wakes the main thread, which closes everything, and holds the JVM until it
     * has (a returned hook lets the JVM halt under a half-closed instance).
     */
    private void shutdownHook()
    {
        stopRequested.countDown();
        try
        {
            // The JVM exits when the hooks end: hold it until the shutdown is done, then exit with its
            // status (a JVM ended by SIGTERM would otherwise report 143 after a clean shutdown).
            if (stopped.await(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS))
            {
                out.flush();
                Runtime.getRuntime().halt(exitCode);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
