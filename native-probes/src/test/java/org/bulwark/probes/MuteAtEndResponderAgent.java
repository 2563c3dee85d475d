package org.bulwark.probes;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A faulty responder for one pinger: it welcomes it and acknowledges its stream by count like
 * {@link NetResponderAgent}, but never answers END with the final count (a responder that dies or
 * drops the session between its last count and the final one looks the same to the pinger).
 */
final class MuteAtEndResponderAgent implements Agent
{
    private final Aeron aeron;
    private final Subscription requests;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
    private final UnsafeBuffer control = new UnsafeBuffer(new byte[NetProbeMessages.HEADER_LENGTH]);
    private ExclusivePublication reply;
    private long nonce;
    private boolean welcomeDue;
    private boolean ackDue;
    private long dataMessages;
    private long dataBytes;
    private volatile boolean endSeen;

    MuteAtEndResponderAgent(final Aeron aeron, final Subscription requests)
    {
        this.aeron = aeron;
        this.requests = requests;
    }

    /**
     * @return true once the pinger's END arrived (and went unanswered).
     */
    boolean endSeen()
    {
        return endSeen;
    }

    @Override
    public int doWork()
    {
        int work = requests.poll(assembler, 64);
        if (null != reply && welcomeDue)
        {
            NetProbeMessages.encode(control, NetProbeMessages.WELCOME, (short)0, 0, nonce, 0);
            if (reply.offer(control, 0, NetProbeMessages.HEADER_LENGTH) > 0)
            {
                welcomeDue = false;
                work++;
            }
        }
        else if (null != reply && ackDue)
        {
            NetProbeMessages.encode(control, NetProbeMessages.ACK, (short)0, 0, dataMessages, dataBytes);
            if (reply.offer(control, 0, NetProbeMessages.HEADER_LENGTH) > 0)
            {
                ackDue = false;
                work++;
            }
        }
        return work;
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(reply);
    }

    @Override
    public String roleName()
    {
        return "mute-at-end-responder";
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        switch (NetProbeMessages.type(buffer, offset, length))
        {
            case NetProbeMessages.HELLO:
                final Image image = requests.imageBySessionId(header.sessionId());
                final String source = image.sourceIdentity();
                final String host = source.substring(0, source.lastIndexOf(':'));
                reply = aeron.addExclusivePublication(NetResponderAgent.channel(
                    new NetEndpoint(host, NetProbeMessages.port(buffer, offset))), NetProbeMessages.REPLY_STREAM_ID);
                nonce = NetProbeMessages.number(buffer, offset);
                welcomeDue = true;
                break;
            case NetProbeMessages.DATA:
                dataMessages++;
                dataBytes += length;
                ackDue = true;
                break;
            case NetProbeMessages.END:
                endSeen = true;
                break;
            default:
                break;
        }
    }
}
