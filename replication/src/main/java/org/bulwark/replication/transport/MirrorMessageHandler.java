package org.bulwark.replication.transport;

import org.agrona.DirectBuffer;
import org.bulwark.replication.protocol.MirrorRole;

/**
 * What a {@link MirrorLink} hears from its peer: one callback per message type, called on the thread
 * that calls {@link MirrorLink#poll}, only for well-formed messages from the authenticated peer. Every
 * callback gets the sender's mirror term (SPEC M-10). Positions are journal stream positions.
 */
public interface MirrorMessageHandler
{
    /**
     * A HELLO whose MAC verified with the mirror key and whose mirror name is this link's: from now on the
     * link accepts the peer's other messages from the Aeron session this HELLO came on. Called for every
     * such HELLO, also repeated ones; {@code incarnation} tells a restarted peer apart.
     */
    void onHello(long term, String memberName, long incarnation, MirrorRole role, long journalEnd, long termStart,
        int flags);

    /**
     * A heartbeat.
     *
     * @param sendTimeMs the peer's epoch clock when it sent this.
     */
    void onStatus(long term, MirrorRole role, long journalEnd, long durablePosition, int flags, long sendTimeMs);

    /**
     * Journal bytes; {@code buffer} is Aeron's (or the fragment assembler's) and valid only during the call.
     *
     * @param position where the bytes start in the journal stream.
     */
    void onJournal(long term, long position, DirectBuffer buffer, int offset, int length);

    void onAck(long term, long receivedPosition, long writtenPosition, long durablePosition);

    /**
     * The backup asks for the journal from {@code fromPosition}.
     */
    void onCatchup(long term, long fromPosition);

    /**
     * The primary is stopping or hung: take over once everything up to {@code finalPosition} is here.
     */
    void onTakeover(long term, long finalPosition);

    /**
     * The backup no longer considers itself active.
     */
    void onNotActive(long term);

    /**
     * @param reasonCode one of {@code RefuseMessage.REASON_*}, or another the peer knows.
     */
    void onRefuse(long term, int reasonCode, String text);
}
