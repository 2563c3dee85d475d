package org.bulwark.perf.harness;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One connection's requests, encoded once into reusable direct buffers: per op kind the whole
 * request (for MULTI: MULTI, three SETs and EXEC; with {@code --wait-replicas}: WAIT after a
 * write) with fixed-width key fields. Preparing an op writes the random key digits in place, so
 * steady state allocates nothing.
 *
 * <pre>
 *   SET:  *3 $3 SET $13 key:NNNNNNNNN $100 vvvv...             replies: 1 (+1 with WAIT)
 *   GET:  *2 $3 GET $13 key:NNNNNNNNN                           replies: 1
 *   INCR: *2 $4 INCR $13 ctr:NNNNNNNNN                          replies: 1 (+1 with WAIT)
 *   MULTI: MULTI, SET key:N.. v.., SET .., SET .., EXEC          replies: 5 (+1 with WAIT)
 * </pre>
 * (each element followed by CRLF; NNNNNNNNN is the key number in nine digits, as
 * {@code key:000012345}).
 */
final class RespRequests
{
    static final int KEY_DIGITS = 9;
    static final String KEY_PREFIX = "key:";
    static final String COUNTER_PREFIX = "ctr:";
    private static final int MULTI_SETS = 3;

    private final ByteBuffer[] requests = new ByteBuffer[OpKind.count()];
    private final int[][] keyOffsets = new int[OpKind.count()][];
    private final int[] replies = new int[OpKind.count()];
    private final boolean waits;
    private final int keys;
    private final ByteBuffer plainSet;
    private final int plainSetKeyOffset;

    /**
     * @param waitReplicas 0 for no WAIT after write ops.
     */
    RespRequests(final int valueBytes, final int keys, final int waitReplicas, final long waitTimeoutMs)
    {
        this.keys = keys;
        this.waits = waitReplicas > 0;
        final byte[] value = value(valueBytes);
        final byte[] wait = waits ? command("WAIT", Integer.toString(waitReplicas), Long.toString(waitTimeoutMs)) :
            new byte[0];
        for (int i = 0; i < OpKind.count(); i++)
        {
            final OpKind kind = OpKind.of(i);
            final Encoder encoder = new Encoder();
            switch (kind)
            {
                case SET -> encoder.set(value);
                case GET -> encoder.keyCommand("GET", KEY_PREFIX);
                case INCR -> encoder.keyCommand("INCR", COUNTER_PREFIX);
                case MULTI ->
                {
                    encoder.bytes(command("MULTI"));
                    for (int s = 0; s < MULTI_SETS; s++)
                    {
                        encoder.set(value);
                    }
                    encoder.bytes(command("EXEC"));
                }
                default -> throw new IllegalStateException(kind.name());
            }
            int count = kind == OpKind.MULTI ? MULTI_SETS + 2 : 1;
            if (waits && kind.isWrite())
            {
                encoder.bytes(wait);
                count++;
            }
            final byte[] bytes = encoder.out.toByteArray();
            requests[i] = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            keyOffsets[i] = encoder.keyOffsets.stream().mapToInt(Integer::intValue).toArray();
            replies[i] = count;
        }
        final Encoder encoder = new Encoder();
        encoder.set(value);
        final byte[] bytes = encoder.out.toByteArray();
        plainSet = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        plainSetKeyOffset = encoder.keyOffsets.get(0);
    }

    /**
     * @return the request of that kind with random keys, positioned to be written.
     */
    ByteBuffer prepare(final OpKind kind, final SplittableRandom random)
    {
        final ByteBuffer request = requests[kind.ordinal()];
        for (final int offset : keyOffsets[kind.ordinal()])
        {
            writeDigits(request, offset, random.nextInt(keys));
        }
        return request.clear();
    }

    /**
     * @return a SET of key number {@code key} without WAIT (preload), positioned to be written.
     */
    ByteBuffer prepareSet(final int key)
    {
        writeDigits(plainSet, plainSetKeyOffset, key);
        return plainSet.clear();
    }

    /**
     * @return the length of a SET request without WAIT (preload sizes its batches with it).
     */
    int plainSetBytes()
    {
        return plainSet.capacity();
    }

    /**
     * @return how many replies the request of that kind gets.
     */
    int replies(final OpKind kind)
    {
        return replies[kind.ordinal()];
    }

    /**
     * @return whether the last reply to that kind is WAIT's.
     */
    boolean endsWithWait(final OpKind kind)
    {
        return waits && kind.isWrite();
    }

    static void writeDigits(final ByteBuffer buffer, final int offset, final int number)
    {
        int rest = number;
        for (int i = KEY_DIGITS - 1; i >= 0; i--)
        {
            buffer.put(offset + i, (byte)('0' + rest % 10));
            rest /= 10;
        }
    }

    /**
     * @return the key as text, {@code key:000012345}: the JDBC driver's key of every op, so without
     *         {@code String.format} (which parses its format string each time).
     */
    static String keyName(final String prefix, final int number)
    {
        final char[] name = new char[prefix.length() + KEY_DIGITS];
        prefix.getChars(0, prefix.length(), name, 0);
        int rest = number;
        for (int i = name.length - 1; i >= prefix.length(); i--)
        {
            name[i] = (char)('0' + rest % 10);
            rest /= 10;
        }
        return new String(name);
    }

    private static byte[] value(final int valueBytes)
    {
        final byte[] value = new byte[valueBytes];
        for (int i = 0; i < valueBytes; i++)
        {
            value[i] = (byte)('a' + i % 26);
        }
        return value;
    }

    static byte[] command(final String... parts)
    {
        final Encoder encoder = new Encoder();
        encoder.header('*', parts.length);
        for (final String part : parts)
        {
            encoder.bulk(part.getBytes(StandardCharsets.US_ASCII));
        }
        return encoder.out.toByteArray();
    }

    /**
     * Builds a request once, at setup, noting where the key digits go.
     */
    private static final class Encoder
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Integer> keyOffsets = new ArrayList<>();

        void set(final byte[] value)
        {
            header('*', 3);
            bulk("SET".getBytes(StandardCharsets.US_ASCII));
            key(KEY_PREFIX);
            bulk(value);
        }

        void keyCommand(final String name, final String prefix)
        {
            header('*', 2);
            bulk(name.getBytes(StandardCharsets.US_ASCII));
            key(prefix);
        }

        void key(final String prefix)
        {
            header('$', prefix.length() + KEY_DIGITS);
            bytes(prefix.getBytes(StandardCharsets.US_ASCII));
            keyOffsets.add(out.size());
            bytes("0".repeat(KEY_DIGITS).getBytes(StandardCharsets.US_ASCII));
            bytes(new byte[] {'\r', '\n'});
        }

        void header(final char type, final int count)
        {
            bytes((type + Integer.toString(count) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }

        void bulk(final byte[] data)
        {
            header('$', data.length);
            bytes(data);
            bytes(new byte[] {'\r', '\n'});
        }

        void bytes(final byte[] data)
        {
            out.write(data, 0, data.length);
        }
    }
}
