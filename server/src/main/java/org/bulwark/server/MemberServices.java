package org.bulwark.server;

import org.bulwark.server.resp.RespConfig;
import org.bulwark.server.resp.RespServer;

import java.util.List;

/**
 * The services {@code bulwark run} starts with a member: one line each.
 */
final class MemberServices
{
    private MemberServices()
    {
    }

    /**
     * @return the services of a member, in start order.
     */
    static List<MemberService> standard()
    {
        // The metrics endpoint is the instance's own (it starts with Instance.open when enabled).
        return List.of(MemberServices::resp);
    }

    /**
     * The RESP client port (V-2) when {@code resp.enabled}.
     */
    private static AutoCloseable resp(final Instance instance) throws Exception
    {
        final RespConfig config = instance.config().respConfig();
        if (!config.enabled())
        {
            return new AutoCloseable()
            {
                @Override
                public void close()
                {
                }

                @Override
                public String toString()
                {
                    return "RESP off (resp.enabled = false)";
                }
            };
        }
        return new RespServer(instance, config).start();
    }
}
