package org.bulwark.server;

import org.bulwark.server.metrics.MetricsConfig;
import org.bulwark.replication.AckLevel;
import org.bulwark.replication.MirrorConfig;
import org.bulwark.store.DatabaseConfig;
import org.bulwark.store.GlobalMapping;
import org.bulwark.store.StoreConfig;
import org.bulwark.wij.DatasetLocation;
import org.bulwark.wij.WijConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The instance configuration: one file of {@code key = value} lines ({@code #} starts a comment).
 * Every key is documented in {@link #KEYS}; sizes take {@code k}, {@code m}, {@code g} suffixes.
 * An unknown key or a bad value is an error naming the file, line and key (SPEC E-2).
 *
 * <pre>
 * data.directory = /var/lib/bulwark
 * databases = MAIN, ARCHIVE
 * database.ARCHIVE.directory = /srv/archive
 * database.ARCHIVE.maxSize = 10g
 * map.Log* = ARCHIVE
 * wij.directory = /fast/wij
 * </pre>
 */
public final class InstanceConfig
{
    /**
     * The documented keys: name (with {@code <NAME>} or {@code <pattern>} placeholders), default, meaning.
     */
    public static final String[][] KEYS = {
        {"data.directory", "./data", "base directory: databases, WIJ and messages.log live below it by default"},
        {"databases", "MAIN", "comma-separated database names; the first is the default for unmapped globals"},
        {"database.<NAME>.directory", "<data.directory>/<name>", "directory of the database's bulwark.dat"},
        {"database.<NAME>.blockSize", "8k", "block size at creation: 4k, 8k or 16k"},
        {"database.<NAME>.initialSize", "1m", "size at creation"},
        {"database.<NAME>.expansion", "8m", "growth step (S-4)"},
        {"database.<NAME>.maxSize", "0", "maximum size, 0 for no limit (S-4)"},
        {"database.<NAME>.readOnly", "false", "refuse writes with <PROTECT>"},
        {"map.default", "<first database>", "database of globals no other mapping names"},
        {"map.<pattern>", "", "database of a global name, or of names starting with a prefix ending in *"},
        {"pool.size", "64m", "off-heap buffer pool for changed blocks (S-3); counts against direct memory"},
        {"value.maxSize", "1m", "longest value (G-4), at most 16m"},
        {"wij.directory", "<data.directory>/wij", "wijdir: where bulwark.wij and MISMATCH.WIJ live (W-3)"},
        {"wij.targetSize", "0", "targwijsz: space reserved for the WIJ up front, 0 to grow as needed (W-3)"},
        {"wij.compareTimeLimitMs", "10000", "time bound of the block comparison after a crash (W-5)"},
        {"wij.restoreThreads", "4", "datasets restored in parallel (W-4)"},
        {"writeDaemon.intervalMs", "1000", "write daemon cycle interval (W-1)"},
        {"writeDaemon.dirtyThresholdPercent", "25", "share of the pool dirty that starts a cycle at once (W-1)"},
        {"log.directory", "<data.directory>", "where messages.log is written (W-8)"},
        {"journal.enabled", "true", "journal every update (J-1); off only for scratch data"},
        {"journal.directory", "<data.directory>/journal", "where journal files and journal.log live (J-2)"},
        {"journal.fileSize", "64m", "journal files are preallocated to this size and switched when full (J-2)"},
        {"journal.syncMethod", "fdatasync", "fdatasync (positional writes + fdatasync) or dsync (O_DSYNC) (J-3)"},
        {"journal.committerSyncs", "true",
            "an event loop that finds the journal idle syncs it itself (two fewer wake-ups per lone commit)"},
        {"journal.bufferSize", "32m", "in-memory tail of the journal, a power of two"},
        {"journal.freezeTimeoutMs", "10000", "how long callers wait on a frozen journal before <JOURNAL FROZEN> (J-6)"},
        {"journal.asyncFlushIntervalMs", "10", "asynchronous commits are durable within this (J-4)"},
        {"commit.mode", "sync", "sync: an update or TCOMMIT returns once durable; async: at once (J-4)"},
        {"metrics.enabled", "false", "serve Prometheus text at http://<metrics.bind>:<metrics.port>/metrics (V-5)"},
        {"metrics.bind", "127.0.0.1", "address the metrics endpoint listens on"},
        {"metrics.port", "9180", "port of the metrics endpoint, 0 for any free port"},
        {"metrics.intervalMs", "1000", "latency percentiles in the counters file and /metrics cover this long"},
        {"resp.enabled", "true", "serve the RESP client protocol (V-2) when the member runs as a server"},
        {"resp.port", "6380", "RESP TCP port (6380, not Redis's 6379, so both can run on one host); 0 = any"},
        {"resp.ioThreads", "0", "event-loop threads serving RESP connections, 0 = half the processors (at least 1)"},
        {"resp.bind", "127.0.0.1", "RESP listen address; any other than loopback needs auth.password"},
        {"resp.global", "redis", "the global holding plain keys: SET k v is set ^redis(\"k\")=\"v\""},
        {"resp.maxBulkBytes", "2m", "longest bulk string in a request (E-1)"},
        {"resp.maxArrayLength", "65536", "most elements in a request array (E-1)"},
        {"resp.maxInlineBytes", "64k", "longest inline command line (E-1)"},
        {"resp.maxRequestBytes", "64m", "most bytes of one whole request (E-1)"},
        {"auth.user", "default", "user name for AUTH user password / HELLO AUTH (V-7)"},
        {"auth.password", "", "password clients must give (AUTH); empty: no authentication"},
        {"tls.enabled", "false", "TLS on the RESP port (V-7)"},
        {"tls.certificate", "", "PEM certificate chain of the RESP port"},
        {"tls.privateKey", "", "PEM PKCS#8 private key of the RESP port"},
        {"mirror.name", "", "the mirror this member belongs to (M-1); empty: not mirrored"},
        {"mirror.member", "", "this member's name in the mirror; one of the mirror.member.<NAME>.address names"},
        {"mirror.member.<NAME>.address", "", "host:port (UDP) where failover member NAME receives mirror traffic"},
        {"mirror.member.<NAME>.agent", "", "host:port (TCP) of the agent on failover member NAME's host (M-3)"},
        {"mirror.keyFile", "<data.directory>/mirror.key", "the mirror's shared key, the same file on every member " +
            "and agent (bulwark mirror keygen FILE)"},
        {"mirror.ackLevel", "written", "what the backup's acknowledgement means: received, written or durable (M-6)"},
        {"mirror.idleStrategy", "backoff", "how mirror threads wait: backoff, yield (a core each, lowest latency) or " +
            "sleep"},
        {"mirror.hooks", "", "class implementing org.bulwark.replication.MirrorHooks, called at mirror events (M-20)"},
        {"mirror.qosTimeoutMs", "8000", "mirror waits for another member end after 1/2 to 1 times this (M-7); see " +
            "bulwark probe net"},
        {"mirror.compression", "system", "journal data sent to other members: system, none, lz4 or zstd (M-18); " +
            "see bulwark probe net"},
    };

    private final Path source;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    private InstanceConfig(final Path source)
    {
        this.source = source;
    }

    /**
     * @return the defaults with the data directory given.
     */
    public static InstanceConfig defaults(final Path dataDirectory)
    {
        final InstanceConfig config = new InstanceConfig(null);
        config.values.put("data.directory", dataDirectory.toString());
        return config;
    }

    /**
     * Read and validate a configuration file.
     *
     * @throws ConfigException naming the file, line and key of the first problem.
     */
    public static InstanceConfig load(final Path file) throws IOException, ConfigException
    {
        final InstanceConfig config = new InstanceConfig(file);
        final List<String> text = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < text.size(); i++)
        {
            final String line = text.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int eq = line.indexOf('=');
            if (eq <= 0)
            {
                throw new ConfigException(file + " line " + (i + 1) + ": expected 'key = value', found '" + line + "'");
            }
            final String key = line.substring(0, eq).strip();
            final String value = line.substring(eq + 1).strip();
            if (!isKnown(key))
            {
                throw new ConfigException(file + " line " + (i + 1) + ": unknown key '" + key + "'");
            }
            if (config.values.containsKey(key))
            {
                throw new ConfigException(file + " line " + (i + 1) + ": key '" + key + "' already set on line " +
                    config.lines.get(key));
            }
            config.values.put(key, value);
            config.lines.put(key, i + 1);
        }
        config.storeConfig(); // validate everything now, not at first use
        config.wijConfig();
        config.journalConfig();
        config.asyncCommit();
        config.metricsConfig();
        config.respConfig();
        config.mirrorQosTimeoutMs();
        config.mirrorCompression();
        return config;
    }

    /**
     * Override one setting (command-line options).
     */
    public InstanceConfig set(final String key, final String value) throws ConfigException
    {
        if (!isKnown(key))
        {
            throw new ConfigException("unknown configuration key '" + key + "'");
        }
        values.put(key, value);
        return this;
    }

    private static boolean isKnown(final String key)
    {
        for (final String[] k : KEYS)
        {
            final String pattern = k[0];
            if (pattern.equals(key))
            {
                return true;
            }
            if (pattern.startsWith("mirror.member.<NAME>.") && key.startsWith("mirror.member.") &&
                key.endsWith(pattern.substring("mirror.member.<NAME>".length())) &&
                key.length() > pattern.length() - "<NAME>".length())
            {
                return true;
            }
            if (pattern.startsWith("database.<NAME>.") && key.startsWith("database.") &&
                key.endsWith(pattern.substring("database.<NAME>".length())) &&
                key.length() > pattern.length() - "<NAME>".length())
            {
                return true;
            }
        }
        return key.startsWith("map.") && key.length() > 4;
    }

    public Path dataDirectory()
    {
        return Path.of(values.getOrDefault("data.directory", "./data"));
    }

    public Path logDirectory()
    {
        final String v = values.get("log.directory");
        return null == v ? dataDirectory() : Path.of(v);
    }

    /**
     * @return database names in order.
     */
    public List<String> databaseNames() throws ConfigException
    {
        final List<String> names = new ArrayList<>();
        for (final String n : values.getOrDefault("databases", "MAIN").split(","))
        {
            final String name = n.strip();
            if (name.isEmpty() || !name.matches("[A-Za-z][A-Za-z0-9_-]{0,63}"))
            {
                throw error("databases", "'" + name + "' is not a database name (letter first, then letters, digits, " +
                    "- or _, at most 64)");
            }
            if (names.stream().anyMatch(existing -> existing.equalsIgnoreCase(name)))
            {
                throw error("databases", "database " + name + " is listed twice");
            }
            names.add(name);
        }
        for (final String key : values.keySet())
        {
            if (key.startsWith("database."))
            {
                final String name = key.substring("database.".length(), key.lastIndexOf('.'));
                if (names.stream().noneMatch(existing -> existing.equals(name)))
                {
                    throw error(key, "database " + name + " is not in 'databases'");
                }
            }
        }
        return names;
    }

    public Path databaseDirectory(final String name)
    {
        final String v = values.get("database." + name + ".directory");
        return null == v ? dataDirectory().resolve(name.toLowerCase(Locale.ROOT)) : Path.of(v);
    }

    public List<DatasetLocation> datasetLocations() throws ConfigException
    {
        final List<DatasetLocation> locations = new ArrayList<>();
        for (final String name : databaseNames())
        {
            locations.add(new DatasetLocation(name, databaseDirectory(name).toAbsolutePath()));
        }
        return locations;
    }

    /**
     * @return the store's configuration (databases, mapping, pool, limits).
     */
    public StoreConfig storeConfig() throws ConfigException
    {
        final StoreConfig config = new StoreConfig();
        final List<String> names = databaseNames();
        for (final String name : names)
        {
            final DatabaseConfig db = new DatabaseConfig(name, databaseDirectory(name).toAbsolutePath());
            try
            {
                db.blockSizeBytes((int)size("database." + name + ".blockSize", "8k"));
            }
            catch (final IllegalArgumentException ex)
            {
                throw error("database." + name + ".blockSize", ex.getMessage());
            }
            db.initialSizeBytes(size("database." + name + ".initialSize", "1m"));
            final long expansion = size("database." + name + ".expansion", "8m");
            if (expansion <= 0)
            {
                throw error("database." + name + ".expansion", "must be positive");
            }
            db.expansionBytes(expansion);
            db.maxSizeBytes(size("database." + name + ".maxSize", "0"));
            db.readOnly(bool("database." + name + ".readOnly", false));
            config.addDatabase(db);
        }
        final String defaultDb = values.getOrDefault("map.default", names.get(0));
        checkDatabase("map.default", defaultDb, names);
        final GlobalMapping mapping = new GlobalMapping(defaultDb);
        for (final Map.Entry<String, String> e : values.entrySet())
        {
            if (e.getKey().startsWith("map.") && !e.getKey().equals("map.default"))
            {
                checkDatabase(e.getKey(), e.getValue(), names);
                try
                {
                    mapping.map(e.getKey().substring(4), e.getValue());
                }
                catch (final RuntimeException ex)
                {
                    throw error(e.getKey(), ex.getMessage());
                }
            }
        }
        config.mapping(mapping);
        config.poolSizeBytes(size("pool.size", "64m"));
        try
        {
            config.maxValueBytes((int)Math.min(Integer.MAX_VALUE, size("value.maxSize", "1m")));
        }
        catch (final IllegalArgumentException ex)
        {
            throw error("value.maxSize", ex.getMessage());
        }
        return config;
    }

    public WijConfig wijConfig() throws ConfigException
    {
        final String dir = values.get("wij.directory");
        final WijConfig config = new WijConfig((null == dir ? dataDirectory().resolve("wij") : Path.of(dir))
            .toAbsolutePath());
        try
        {
            config.targetSizeBytes(size("wij.targetSize", "0"));
            config.compareTimeLimitMs(number("wij.compareTimeLimitMs", 10_000, 0, 3_600_000));
            config.restoreThreads((int)number("wij.restoreThreads", 4, 1, 64));
            config.cycleIntervalMs(number("writeDaemon.intervalMs", 1_000, 1, 3_600_000));
            config.dirtyThresholdPercent((int)number("writeDaemon.dirtyThresholdPercent", 25, 1, 90));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(where() + ex.getMessage());
        }
        return config;
    }

    /**
     * @return the journal's configuration, or null if journaling is off.
     */
    public org.bulwark.journal.JournalConfig journalConfig() throws ConfigException
    {
        if (!bool("journal.enabled", true))
        {
            return null;
        }
        final String dir = values.get("journal.directory");
        final org.bulwark.journal.JournalConfig config = new org.bulwark.journal.JournalConfig(
            (null == dir ? dataDirectory().resolve("journal") : Path.of(dir)).toAbsolutePath());
        try
        {
            config.fileSizeBytes(size("journal.fileSize", "64m"));
            final long buffer = size("journal.bufferSize", "32m");
            if (buffer > Integer.MAX_VALUE)
            {
                throw error("journal.bufferSize", "at most 1g");
            }
            config.bufferBytes((int)buffer);
            config.freezeTimeoutMs(number("journal.freezeTimeoutMs", 10_000, 1, 3_600_000));
            config.asyncFlushIntervalMs(number("journal.asyncFlushIntervalMs", 10, 1, 60_000));
            config.committerSyncs(bool("journal.committerSyncs", true));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(where() + ex.getMessage());
        }
        final String method = values.getOrDefault("journal.syncMethod", "fdatasync").strip().toLowerCase(Locale.ROOT);
        switch (method)
        {
            case "fdatasync":
                config.syncMethod(org.bulwark.journal.JournalConfig.SyncMethod.FDATASYNC);
                break;
            case "dsync":
                config.syncMethod(org.bulwark.journal.JournalConfig.SyncMethod.DSYNC);
                break;
            default:
                throw error("journal.syncMethod", "'" + method + "' is not fdatasync or dsync");
        }
        return config;
    }

    /**
     * @return true if updates outside transactions and commits return before they are durable.
     */
    public boolean asyncCommit() throws ConfigException
    {
        final String mode = values.getOrDefault("commit.mode", "sync").strip().toLowerCase(Locale.ROOT);
        if (!mode.equals("sync") && !mode.equals("async"))
        {
            throw error("commit.mode", "'" + mode + "' is not sync or async");
        }
        return mode.equals("async");
    }

    /**
     * @return the metrics settings (the counters file is always written; the endpoint only if enabled).
     */
    public MetricsConfig metricsConfig() throws ConfigException
    {
        final String bind = values.getOrDefault("metrics.bind", MetricsConfig.DEFAULT_BIND).strip();
        if (bind.isEmpty())
        {
            throw error("metrics.bind", "must name an address, such as 127.0.0.1 or 0.0.0.0");
        }
        if (!isAddress(bind))
        {
            throw error("metrics.bind", "'" + bind + "' is not an IP address or a host name");
        }
        return new MetricsConfig(
            bool("metrics.enabled", false),
            bind,
            (int)number("metrics.port", MetricsConfig.DEFAULT_PORT, 0, 65_535),
            (int)number("metrics.intervalMs", MetricsConfig.DEFAULT_INTERVAL_MS, 10, 3_600_000));
    }

    /**
     * Checks the form only: no name lookup while a configuration is validated (a slow resolver
     * would stall startup and every tool); the endpoint names the address it cannot bind.
     */
    private static boolean isAddress(final String text)
    {
        if (text.matches("[0-9.]+"))
        {
            final String[] octets = text.split("\\.", -1);
            if (octets.length != 4)
            {
                return false;
            }
            for (final String octet : octets)
            {
                if (octet.isEmpty() || octet.length() > 3 || Integer.parseInt(octet) > 255)
                {
                    return false;
                }
            }
            return true;
        }
        if (text.contains(":"))
        {
            if (Character.digit(text.charAt(0), 16) == -1 && text.charAt(0) != ':')
            {
                return false; // the JDK would look that up as a host name
            }
            try
            {
                InetAddress.getByName(text); // an IPv6 literal is parsed, never looked up
                return true;
            }
            catch (final UnknownHostException ex)
            {
                return false;
            }
        }
        return text.length() <= 253 &&
            text.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
    }

    /**
     * @return the RESP server's settings, validated (a non-loopback bind needs a password).
     */
    public org.bulwark.server.resp.RespConfig respConfig() throws ConfigException
    {
        final org.bulwark.server.resp.RespConfig config = new org.bulwark.server.resp.RespConfig();
        config.enabled(bool("resp.enabled", true));
        config.port((int)number("resp.port", org.bulwark.server.resp.RespConfig.DEFAULT_PORT, 0, 65_535));
        config.ioThreads((int)number("resp.ioThreads", 0, 0, 1024));
        config.bind(values.getOrDefault("resp.bind", org.bulwark.server.resp.RespConfig.DEFAULT_BIND).strip());
        final String global = values.getOrDefault("resp.global", org.bulwark.server.resp.RespConfig.DEFAULT_GLOBAL)
            .strip();
        try
        {
            org.bulwark.store.GlobalKey.validateName(global);
        }
        catch (final RuntimeException ex)
        {
            throw error("resp.global", ex.getMessage());
        }
        config.global(global);
        config.maxBulkBytes((int)boundedSize("resp.maxBulkBytes", "2m", 1 << 30));
        config.maxArrayLength((int)number("resp.maxArrayLength", 65_536, 1, 1 << 24));
        config.maxInlineBytes((int)boundedSize("resp.maxInlineBytes", "64k", 1 << 30));
        config.maxRequestBytes(boundedSize("resp.maxRequestBytes", "64m", 1L << 40));
        config.authUser(values.getOrDefault("auth.user", "default").strip());
        config.authPassword(values.getOrDefault("auth.password", "").strip());
        final String certificate = values.getOrDefault("tls.certificate", "").strip();
        final String key = values.getOrDefault("tls.privateKey", "").strip();
        final boolean tls = bool("tls.enabled", false);
        if (tls && certificate.isEmpty())
        {
            throw error("tls.certificate", "tls.enabled is true but no certificate file is given");
        }
        if (tls && key.isEmpty())
        {
            throw error("tls.privateKey", "tls.enabled is true but no private key file is given");
        }
        config.tls(tls, certificate.isEmpty() ? null : Path.of(certificate), key.isEmpty() ? null : Path.of(key));
        if (config.enabled())
        {
            try
            {
                config.validate();
            }
            catch (final IllegalArgumentException ex)
            {
                throw error(ex.getMessage().startsWith("tls") ? "tls.enabled" : "resp.bind", ex.getMessage());
            }
        }
        return config;
    }

    /**
     * @return the mirror configuration (M-1, M-5..M-7), or null if this member is not mirrored.
     * @throws ConfigException naming the key that is missing or wrong.
     */
    public MirrorConfig mirrorConfig() throws ConfigException
    {
        final String mirror = values.getOrDefault("mirror.name", "").strip();
        if (mirror.isEmpty())
        {
            return null;
        }
        if (!mirror.matches("[A-Za-z_][A-Za-z0-9_-]{0,31}"))
        {
            throw error("mirror.name", "'" + mirror + "' is not a mirror name (a letter or _ first, then letters, " +
                "digits, - or _, at most 32)");
        }
        final String self = values.getOrDefault("mirror.member", "").strip();
        if (self.isEmpty())
        {
            throw error("mirror.member", "a mirrored member needs its own name");
        }
        final List<MirrorConfig.Member> members = new ArrayList<>();
        for (final Map.Entry<String, String> e : values.entrySet())
        {
            final String key = e.getKey();
            if (key.startsWith("mirror.member.") && key.endsWith(".address"))
            {
                final String name = key.substring("mirror.member.".length(), key.length() - ".address".length());
                if (!name.matches("[A-Za-z][A-Za-z0-9_-]{0,31}"))
                {
                    throw error(key, "'" + name + "' is not a member name (a letter first, then letters, digits, " +
                        "- or _)");
                }
                final String[] address = hostPort(key, e.getValue(), -1);
                final String agentKey = "mirror.member." + name + ".agent";
                final String[] agent = hostPort(agentKey, values.getOrDefault(agentKey, address[0] + ":2188"), 2188);
                members.add(new MirrorConfig.Member(name, address[0], Integer.parseInt(address[1]), agent[0],
                    Integer.parseInt(agent[1])));
            }
        }
        if (members.stream().noneMatch(m -> m.name().equals(self)))
        {
            throw error("mirror.member", "'" + self + "' has no mirror.member." + self + ".address");
        }
        if (members.size() > 2)
        {
            throw error("mirror.member.<NAME>.address", members.size() + " failover members are configured; a " +
                "mirror has at most two");
        }
        final String keyFile = values.get("mirror.keyFile");
        final AckLevel ackLevel;
        try
        {
            ackLevel = AckLevel.parse(values.getOrDefault("mirror.ackLevel", "written"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw error("mirror.ackLevel", ex.getMessage());
        }
        final String idle = values.getOrDefault("mirror.idleStrategy", "backoff").strip();
        if (!List.of("backoff", "yield", "sleep").contains(idle))
        {
            throw error("mirror.idleStrategy", "'" + idle + "' is not backoff, yield or sleep");
        }
        try
        {
            return new MirrorConfig(mirror, self, members,
                null == keyFile ? dataDirectory().resolve("mirror.key") : Path.of(keyFile.strip()),
                mirrorQosTimeoutMs(), ackLevel, idle, values.getOrDefault("mirror.hooks", "").strip(), dataDirectory());
        }
        catch (final IllegalArgumentException ex)
        {
            throw error("mirror.member", ex.getMessage());
        }
    }

    private String[] hostPort(final String key, final String text, final int defaultPort) throws ConfigException
    {
        final String value = text.strip();
        final int colon = value.lastIndexOf(':');
        if (colon <= 0 && defaultPort < 0)
        {
            throw error(key, "'" + value + "' is not host:port");
        }
        final String host = colon <= 0 ? value : value.substring(0, colon);
        final String port = colon <= 0 ? Integer.toString(defaultPort) : value.substring(colon + 1);
        try
        {
            final int number = Integer.parseInt(port);
            if (number < 1 || number > 65535)
            {
                throw error(key, "port " + number + " is outside 1..65535");
            }
        }
        catch (final NumberFormatException ex)
        {
            throw error(key, "'" + port + "' is not a port number");
        }
        return new String[]{host, port};
    }

    /**
     * @return the mirror's QoS timeout (M-7): read and checked now, used once mirroring exists.
     */
    public long mirrorQosTimeoutMs() throws ConfigException
    {
        return number("mirror.qosTimeoutMs", 8_000, 100, 3_600_000);
    }

    /**
     * @return how journal data sent to other members is compressed (M-18): system, none, lz4 or zstd.
     */
    public String mirrorCompression() throws ConfigException
    {
        final String mode = values.getOrDefault("mirror.compression", "system").strip().toLowerCase(Locale.ROOT);
        switch (mode)
        {
            case "system":
            case "none":
            case "lz4":
            case "zstd":
                return mode;
            default:
                throw error("mirror.compression", "'" + mode + "' is not system, none, lz4 or zstd");
        }
    }

    private long boundedSize(final String key, final String fallback, final long max) throws ConfigException
    {
        final long value = size(key, fallback);
        if (value <= 0 || value > max)
        {
            throw error(key, value + " is outside 1.." + max);
        }
        return value;
    }

    private void checkDatabase(final String key, final String database, final List<String> names) throws ConfigException
    {
        if (names.stream().noneMatch(n -> n.equalsIgnoreCase(database)))
        {
            throw error(key, "database '" + database + "' is not configured");
        }
    }

    private long size(final String key, final String fallback) throws ConfigException
    {
        final String text = values.getOrDefault(key, fallback).strip().toLowerCase(Locale.ROOT);
        long multiplier = 1;
        String digits = text;
        if (text.endsWith("k") || text.endsWith("m") || text.endsWith("g"))
        {
            multiplier = text.endsWith("k") ? 1L << 10 : text.endsWith("m") ? 1L << 20 : 1L << 30;
            digits = text.substring(0, text.length() - 1);
        }
        try
        {
            final long value = Long.parseLong(digits);
            if (value < 0)
            {
                throw error(key, "must not be negative: " + text);
            }
            return Math.multiplyExact(value, multiplier);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw error(key, "'" + text + "' is not a size (a number with an optional k, m or g)");
        }
    }

    private long number(final String key, final long fallback, final long min, final long max) throws ConfigException
    {
        final String text = values.get(key);
        if (null == text)
        {
            return fallback;
        }
        try
        {
            final long value = Long.parseLong(text.strip());
            if (value < min || value > max)
            {
                throw error(key, value + " is outside " + min + ".." + max);
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw error(key, "'" + text + "' is not a whole number");
        }
    }

    private boolean bool(final String key, final boolean fallback) throws ConfigException
    {
        final String text = values.get(key);
        if (null == text)
        {
            return fallback;
        }
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))
        {
            return Boolean.parseBoolean(text);
        }
        throw error(key, "'" + text + "' is not true or false");
    }

    private ConfigException error(final String key, final String problem)
    {
        final Integer line = lines.get(key);
        return new ConfigException((null == source ? "" : source + (null == line ? "" : " line " + line) + ": ") +
            "key '" + key + "': " + problem);
    }

    private String where()
    {
        return null == source ? "" : source + ": ";
    }

    /**
     * A configuration that cannot be used.
     */
    public static final class ConfigException extends Exception
    {
        private static final long serialVersionUID = 1L;

        public ConfigException(final String message)
        {
            super(message);
        }
    }
}
