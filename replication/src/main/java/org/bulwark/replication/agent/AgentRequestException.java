package org.bulwark.replication.agent;

import java.io.IOException;

/**
 * The agent answered a request with an error (an unknown member, a bad argument, a member that would
 * not die): the connection is fine, the request was not carried out.
 */
public final class AgentRequestException extends IOException
{
    private static final long serialVersionUID = 1L;

    public AgentRequestException(final String message)
    {
        super(message);
    }
}
