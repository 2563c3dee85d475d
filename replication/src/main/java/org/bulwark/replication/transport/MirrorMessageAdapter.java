package org.bulwark.replication.transport;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.bulwark.common.log.MessageLog;
import org.bulwark.replication.auth.MirrorKey;
import org.bulwark.replication.protocol.AckMessage;
import org.bulwark.replication.protocol.HelloMessage;
import org.bulwark.replication.protocol.JournalMessage;
import org.bulwark.replication.protocol.MessageFlyweight;
import org.bulwark.replication.protocol.MessageType;
import org.bulwark.replication.protocol.NotActiveMessage;
import org.bulwark.replication.protocol.PositionMessage;
import org.bulwark.replication.protocol.RefuseMessage;
import org.bulwark.replication.protocol.RejectReason;
import org.bulwark.replication.protocol.StatusMessage;

/**
 * Decodes whole mirror messages (after Aeron's fragment assembly) into {@link MirrorMessageHandler}
 * calls, and decides which to believe. A message is checked against its layout before any field is read;
 * a HELLO must carry a MAC made with the mirror key and this link's mirror name; every other message must
 * come on the Aeron session of the last such HELLO. A restarted peer publishes on a new session, so its
 * messages are dropped until its own HELLO arrives. Whatever is thrown away is counted by reason and
 * logged ({@link RejectionLog}); nothing here throws, and nothing allocates for a STATUS, JOURNAL or ACK.
 * Used by the thread that polls the link, only.
 */
final class MirrorMessageAdapter implements FragmentHandler
{
    private final MirrorMessageHandler handler;
    private final MirrorKey key;
    private final String mirrorName;
    private final MirrorLinkCounters counters;
    private final RejectionLog rejectionLog;
    private final MessageLog log;
    private final String linkName;

    private final HelloMessage hello = new HelloMessage();
    private final StatusMessage status = new StatusMessage();
    private final JournalMessage journal = new JournalMessage();
    private final AckMessage ack = new AckMessage();
    private final PositionMessage position = new PositionMessage();
    private final NotActiveMessage notActive = new NotActiveMessage();
    private final RefuseMessage refuse = new RefuseMessage();

    private long nowNs;
    private long lastHeardNs;
    private boolean authenticated;
    private int peerSessionId;
    private long peerIncarnation;
    private String peerMemberName;

    MirrorMessageAdapter(
        final MirrorMessageHandler handler,
        final MirrorKey key,
        final String mirrorName,
        final MirrorLinkCounters counters,
        final MessageLog log,
        final String linkName,
        final long nowNs)
    {
        this.handler = handler;
        this.key = key;
        this.mirrorName = mirrorName;
        this.counters = counters;
        this.log = log;
        this.linkName = linkName;
        this.rejectionLog = new RejectionLog(log, linkName);
        this.nowNs = nowNs;
        this.lastHeardNs = nowNs;
    }

    /**
     * Set the time that messages polled next are stamped with ({@link #lastHeardNs()}).
     */
    void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    long lastHeardNs()
    {
        return lastHeardNs;
    }

    boolean authenticated()
    {
        return authenticated;
    }

    long peerIncarnation()
    {
        return peerIncarnation;
    }

    String peerMemberName()
    {
        return peerMemberName;
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int sessionId = header.sessionId();
        if (length < MessageFlyweight.HEADER_LENGTH)
        {
            reject(RejectReason.TOO_SHORT, -1, length, sessionId);
            return;
        }
        final short typeCode = MessageFlyweight.type(buffer, offset);
        final MessageType type = MessageType.of(typeCode);
        if (null == type)
        {
            reject(RejectReason.UNKNOWN_TYPE, typeCode, length, sessionId);
            return;
        }
        if (MessageFlyweight.version(buffer, offset) != MessageFlyweight.VERSION)
        {
            reject(RejectReason.UNSUPPORTED_VERSION, typeCode, length, sessionId);
            return;
        }
        final MessageFlyweight message = flyweight(type).wrap(buffer, offset, length);
        final RejectReason malformed = message.check();
        if (null != malformed)
        {
            reject(malformed, typeCode, length, sessionId);
            return;
        }
        if (type == MessageType.HELLO)
        {
            onHello(sessionId);
            return;
        }
        if (!authenticated || sessionId != peerSessionId)
        {
            reject(RejectReason.UNAUTHENTICATED, typeCode, length, sessionId);
            return;
        }
        lastHeardNs = nowNs;
        counters.received(length);
        dispatch(type, message.term());
    }

    private void dispatch(final MessageType type, final long term)
    {
        switch (type)
        {
            case STATUS:
                handler.onStatus(term, status.role(), status.journalEnd(), status.durablePosition(), status.flags(),
                    status.sendTimeMs());
                break;
            case JOURNAL:
                counters.add(MirrorLinkCounter.JOURNAL_BYTES_RECEIVED, journal.dataLength());
                handler.onJournal(term, journal.position(), journal.buffer(), journal.dataOffset(),
                    journal.dataLength());
                break;
            case ACK:
                handler.onAck(term, ack.receivedPosition(), ack.writtenPosition(), ack.durablePosition());
                break;
            case CATCHUP:
                handler.onCatchup(term, position.position());
                break;
            case TAKEOVER:
                handler.onTakeover(term, position.position());
                break;
            case NOT_ACTIVE:
                handler.onNotActive(term);
                break;
            case REFUSE:
                handler.onRefuse(term, refuse.reasonCode(), refuse.text());
                break;
            default:
                throw new IllegalStateException("no dispatch for " + type); // HELLO is handled before
        }
    }

    private void onHello(final int sessionId)
    {
        if (!hello.macVerifies(key))
        {
            reject(RejectReason.BAD_MAC, MessageType.HELLO.code(), hello.length(), sessionId);
            return;
        }
        final String helloMirror = hello.mirrorName();
        if (!mirrorName.equalsIgnoreCase(helloMirror))
        {
            reject(RejectReason.WRONG_MIRROR, MessageType.HELLO.code(), hello.length(), sessionId);
            return;
        }
        final String memberName = hello.memberName();
        final long incarnation = hello.incarnation();
        if (!authenticated || sessionId != peerSessionId || incarnation != peerIncarnation)
        {
            final String message = "link " + linkName + ": peer " + memberName + " authenticated (incarnation " +
                Long.toHexString(incarnation) + ", Aeron session " + sessionId + ", role " + hello.role() + ")";
            if (null == log)
            {
                System.err.println(message);
            }
            else
            {
                log.info(MirrorDriver.LOG_SUBSYSTEM, message);
            }
        }
        authenticated = true;
        peerSessionId = sessionId;
        peerIncarnation = incarnation;
        peerMemberName = memberName;
        lastHeardNs = nowNs;
        counters.received(hello.length());
        handler.onHello(hello.term(), memberName, incarnation, hello.role(), hello.journalEnd(), hello.termStart(),
            hello.flags());
    }

    private MessageFlyweight flyweight(final MessageType type)
    {
        switch (type)
        {
            case HELLO:
                return hello;
            case STATUS:
                return status;
            case JOURNAL:
                return journal;
            case ACK:
                return ack;
            case CATCHUP:
            case TAKEOVER:
                return position;
            case NOT_ACTIVE:
                return notActive;
            default:
                return refuse;
        }
    }

    private void reject(final RejectReason reason, final int typeCode, final int length, final int sessionId)
    {
        rejectionLog.rejected(reason, counters.reject(reason), typeCode, length, sessionId, nowNs);
    }
}
