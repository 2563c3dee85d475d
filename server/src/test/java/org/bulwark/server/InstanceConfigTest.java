package org.bulwark.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class InstanceConfigTest
{
    @TempDir
    Path dir;

    private InstanceConfig.ConfigException load(final String text) throws Exception
    {
        final Path file = dir.resolve("bulwark.conf");
        Files.writeString(file, text);
        return assertThrows(InstanceConfig.ConfigException.class, () -> InstanceConfig.load(file));
    }

    @Test
    void unknownKeysNameTheLine() throws Exception
    {
        final String message = load("# comment\ndata.directory = x\npool.sise = 4m\n").getMessage();
        assertTrue(message.contains("line 3") && message.contains("unknown key 'pool.sise'"), message);
    }

    @Test
    void badValuesNameTheKeyAndLine() throws Exception
    {
        String message = load("pool.size = lots\n").getMessage();
        assertTrue(message.contains("line 1") && message.contains("pool.size") && message.contains("not a size"),
            message);
        message = load("databases = A\ndatabase.A.blockSize = 3k\n").getMessage();
        assertTrue(message.contains("line 2") && message.contains("block size"), message);
        message = load("writeDaemon.intervalMs = 0\n").getMessage();
        assertTrue(message.contains("writeDaemon.intervalMs") && message.contains("outside"), message);
        message = load("database.B.directory = /x\n").getMessage();
        assertTrue(message.contains("database B is not in 'databases'"), message);
        message = load("map.Log* = NOPE\n").getMessage();
        assertTrue(message.contains("map.Log*") && message.contains("not configured"), message);
        message = load("pool.size = 1m\npool.size = 2m\n").getMessage();
        assertTrue(message.contains("line 2") && message.contains("already set on line 1"), message);
        message = load("just some words\n").getMessage();
        assertTrue(message.contains("line 1") && message.contains("expected 'key = value'"), message);
        message = load("databases = A, a\n").getMessage();
        assertTrue(message.contains("listed twice"), message);
    }

    @Test
    void mirrorKeysAreCheckedNow() throws Exception
    {
        String message = load("data.directory = x\nmirror.compression = gzip\n").getMessage();
        assertTrue(message.contains("line 2") && message.contains("'gzip' is not system, none, lz4 or zstd"), message);
        message = load("mirror.qosTimeoutMs = 10\n").getMessage();
        assertTrue(message.contains("mirror.qosTimeoutMs") && message.contains("10 is outside 100..3600000"), message);
        final Path file = dir.resolve("mirror.conf");
        Files.writeString(file, "mirror.qosTimeoutMs = 2000\nmirror.compression = LZ4\n");
        final InstanceConfig config = InstanceConfig.load(file);
        assertEquals(2_000, config.mirrorQosTimeoutMs());
        assertEquals("lz4", config.mirrorCompression());
        assertEquals(8_000, InstanceConfig.defaults(dir).mirrorQosTimeoutMs());
        assertEquals("system", InstanceConfig.defaults(dir).mirrorCompression());
    }

    @Test
    void defaultsAndMappingsApply() throws Exception
    {
        final Path file = dir.resolve("ok.conf");
        Files.writeString(file, String.join("\n",
            "data.directory = " + dir.resolve("data"),
            "databases = MAIN, LOGS",
            "database.LOGS.expansion = 1m",
            "database.LOGS.maxSize = 1g",
            "map.Log* = LOGS",
            "wij.targetSize = 32m",
            ""));
        final InstanceConfig config = InstanceConfig.load(file);
        final var store = config.storeConfig();
        assertEquals(2, store.databases().size());
        assertEquals(dir.resolve("data").resolve("logs").toAbsolutePath(), store.databases().get(1).directory());
        assertEquals(1L << 30, store.databases().get(1).maxSizeBytes());
        assertEquals("LOGS", store.mapping().databaseFor("LogEntry"));
        assertEquals("MAIN", store.mapping().databaseFor("Orders"));
        assertEquals(32L << 20, config.wijConfig().targetSizeBytes());
        assertEquals(dir.resolve("data").resolve("wij").toAbsolutePath(), config.wijConfig().directory());
    }
}
