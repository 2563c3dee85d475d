package org.bulwark.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC J-8: each global's updates are applied by one lane in journal order; committed
 * transactions are applied, rolled-back and still-open ones never; large records and full rings
 * keep the order; a failing applier stops the run with the record's position.
 */
class DejournalerTest
{
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));
    private final JournalRecord record = new JournalRecord();
    private long position;
    private long sequence;

    /** What each global should end up with applied, in order: "key=value" or "key killed". */
    private final Map<String, List<String>> expected = new HashMap<>();
    /** What the lanes applied, per global. */
    private final Map<String, List<String>> applied = new ConcurrentHashMap<>();
    /** Which lane applied each global. */
    private final Map<String, Integer> laneOfGlobal = new ConcurrentHashMap<>();

    private JournalRecord encode(final byte type, final long transaction, final String global, final String key,
        final byte[] value)
    {
        final UnsafeBuffer name = new UnsafeBuffer((null == global ? "" : global).getBytes(StandardCharsets.US_ASCII));
        final UnsafeBuffer keyBytes = new UnsafeBuffer(key.getBytes(StandardCharsets.US_ASCII));
        final UnsafeBuffer valueBytes = new UnsafeBuffer(null == value ? new byte[0] : value);
        final int length = JournalRecord.encode(frame, 0, type, 0, sequence++, 0, transaction, JournalRecord.NONE,
            name, 0, null == global ? 0 : name.capacity(), keyBytes, 0, keyBytes.capacity(),
            valueBytes, 0, null == value ? -1 : value.length, null, 0, -1);
        frame.putInt(0, length);
        return record.wrap(frame, 0);
    }

    private RollForward.Applier applier(final int lane, final int failOnCall)
    {
        final int[] calls = new int[1];
        return new RollForward.Applier()
        {
            @Override
            public void set(final int database, final String global, final DirectBuffer key, final int keyOffset,
                final int keyLength, final DirectBuffer value, final int valueOffset, final int valueLength)
            {
                check(global);
                note(global, key.getStringWithoutLengthAscii(keyOffset, keyLength) + "=" +
                    value.getStringWithoutLengthAscii(valueOffset, Math.min(valueLength, 16)) + "/" + valueLength);
            }

            @Override
            public void kill(final int database, final String global, final DirectBuffer key, final int keyOffset,
                final int keyLength)
            {
                check(global);
                note(global, key.getStringWithoutLengthAscii(keyOffset, keyLength) + " killed");
            }

            private void check(final String global)
            {
                if (++calls[0] == failOnCall)
                {
                    throw new IllegalStateException("applier refused " + global);
                }
                final Integer previous = laneOfGlobal.putIfAbsent(global, lane);
                assertTrue(null == previous || previous == lane, global + " applied by lanes " + previous + " and " +
                    lane);
            }

            private void note(final String global, final String what)
            {
                applied.computeIfAbsent(global, g -> new ArrayList<>()).add(what);
            }
        };
    }

    private static String describe(final String key, final byte[] value)
    {
        return null == value ? key + " killed" :
            key + "=" + new String(value, 0, Math.min(value.length, 16), StandardCharsets.US_ASCII) + "/" +
                value.length;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 16})
    void eachGlobalInJournalOrderOnlyCommittedWork(final int lanes)
    {
        final Random random = new Random(lanes);
        // Small rings, so the feeder waits on full rings, and some records beyond a ring message.
        try (Dejournaler dejournaler = new Dejournaler(lanes, lane -> applier(lane, -1), 8192))
        {
            // Every update in journal order with its transaction; what survives is applied in that order.
            final List<Object[]> updates = new ArrayList<>();
            final java.util.Set<Long> open = new java.util.LinkedHashSet<>();
            final java.util.Set<Long> committed = new java.util.HashSet<>();
            long nextTransaction = 1;
            for (int i = 0; i < 20_000; i++)
            {
                final int action = random.nextInt(10);
                if (action < 2 && open.size() < 5)
                {
                    final long t = nextTransaction++;
                    open.add(t);
                    dejournaler.accept(encode(JournalRecord.TYPE_TSTART, t, null, "", null), position++);
                    continue;
                }
                if (action < 3 && !open.isEmpty())
                {
                    final long t = open.iterator().next();
                    open.remove(t);
                    final boolean commit = random.nextInt(4) != 0;
                    if (commit)
                    {
                        committed.add(t);
                    }
                    dejournaler.accept(encode(commit ? JournalRecord.TYPE_TCOMMIT : JournalRecord.TYPE_TROLLBACK, t,
                        null, "", null), position++);
                    continue;
                }
                final String global = "g" + random.nextInt(40);
                final String key = "k" + random.nextInt(100);
                final byte[] value = random.nextInt(8) == 0 ? null : value(random, i);
                final long t = open.isEmpty() || random.nextBoolean() ? 0 :
                    new ArrayList<>(open).get(random.nextInt(open.size()));
                dejournaler.accept(encode(null == value ? JournalRecord.TYPE_KILL : JournalRecord.TYPE_SET, t,
                    global, key, value), position++);
                updates.add(new Object[] {t, global, describe(key, value)});
            }
            // Rolled back and still open: dropped.
            for (final Object[] update : updates)
            {
                final long t = (Long)update[0];
                if (0 == t || committed.contains(t))
                {
                    expected.computeIfAbsent((String)update[1], g -> new ArrayList<>()).add((String)update[2]);
                }
            }
            final Dejournaler.Result result = dejournaler.finish(60_000);
            assertEquals(expected.keySet(), applied.keySet());
            for (final String global : expected.keySet())
            {
                assertEquals(expected.get(global), applied.get(global), "order of " + global);
            }
            assertEquals(result.dispatched(), result.applied() + result.droppedRolledBack() + result.droppedOpen());
            assertTrue(result.droppedRolledBack() > 0 && result.droppedOpen() >= 0, result.toString());
            if (lanes > 1)
            {
                assertTrue(laneOfGlobal.values().stream().distinct().count() > 1, "the globals spread over lanes");
            }
        }
    }

    private static byte[] value(final Random random, final int i)
    {
        // One in fifty beyond a ring message (1 KiB for an 8 KiB ring).
        final byte[] value = new byte[random.nextInt(50) == 0 ? 3000 + random.nextInt(3000) : 1 + random.nextInt(40)];
        final byte[] text = ("v" + i + "-").getBytes(StandardCharsets.US_ASCII);
        for (int b = 0; b < value.length; b++)
        {
            value[b] = text[b % text.length];
        }
        return value;
    }

    @Test
    void aFailingApplierStopsTheRunWithThePosition()
    {
        try (Dejournaler dejournaler = new Dejournaler(2, lane -> applier(lane, 3), 8192))
        {
            final DejournalException ex = assertThrows(DejournalException.class, () ->
            {
                for (int i = 0; i < 100_000; i++)
                {
                    dejournaler.accept(encode(JournalRecord.TYPE_SET, 0, "g" + (i % 7), "k" + i, new byte[] {'x'}),
                        1000 + position++);
                }
                dejournaler.finish(60_000);
            });
            assertTrue(ex.getMessage().matches(".*lane \\d failed at journal position \\d+: .*applier refused.*"),
                ex.getMessage());
        }
    }
}
