package org.bulwark.probes;

import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The responder side of {@code bulwark probe net} (SPEC P-2): its own embedded media driver and the
 * {@link NetResponderAgent} on a thread of its own, until closed.
 */
public final class NetResponder implements AutoCloseable
{
    private final ProbeDriver driver;
    private final NetResponderAgent agent;
    private final AgentRunner runner;

    private NetResponder(final ProbeDriver driver, final NetResponderAgent agent, final AgentRunner runner)
    {
        this.driver = driver;
        this.agent = agent;
        this.runner = runner;
    }

    /**
     * Start a driver under {@link ProbeDriver#defaultBase()} and answer probes on {@code listen}.
     *
     * @param answerTimeoutNs how long an answer may wait for a pinger (see {@link NetResponderAgent}).
     * @param log             where pingers' arrivals and summaries are printed, or null.
     */
    public static NetResponder start(final NetEndpoint listen, final NetIdle idle, final long answerTimeoutNs,
        final PrintStream log) throws ProbeException
    {
        return start(ProbeDriver.defaultBase(), listen, idle, answerTimeoutNs, HostFacts.system(), log);
    }

    static NetResponder start(final Path driverBase, final NetEndpoint listen, final NetIdle idle,
        final long answerTimeoutNs, final HostFacts host, final PrintStream log) throws ProbeException
    {
        final NanoClock clock = SystemNanoClock.INSTANCE;
        final ProbeDriver driver = ProbeDriver.launch(driverBase, "responder", idle);
        try
        {
            final NetResponderAgent agent =
                new NetResponderAgent(driver.aeron(), listen, host, answerTimeoutNs, clock, log);
            final AgentRunner runner = new AgentRunner(idle.newStrategy(),
                ex -> System.err.println("probe responder: " + ex), null, agent);
            AgentRunner.startOnThread(runner);
            return new NetResponder(driver, agent, runner);
        }
        catch (final ProbeException | RuntimeException ex)
        {
            driver.close();
            throw ex;
        }
    }

    /**
     * @return where pingers reach this responder (the port is the one bound, also when 0 was asked).
     */
    public NetEndpoint endpoint()
    {
        return agent.endpoint();
    }

    public Path driverDirectory()
    {
        return driver.directory();
    }

    /**
     * Stop the agent's thread, close its publications and subscription, then the driver, and delete the
     * driver's directory.
     */
    @Override
    public void close()
    {
        CloseHelper.quietClose(runner);
        driver.close();
    }
}
