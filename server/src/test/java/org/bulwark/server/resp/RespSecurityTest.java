package org.bulwark.server.resp;

import org.bulwark.server.InstanceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SPEC V-7 on the RESP port: AUTH with the configured credentials, a refusal to listen beyond
 * loopback without a password, and TLS with a real TLS client.
 */
class RespSecurityTest
{
    private static final String PASSWORD = "s3cret-Pass";

    @TempDir
    Path dir;

    @Test
    void authIsRequiredAndWrongCredentialsAreRefused() throws Exception
    {
        try (RespFixture member = RespFixture.start(dir, "auth.password = " + PASSWORD, "auth.user = app"))
        {
            try (RawClient raw = member.raw())
            {
                raw.send(RawClient.request("GET", "k"));
                assertEquals("-NOAUTH Authentication required.", raw.reply());
                raw.send(RawClient.request("AUTH", "wrong"));
                assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", raw.reply());
                raw.send(RawClient.request("AUTH", "default", PASSWORD));
                assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", raw.reply(),
                    "the right password for the wrong user");
                raw.send(RawClient.request("SET", "k", "v"));
                assertEquals("-NOAUTH Authentication required.", raw.reply());
                raw.send(RawClient.request("AUTH", PASSWORD));
                assertEquals("+OK", raw.reply());
                raw.send(RawClient.request("SET", "k", "v"));
                assertEquals("+OK", raw.reply());
            }
            try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", member.port()), DefaultJedisClientConfig
                .builder().timeoutMillis(RespFixture.TIMEOUT_MS).user("app").password(PASSWORD).build()))
            {
                assertEquals("v", jedis.get("k"));
            }
            try (Jedis resp3 = new Jedis(new HostAndPort("127.0.0.1", member.port()), DefaultJedisClientConfig
                .builder().timeoutMillis(RespFixture.TIMEOUT_MS).protocol(RedisProtocol.RESP3).user("app")
                .password(PASSWORD).build()))
            {
                assertEquals("v", resp3.get("k"), "HELLO 3 AUTH user password");
            }
            final Exception refused = assertThrows(Exception.class, () ->
            {
                try (Jedis wrong = new Jedis(new HostAndPort("127.0.0.1", member.port()), DefaultJedisClientConfig
                    .builder().timeoutMillis(RespFixture.TIMEOUT_MS).user("app").password("nope").build()))
                {
                    wrong.ping();
                }
            });
            assertTrue(String.valueOf(refused.getMessage()).contains("WRONGPASS") ||
                String.valueOf(refused.getCause()).contains("WRONGPASS"), String.valueOf(refused));
        }
    }

    @Test
    void authWithoutAPasswordConfiguredIsAnError() throws Exception
    {
        try (RespFixture member = RespFixture.start(dir); Jedis jedis = member.jedis())
        {
            final JedisDataException error = assertThrows(JedisDataException.class, () -> jedis.auth("x"));
            assertTrue(error.getMessage().startsWith("ERR AUTH <password> called without any password"));
        }
    }

    @Test
    void aPortBeyondLoopbackNeedsAPassword() throws Exception
    {
        final Path file = dir.resolve("open.conf");
        Files.writeString(file, "data.directory = " + dir.resolve("data") + "\nresp.bind = 0.0.0.0\n");
        final InstanceConfig.ConfigException refused = assertThrows(InstanceConfig.ConfigException.class,
            () -> InstanceConfig.load(file));
        assertTrue(refused.getMessage().contains("resp.bind") && refused.getMessage().contains("auth.password"),
            refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RespConfig().bind("0.0.0.0").validate());
        new RespConfig().bind("0.0.0.0").authPassword("x").validate();

        Files.writeString(file, "data.directory = " + dir.resolve("data") + "\nresp.maxBulkBytes = lots\n");
        final InstanceConfig.ConfigException badSize = assertThrows(InstanceConfig.ConfigException.class,
            () -> InstanceConfig.load(file));
        assertTrue(badSize.getMessage().contains("line 2") && badSize.getMessage().contains("resp.maxBulkBytes"),
            badSize.getMessage());
        Files.writeString(file, "data.directory = " + dir.resolve("data") + "\ntls.enabled = true\n");
        final InstanceConfig.ConfigException noCertificate = assertThrows(InstanceConfig.ConfigException.class,
            () -> InstanceConfig.load(file));
        assertTrue(noCertificate.getMessage().contains("tls.certificate"), noCertificate.getMessage());
        Files.writeString(file, "data.directory = " + dir.resolve("data") + "\nresp.global = 9lives\n");
        assertTrue(assertThrows(InstanceConfig.ConfigException.class, () -> InstanceConfig.load(file)).getMessage()
            .contains("resp.global"));
    }

    @Test
    void tlsWithARealTlsClient() throws Exception
    {
        final Path keyStore = dir.resolve("server.p12");
        final Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool")
            .toString(), "-genkeypair", "-alias", "bulwark", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
            "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", keyStore.toString(),
            "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true)
            .start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS), "keytool did not end");
        final String keytoolOutput = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.exitValue(), keytoolOutput);
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keyStore.toFile()))
        {
            store.load(in, "changeit".toCharArray());
        }
        final PrivateKey key = (PrivateKey)store.getKey("bulwark", "changeit".toCharArray());
        final Certificate certificate = store.getCertificate("bulwark");
        final Path certificateFile = dir.resolve("server.crt");
        final Path keyFile = dir.resolve("server.key");
        Files.writeString(certificateFile, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded())); // PKCS#8

        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("bulwark", certificate);
        final Path trustStore = dir.resolve("trust.p12");
        try (java.io.OutputStream out = Files.newOutputStream(trustStore))
        {
            trusted.store(out, "changeit".toCharArray());
        }
        // FULL: the client checks the chain against the trust store and the host name against the SAN.
        final SslOptions tls = SslOptions.builder().truststore(trustStore.toFile(), "changeit".toCharArray())
            .trustStoreType("PKCS12").sslVerifyMode(SslVerifyMode.FULL).build();

        try (RespFixture member = RespFixture.start(dir, "tls.enabled = true", "tls.certificate = " + certificateFile,
            "tls.privateKey = " + keyFile))
        {
            try (Jedis jedis = new Jedis(new HostAndPort("localhost", member.port()), DefaultJedisClientConfig
                .builder().timeoutMillis(RespFixture.TIMEOUT_MS).sslOptions(tls).build()))
            {
                assertEquals("OK", jedis.set("secret", "over tls"));
                assertEquals("over tls", jedis.get("secret"));
            }
            try (RawClient plain = member.raw())
            {
                plain.send(RawClient.request("PING"));
                assertTrue(plain.closedByServer(), "plain text on the TLS port is refused");
            }
        }
    }

    private static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n" +
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) +
            "\n-----END " + type + "-----\n";
    }
}
