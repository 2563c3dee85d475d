package org.bulwark.server;

/**
 * Something a running member serves besides its sessions: the RESP server, a metrics endpoint.
 * {@code bulwark run} starts each after {@link Instance#open} has recovered, in order, and closes
 * them in reverse order before the instance closes, so that no client is left writing into a
 * closing instance. Its {@code toString()} says where it listens, for {@code bulwark status}.
 */
@FunctionalInterface
public interface MemberService
{
    /**
     * @return the running service, closed at shutdown.
     */
    AutoCloseable start(Instance instance) throws Exception;
}
