package org.bulwark.replication.agent;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A member on the agent's host that the agent serves (SPEC M-3): where its data directory (with
 * {@code mirror-member.state}, {@code forced-down} and {@code validated-member}) and its journal are.
 *
 * @param journalDirectory  null if the member keeps no journal.
 * @param journalFilePrefix the journal file name prefix: empty for a member's own journal.
 */
public record ServedMember(String name, Path dataDirectory, Path journalDirectory, String journalFilePrefix)
{
    public ServedMember
    {
        Objects.requireNonNull(name, "member name");
        Objects.requireNonNull(dataDirectory, "data directory of member " + name);
        Objects.requireNonNull(journalFilePrefix, "journal file prefix of member " + name);
        if (!AgentProtocol.isValidMemberName(name))
        {
            throw new IllegalArgumentException("member name '" + name + "' must be 1.." +
                AgentProtocol.MAX_NAME_BYTES + " bytes of letters, digits, '-', '_' or '.'");
        }
    }
}
