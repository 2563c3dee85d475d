package org.bulwark.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded fuzzing of the request parser (SPEC E-1): valid frames (checked to parse back exactly),
 * mutated valid frames and random bytes, each fed in random pieces, on "connections" of several
 * frames. The parser may only ever answer with a request, "need more", or its protocol error, and
 * its own arrays never grow past the configured limits. The seed is printed on failure; replay with
 * {@code -Dbulwark.fuzz.seed=N}.
 */
class RespParserFuzzTest
{
    private static final int CI_FRAMES = 100_000;
    private static final int SOAK_FRAMES = 5_000_000;
    private static final byte[] RESP_BYTES = "*$\r\n0123456789-+ \"'\\x".getBytes(StandardCharsets.US_ASCII);

    private final RespConfig config = new RespConfig().maxBulkBytes(64).maxArrayLength(8).maxInlineBytes(64)
        .maxRequestBytes(400);

    @Test
    void parserOnlyAnswersRequestsOrItsProtocolError()
    {
        fuzz(CI_FRAMES);
    }

    @Test
    void soak()
    {
        Assumptions.assumeTrue(Boolean.getBoolean("bulwark.soak"), "soak run only with -Dbulwark.soak=true");
        fuzz(SOAK_FRAMES);
    }

    private void fuzz(final int frames)
    {
        final long seed = Long.getLong("bulwark.fuzz.seed", System.nanoTime());
        try
        {
            final Stats stats = run(new Random(seed), frames);
            System.out.println("fuzz seed " + seed + ": " + stats);
            assertTrue(stats.parsed > frames / 4 && stats.protocolErrors > frames / 20, stats.toString());
        }
        catch (final Throwable ex)
        {
            throw new AssertionError("parser fuzz failed with seed " + seed + " (replay: -Dbulwark.fuzz.seed=" + seed +
                "): " + ex, ex);
        }
    }

    private static final class Stats
    {
        long parsed;
        long verified;
        long protocolErrors;

        @Override
        public String toString()
        {
            return parsed + " requests parsed (" + verified + " checked against their frame), " + protocolErrors +
                " protocol errors";
        }
    }

    private Stats run(final Random random, final int frames)
    {
        final Stats stats = new Stats();
        int frame = 0;
        while (frame < frames)
        {
            // One connection: a parser and its buffer, until a protocol error closes it.
            final RespParser parser = new RespParser(config);
            final ByteBuf buffer = Unpooled.buffer();
            final List<List<byte[]>> expected = new ArrayList<>();
            boolean clean = true;
            final int connectionFrames = 1 + random.nextInt(20);
            try
            {
                for (int f = 0; f < connectionFrames && frame < frames; f++, frame++)
                {
                    final List<byte[]> args = new ArrayList<>();
                    final byte[] bytes = frame(random, args);
                    final int kind = random.nextInt(10);
                    final byte[] input;
                    if (kind < 4)
                    {
                        input = bytes;
                        expected.add(args);
                    }
                    else if (kind < 8)
                    {
                        input = mutate(random, bytes);
                        clean = false;
                    }
                    else
                    {
                        input = randomBytes(random);
                        clean = false;
                    }
                    int fed = 0;
                    while (fed < input.length)
                    {
                        final int piece = Math.min(input.length - fed, 1 + random.nextInt(input.length));
                        buffer.writeBytes(input, fed, piece);
                        fed += piece;
                        RespCommand command;
                        while (null != (command = parser.parse(buffer)))
                        {
                            stats.parsed++;
                            checkLimits(parser, command);
                            if (clean)
                            {
                                assertFalse(expected.isEmpty(), "a request parsed that was never sent");
                                assertRequest(expected.remove(0), command);
                                stats.verified++;
                            }
                        }
                        checkLimits(parser, null);
                    }
                    if (clean)
                    {
                        assertTrue(expected.isEmpty(), "a whole valid frame did not parse");
                    }
                }
            }
            catch (final RespProtocolException ex)
            {
                assertTrue(ex.getMessage().startsWith("Protocol error: "), ex.getMessage());
                stats.protocolErrors++;
            }
            finally
            {
                buffer.release();
            }
        }
        return stats;
    }

    private void checkLimits(final RespParser parser, final RespCommand command)
    {
        assertTrue(parser.argumentCapacity() <= config.maxArrayLength(), "argument arrays of " +
            parser.argumentCapacity() + " past the limit of " + config.maxArrayLength());
        assertTrue(parser.inlineCapacity() <= config.maxInlineBytes(), "inline buffer of " +
            parser.inlineCapacity() + " past the limit of " + config.maxInlineBytes());
        if (null != command)
        {
            assertTrue(command.argc() >= 1 && command.argc() <= config.maxArrayLength());
            for (int i = 0; i < command.argc(); i++)
            {
                assertTrue(command.length(i) <= config.maxBulkBytes());
            }
        }
    }

    private static void assertRequest(final List<byte[]> expected, final RespCommand command)
    {
        assertEquals(expected.size(), command.argc());
        for (int i = 0; i < expected.size(); i++)
        {
            final byte[] actual = new byte[command.length(i)];
            command.source().getBytes(command.offset(i), actual);
            assertArrayEquals(expected.get(i), actual, "argument " + i);
        }
    }

    /**
     * @return a valid request (a RESP array, or an inline line of plain words), its arguments in {@code args}.
     */
    private byte[] frame(final Random random, final List<byte[]> args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int count = 1 + random.nextInt(config.maxArrayLength());
        if (random.nextInt(5) == 0)
        {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < Math.min(count, 4); i++)
            {
                final StringBuilder word = new StringBuilder();
                for (int j = 0, n = 1 + random.nextInt(8); j < n; j++)
                {
                    word.append((char)('a' + random.nextInt(26)));
                }
                args.add(word.toString().getBytes(StandardCharsets.US_ASCII));
                line.append(i == 0 ? "" : " ").append(word);
            }
            out.writeBytes(line.append(random.nextBoolean() ? "\r\n" : "\n").toString()
                .getBytes(StandardCharsets.US_ASCII));
            return out.toByteArray();
        }
        out.writeBytes(("*" + count + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < count; i++)
        {
            final byte[] arg = new byte[random.nextInt(config.maxBulkBytes() / 2)];
            random.nextBytes(arg);
            args.add(arg);
            out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(arg);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    private static byte[] mutate(final Random random, final byte[] frame)
    {
        byte[] bytes = frame;
        for (int m = 0, n = 1 + random.nextInt(3); m < n && bytes.length > 0; m++)
        {
            final int at = random.nextInt(bytes.length);
            switch (random.nextInt(6))
            {
                case 0: // flip a byte
                    bytes[at] ^= (byte)(1 << random.nextInt(8));
                    break;
                case 1: // a protocol character where it does not belong
                    bytes[at] = RESP_BYTES[random.nextInt(RESP_BYTES.length)];
                    break;
                case 2: // delete
                    final byte[] shorter = new byte[bytes.length - 1];
                    System.arraycopy(bytes, 0, shorter, 0, at);
                    System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                    bytes = shorter;
                    break;
                case 3: // insert
                    final byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, at);
                    longer[at] = RESP_BYTES[random.nextInt(RESP_BYTES.length)];
                    System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                    bytes = longer;
                    break;
                case 4: // truncate
                    bytes = Arrays.copyOf(bytes, at);
                    break;
                default: // a huge or negative number
                    final byte[] number = (random.nextBoolean() ? "99999999999" : "-" + random.nextInt(100))
                        .getBytes(StandardCharsets.US_ASCII);
                    final byte[] spliced = new byte[bytes.length + number.length];
                    System.arraycopy(bytes, 0, spliced, 0, at);
                    System.arraycopy(number, 0, spliced, at, number.length);
                    System.arraycopy(bytes, at, spliced, at + number.length, bytes.length - at);
                    bytes = spliced;
                    break;
            }
        }
        return bytes;
    }

    private static byte[] randomBytes(final Random random)
    {
        final byte[] bytes = new byte[random.nextInt(100)];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = random.nextBoolean() ? RESP_BYTES[random.nextInt(RESP_BYTES.length)] : (byte)random.nextInt();
        }
        return bytes;
    }
}
