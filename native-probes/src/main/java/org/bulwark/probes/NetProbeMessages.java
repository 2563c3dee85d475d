package org.bulwark.probes;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The messages of {@code bulwark probe net} (SPEC P-2), one Aeron message each, little-endian:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |    Version    |     Type      |             Flags             |
 *  +---------------+---------------+-------------------------------+
 *  |                             Port                              |
 *  +---------------------------------------------------------------+
 *  |                            Number                             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                             Value                             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Padding up to the probe's --size            ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <table>
 * <caption>fields by type</caption>
 * <tr><th>type</th><th>direction</th><th>port</th><th>number</th><th>value</th><th>flags</th></tr>
 * <tr><td>HELLO</td><td>pinger to responder</td><td>reply port</td><td>nonce</td><td></td><td></td></tr>
 * <tr><td>WELCOME</td><td>responder to pinger</td><td></td><td>the nonce</td><td></td>
 *     <td>{@link #FLAG_VIRTUAL_HOST}</td></tr>
 * <tr><td>PING</td><td>both: echoed byte for byte</td><td></td><td>sequence</td><td>time due, ns</td><td></td></tr>
 * <tr><td>DATA</td><td>pinger to responder</td><td></td><td>sequence</td><td></td><td></td></tr>
 * <tr><td>END</td><td>pinger to responder</td><td></td><td>DATA messages sent</td><td>their bytes</td><td></td></tr>
 * <tr><td>ACK</td><td>responder to pinger</td><td></td><td>DATA messages received</td><td>their bytes</td>
 *     <td>{@link #FLAG_FINAL}: the answer to END</td></tr>
 * <tr><td>BYE</td><td>pinger to responder</td><td></td><td></td><td></td><td></td></tr>
 * </table>
 *
 * The pinger's first message is HELLO, carrying the UDP port its answers go to; the responder sends
 * them to that port at the address the HELLO came from (so only the pinger's port, never its address,
 * needs configuring, and a pinger behind one address translation still gets its answers if the port
 * is forwarded). A responder answers HELLO with its own version: the HELLO layout never changes, so
 * the two sides can always tell that they disagree. There is no checksum: nothing here is stored, UDP
 * checks every datagram, and a probe that spent CPU on checksums would measure them.
 */
final class NetProbeMessages
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final byte VERSION = 1;

    static final int VERSION_OFFSET = 0;
    static final int TYPE_OFFSET = 1;
    static final int FLAGS_OFFSET = 2;
    static final int PORT_OFFSET = 4;
    static final int NUMBER_OFFSET = 8;
    static final int VALUE_OFFSET = 16;
    static final int HEADER_LENGTH = 24;

    static final byte HELLO = 1;
    static final byte WELCOME = 2;
    static final byte PING = 3;
    static final byte DATA = 4;
    static final byte END = 5;
    static final byte ACK = 6;
    static final byte BYE = 7;

    static final short FLAG_VIRTUAL_HOST = 1;
    static final short FLAG_FINAL = 1;

    /** Aeron stream of the pinger's messages to the responder. */
    static final int REQUEST_STREAM_ID = 0x42574e50; // "BWNP"
    /** Aeron stream of the responder's answers. */
    static final int REPLY_STREAM_ID = REQUEST_STREAM_ID + 1;

    private NetProbeMessages()
    {
    }

    /**
     * Write a header; the bytes after it up to the message's length are left as they are.
     */
    static void encode(final MutableDirectBuffer buffer, final byte type, final short flags, final int port,
        final long number, final long value)
    {
        buffer.putByte(VERSION_OFFSET, VERSION);
        buffer.putByte(TYPE_OFFSET, type);
        buffer.putShort(FLAGS_OFFSET, flags, ORDER);
        buffer.putInt(PORT_OFFSET, port, ORDER);
        buffer.putLong(NUMBER_OFFSET, number, ORDER);
        buffer.putLong(VALUE_OFFSET, value, ORDER);
    }

    static byte version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + VERSION_OFFSET);
    }

    /**
     * @return the type, or 0 for a message too short to have one.
     */
    static byte type(final DirectBuffer buffer, final int offset, final int length)
    {
        return length < HEADER_LENGTH ? 0 : buffer.getByte(offset + TYPE_OFFSET);
    }

    static short flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + FLAGS_OFFSET, ORDER);
    }

    static int port(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PORT_OFFSET, ORDER);
    }

    static long number(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + NUMBER_OFFSET, ORDER);
    }

    static long value(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + VALUE_OFFSET, ORDER);
    }
}
