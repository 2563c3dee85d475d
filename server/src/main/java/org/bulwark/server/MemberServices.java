package org.bulwark.server;

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
        // The RESP server (instance -> new RespServer(instance)) and the metrics endpoint go here.
        return List.of();
    }
}
