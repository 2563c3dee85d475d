package org.bulwark.replication.auth;

import org.agrona.DirectBuffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The mirror's shared secret (SPEC M-19): members and agents prove they know it with an HMAC-SHA256
 * over a challenge, never by sending it. Loaded from a key file holding at least 32 hex digits (16
 * bytes) on its first non-comment line.
 */
public final class MirrorKey
{
    public static final String ALGORITHM = "HmacSHA256";
    public static final int MAC_LENGTH = 32;
    public static final int MIN_KEY_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private MirrorKey(final byte[] keyBytes)
    {
        this.key = new SecretKeySpec(keyBytes, ALGORITHM);
    }

    /**
     * @param keyBytes at least {@link #MIN_KEY_BYTES} bytes.
     */
    public static MirrorKey of(final byte[] keyBytes)
    {
        if (keyBytes.length < MIN_KEY_BYTES)
        {
            throw new IllegalArgumentException("a mirror key needs at least " + MIN_KEY_BYTES + " bytes, not " +
                keyBytes.length);
        }
        return new MirrorKey(keyBytes.clone());
    }

    /**
     * Read a key file: the first line that is neither empty nor a {@code #} comment holds the key in hex.
     *
     * @throws IOException naming the file and what is wrong with it.
     */
    public static MirrorKey load(final Path file) throws IOException
    {
        if (!Files.isRegularFile(file))
        {
            throw new IOException("mirror key file " + file + " does not exist (create one with `bulwark mirror " +
                "keygen " + file + "` and copy it to every member and agent of the mirror)");
        }
        int lineNumber = 0;
        for (final String raw : Files.readAllLines(file, StandardCharsets.US_ASCII))
        {
            lineNumber++;
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final byte[] bytes;
            try
            {
                bytes = HexFormat.of().parseHex(line);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IOException(file + ":" + lineNumber + ": the mirror key must be hex digits: " +
                    ex.getMessage());
            }
            if (bytes.length < MIN_KEY_BYTES)
            {
                throw new IOException(file + ":" + lineNumber + ": the mirror key has " + bytes.length +
                    " bytes; at least " + MIN_KEY_BYTES + " (" + 2 * MIN_KEY_BYTES + " hex digits) are needed");
            }
            return new MirrorKey(bytes);
        }
        throw new IOException("mirror key file " + file + " holds no key (only empty or # comment lines)");
    }

    /**
     * @return a new random key's file contents (32 bytes in hex, with a comment line).
     */
    public static String generateFileText()
    {
        final byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "# Bulwark mirror key: the same file on every member and agent of the mirror; keep it secret\n" +
            HexFormat.of().formatHex(bytes) + "\n";
    }

    /**
     * @return {@code length} random bytes, for a challenge.
     */
    public static byte[] nonce(final int length)
    {
        final byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /**
     * @return HMAC-SHA256 of the parts, in order.
     */
    public byte[] mac(final byte[]... parts)
    {
        final Mac mac = newMac();
        for (final byte[] part : parts)
        {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /**
     * @return HMAC-SHA256 of {@code length} bytes of {@code buffer} from {@code offset}.
     */
    public byte[] mac(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return mac(bytes);
    }

    /**
     * @return true if {@code candidate} is the HMAC of the parts (compared in constant time).
     */
    public boolean verify(final byte[] candidate, final byte[]... parts)
    {
        return MessageDigest.isEqual(candidate, mac(parts));
    }

    private Mac newMac()
    {
        try
        {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", ex);
        }
    }
}
