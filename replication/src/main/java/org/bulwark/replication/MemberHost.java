package org.bulwark.replication;

import org.bulwark.journal.Journal;

import java.io.IOException;

/**
 * What mirroring needs from the member it runs in (the server's composition root implements it):
 * the journal, and the few role changes only the member can make on its databases and clients.
 * Replication never learns about the store (ARCHITECTURE.md).
 */
public interface MemberHost
{
    /**
     * @return the member's journal: a primary's records, a backup's copy of the primary's.
     */
    Journal journal();

    /**
     * Refuse client updates with {@code <PROTECT>} and this reason (a backup, a member starting or
     * stopping). Reads go on.
     */
    void protect(String reason);

    /**
     * Follow the journal as a backup: apply what arrives in it to the databases (start the
     * dejournaler if it is not running).
     */
    void follow() throws IOException;

    /**
     * @return the position up to which the databases hold the journal's updates (a backup's next
     * record to dejournal); a primary's journal end.
     */
    long appliedPosition();

    /**
     * Take over as primary in {@code term}: apply every record already in the journal, journal the
     * term's marker, roll back transactions the former primary left open, accept client updates.
     *
     * @throws IOException if the member cannot (dejournaling failed or is stuck): it stays protected.
     */
    void becomePrimary(long term, String mirrorName, String memberName) throws IOException;

    /**
     * This member must stop: it stopped being primary because another member is (a higher term), or
     * it cannot go on safely. The host logs the reason and shuts the member down.
     */
    void shutDown(String reason);
}
