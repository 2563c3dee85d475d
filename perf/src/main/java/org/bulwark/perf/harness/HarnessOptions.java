package org.bulwark.perf.harness;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of {@link LoadHarness}, parsed and checked: every bad value is reported with the
 * option, the value and what is allowed.
 */
final class HarnessOptions
{
    /** Where results go without {@code --out}: run-harness.sh sets it to perf/target/harness. */
    static final String OUT_PROPERTY = "bulwark.harness.out";
    static final int MAX_KEYS = 999_999_999; // nine digits in key:NNNNNNNNN
    static final int MAX_VALUE_BYTES = 16 << 20;
    static final int MAX_CLIENTS = 10_000;
    static final int MAX_IO_THREADS = 64;
    static final long MAX_RATE = 10_000_000L;
    private static final long MAX_DURATION_NS = TimeUnit.HOURS.toNanos(24);
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)");

    static final String USAGE = String.join("\n",
        "usage: perf/run-harness.sh [jvm options] --target URL [options]",
        "",
        "Drives a RESP server (Bulwark, Redis) or PostgreSQL with N clients and reports latency percentiles",
        "(HdrHistogram; coordinated-omission corrected at a fixed --rate) and throughput.",
        "",
        "  --target URL            resp://HOST:PORT (Bulwark or Redis) or jdbc:postgresql://HOST:PORT/DB?user=U",
        "  --password P            AUTH P after connecting (RESP); the JDBC password otherwise",
        "  --clients N             connections (default 1)",
        "  --duration T            measured time, e.g. 30s, 500ms, 2m (default 30s)",
        "  --warmup T              time before, not recorded (default 5s; 0s for none)",
        "  --rate max|N            max: closed loop, each client sends its next op when the previous replied",
        "                          (latency = reply - send); N: N ops/s in total, spread evenly over the",
        "                          clients on a fixed schedule (latency = reply - intended start) (default max)",
        "  --mix OPS               weights of set, get, incr, multi, e.g. set=50,get=50 (default set=100)",
        "  --value-bytes N         bytes of each SET value (default 100)",
        "  --keys N                keyspace: key:000000000 .. and ctr:000000000 .. (default 100000)",
        "  --wait-replicas N       RESP only: WAIT N after every write op; the op ends with WAIT's reply, and",
        "                          fewer than N replicas count as an error (default: no WAIT)",
        "  --wait-timeout-ms N     WAIT's timeout (default 1000)",
        "  --preload               write every key once before the warm-up (so that GETs hit)",
        "  --io-threads N          RESP only: selector threads driving the connections (default 1)",
        "  --label NAME            names the result files (default from the target, clients and rate)",
        "  --out DIR               writes DIR/NAME.hlog, DIR/NAME.json, DIR/NAME.png (default perf/target/harness)",
        "  --seed N                seed of the key and op choices (default: from the clock)",
        "  --help                  this text",
        "");

    final TargetAddress target;
    final String password;
    final int clients;
    final long durationNs;
    final long warmupNs;
    /** Total target ops/s, 0 for max (closed loop). */
    final long rateOpsPerSec;
    final OpMix mix;
    final int valueBytes;
    final int keys;
    /** 0: no WAIT. */
    final int waitReplicas;
    final long waitTimeoutMs;
    final boolean preload;
    final int ioThreads;
    final String label;
    final Path outDir;
    final long seed;

    private HarnessOptions(final Values v)
    {
        target = TargetAddress.parse(v.required("target"));
        password = v.get("password", null);
        clients = (int)v.number("clients", "1", 1, MAX_CLIENTS);
        durationNs = duration("duration", v.get("duration", "30s"), false);
        warmupNs = duration("warmup", v.get("warmup", "5s"), true);
        final String rate = v.get("rate", "max");
        rateOpsPerSec = rate.equals("max") ? 0 : v.number("rate", rate, 1, MAX_RATE, "max or ");
        mix = OpMix.parse(v.get("mix", "set=100"));
        valueBytes = (int)v.number("value-bytes", "100", 0, MAX_VALUE_BYTES);
        keys = (int)v.number("keys", "100000", 1, MAX_KEYS);
        waitReplicas = v.has("wait-replicas") ? (int)v.number("wait-replicas", null, 1, 1_000) : 0;
        waitTimeoutMs = v.number("wait-timeout-ms", "1000", 1, 3_600_000);
        preload = v.isSet("preload");
        ioThreads = (int)v.number("io-threads", "1", 1, MAX_IO_THREADS);
        seed = v.has("seed") ? v.number("seed", null, Long.MIN_VALUE, Long.MAX_VALUE) : System.nanoTime();
        outDir = Path.of(v.get("out", System.getProperty(OUT_PROPERTY, "target/harness")));
        label = v.has("label") ? checkedLabel(v.get("label", null)) :
            target.labelStem() + "-c" + clients + (rateOpsPerSec == 0 ? "" : "-r" + rateOpsPerSec);
        if (!target.isResp())
        {
            if (v.has("wait-replicas"))
            {
                throw new IllegalArgumentException("--wait-replicas: only for resp:// targets (WAIT is a Redis " +
                    "command); target is " + target.printable());
            }
            if (v.has("io-threads"))
            {
                throw new IllegalArgumentException("--io-threads: only for resp:// targets (JDBC uses a thread " +
                    "per connection); target is " + target.printable());
            }
        }
        if (v.has("wait-timeout-ms") && !v.has("wait-replicas"))
        {
            throw new IllegalArgumentException("--wait-timeout-ms: only with --wait-replicas");
        }
    }

    /**
     * @return the options, or null when {@code --help} was asked for.
     * @throws IllegalArgumentException naming the option, its value and what is allowed.
     */
    static HarnessOptions parse(final String... args)
    {
        final Values values = new Values();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h"))
            {
                return null;
            }
            if (arg.equals("--preload"))
            {
                values.flag("preload");
                continue;
            }
            if (!arg.startsWith("--") || !Values.NAMES.contains(arg.substring(2)))
            {
                throw new IllegalArgumentException("unknown option '" + arg + "' (--help lists them)");
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option '" + arg + "' needs a value (--help lists them)");
            }
            values.put(arg.substring(2), args[++i]);
        }
        return new HarnessOptions(values);
    }

    /**
     * @return nanoseconds of a duration such as {@code 30s}, {@code 500ms}, {@code 2m} or {@code 1.5s}.
     */
    static long duration(final String option, final String text, final boolean zeroAllowed)
    {
        final Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches())
        {
            throw new IllegalArgumentException("--" + option + ": '" + text + "' is not a duration; allowed: a " +
                "number with the unit ms, s or m, e.g. 500ms, 30s, 2m");
        }
        final BigDecimal amount = new BigDecimal(m.group(1));
        final long unitNs = switch (m.group(2))
        {
            case "ms" -> TimeUnit.MILLISECONDS.toNanos(1);
            case "s" -> TimeUnit.SECONDS.toNanos(1);
            default -> TimeUnit.MINUTES.toNanos(1);
        };
        final BigDecimal ns = amount.multiply(BigDecimal.valueOf(unitNs));
        if (ns.compareTo(BigDecimal.valueOf(MAX_DURATION_NS)) > 0)
        {
            throw new IllegalArgumentException("--" + option + ": '" + text + "' is longer than 24 hours");
        }
        final long result = ns.longValue();
        if (result < (zeroAllowed ? 0 : TimeUnit.MILLISECONDS.toNanos(1)))
        {
            throw new IllegalArgumentException("--" + option + ": '" + text + "' is too short; allowed: " +
                (zeroAllowed ? "0s or more" : "1ms or more"));
        }
        return result;
    }

    private static String checkedLabel(final String label)
    {
        if (!label.matches("[A-Za-z0-9._-]{1,200}") || label.startsWith("."))
        {
            throw new IllegalArgumentException("--label: '" + label + "' is not allowed; use 1 to 200 letters, " +
                "digits, '.', '_' or '-', not starting with '.' (it names the result files)");
        }
        return label;
    }

    boolean closedLoop()
    {
        return rateOpsPerSec == 0;
    }

    /**
     * @return the options as given on a command line (for the summary line and errors), without the password.
     */
    String describe()
    {
        return target.printable() + " clients=" + clients + " rate=" + (closedLoop() ? "max" : rateOpsPerSec) +
            " mix=" + mix + " duration=" + TimeUnit.NANOSECONDS.toMillis(durationNs) + "ms";
    }

    /**
     * The raw {@code --name value} pairs, each given at most once.
     */
    private static final class Values
    {
        static final Set<String> NAMES = Set.of("target", "password", "clients", "duration", "warmup", "rate",
            "mix", "value-bytes", "keys", "wait-replicas", "wait-timeout-ms", "io-threads", "label", "out", "seed");

        private final Map<String, String> given = new HashMap<>();
        private final Set<String> flags = new HashSet<>();

        void put(final String name, final String value)
        {
            checkOnce(name);
            given.put(name, value);
        }

        void flag(final String name)
        {
            checkOnce(name);
            flags.add(name);
        }

        private void checkOnce(final String name)
        {
            if (given.containsKey(name) || flags.contains(name))
            {
                throw new IllegalArgumentException("option '--" + name + "' is given twice");
            }
        }

        boolean has(final String name)
        {
            return given.containsKey(name);
        }

        boolean isSet(final String name)
        {
            return flags.contains(name);
        }

        String get(final String name, final String defaultValue)
        {
            return given.getOrDefault(name, defaultValue);
        }

        String required(final String name)
        {
            final String value = given.get(name);
            if (null == value)
            {
                throw new IllegalArgumentException("--" + name + " is required (--help lists the options)");
            }
            return value;
        }

        long number(final String name, final String defaultValue, final long min, final long max)
        {
            return number(name, get(name, defaultValue), min, max, "");
        }

        long number(final String name, final String text, final long min, final long max, final String also)
        {
            final long value;
            try
            {
                value = Long.parseLong(text.strip());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("--" + name + ": '" + text + "' is not allowed; allowed: " +
                    also + "a whole number from " + min + " to " + max);
            }
            if (value < min || value > max)
            {
                throw new IllegalArgumentException("--" + name + ": " + value + " is out of range; allowed: " +
                    also + "a whole number from " + min + " to " + max);
            }
            return value;
        }
    }
}
