package org.bulwark.replication.agent;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;

/**
 * Length-prefixed frames over a blocking socket (see {@link AgentProtocol}), in clear during the
 * handshake and sealed with AES-256-GCM after it. Every read is bounded by a deadline, however slowly
 * the peer sends; a write that stalls is cut by whoever watches {@link #writingSinceNs()}.
 */
final class FrameChannel implements AutoCloseable
{
    private static final int TAG_BITS = 128;
    private static final int TAG_BYTES = TAG_BITS / 8;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String peer;
    private final byte[] header = new byte[4];
    private SecretKeySpec sessionKey;
    private int sendDirection;
    private int receiveDirection;
    private long sendCounter;
    private long receiveCounter;
    private Cipher cipher;
    private volatile long writingSinceNs;

    FrameChannel(final Socket socket, final String peer) throws IOException
    {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.peer = peer;
    }

    String peer()
    {
        return peer;
    }

    /**
     * Seal every frame from now on.
     *
     * @param isAgent the agent's side (the two directions use distinct GCM nonces).
     */
    void encrypt(final byte[] sessionKeyBytes, final boolean isAgent) throws IOException
    {
        sessionKey = new SecretKeySpec(sessionKeyBytes, 0, 32, "AES");
        sendDirection = isAgent ? 1 : 0;
        receiveDirection = isAgent ? 0 : 1;
        try
        {
            cipher = Cipher.getInstance(TRANSFORMATION);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException(TRANSFORMATION + " is not available in this JVM", ex);
        }
    }

    /**
     * @return since when (System.nanoTime) a write has been blocked, or 0 when none is under way.
     */
    long writingSinceNs()
    {
        return writingSinceNs;
    }

    void write(final byte[] payload) throws IOException
    {
        final byte[] frame = null == sessionKey ? payload : seal(payload);
        writingSinceNs = Math.max(1, System.nanoTime());
        try
        {
            out.write(new byte[] {(byte)(frame.length >>> 24), (byte)(frame.length >>> 16),
                (byte)(frame.length >>> 8), (byte)frame.length});
            out.write(frame);
            out.flush();
        }
        finally
        {
            writingSinceNs = 0;
        }
    }

    /**
     * Read one frame whole before {@code deadlineNs} (System.nanoTime).
     *
     * @param maxBytes a longer frame is a protocol error (nothing that long is read into memory).
     * @throws SocketTimeoutException if it does not arrive whole in time.
     * @throws EOFException if the peer closed the connection before a frame began.
     */
    byte[] read(final long deadlineNs, final int maxBytes) throws IOException
    {
        readFully(header, 0, 4, deadlineNs, true);
        final int length = (header[0] & 0xFF) << 24 | (header[1] & 0xFF) << 16 | (header[2] & 0xFF) << 8 |
            header[3] & 0xFF;
        final int limit = null == sessionKey ? maxBytes : maxBytes + TAG_BYTES;
        if (length < 0 || length > limit)
        {
            throw new IOException(peer + ": frame of " + length + " bytes, at most " + limit + " allowed here");
        }
        final byte[] frame = new byte[length];
        readFully(frame, 0, length, deadlineNs, false);
        return null == sessionKey ? frame : open(frame);
    }

    private void readFully(final byte[] bytes, final int offset, final int length, final long deadlineNs,
        final boolean atFrameStart) throws IOException
    {
        int done = 0;
        while (done < length)
        {
            final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (remainingMs <= 0)
            {
                throw new SocketTimeoutException(peer + ": no whole frame in time");
            }
            socket.setSoTimeout((int)Math.min(Integer.MAX_VALUE, remainingMs));
            final int n;
            try
            {
                n = in.read(bytes, offset + done, length - done);
            }
            catch (final SocketTimeoutException ex)
            {
                throw new SocketTimeoutException(peer + ": no whole frame in time");
            }
            if (n < 0)
            {
                throw new EOFException(peer + ": connection closed" + (atFrameStart && 0 == done ? "" :
                    " in the middle of a frame"));
            }
            done += n;
        }
    }

    private byte[] seal(final byte[] payload) throws IOException
    {
        try
        {
            cipher.init(Cipher.ENCRYPT_MODE, sessionKey, new GCMParameterSpec(TAG_BITS, nonce(sendDirection,
                sendCounter++)));
            return cipher.doFinal(payload);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException(peer + ": cannot seal a frame: " + ex.getMessage(), ex);
        }
    }

    private byte[] open(final byte[] frame) throws IOException
    {
        try
        {
            cipher.init(Cipher.DECRYPT_MODE, sessionKey, new GCMParameterSpec(TAG_BITS, nonce(receiveDirection,
                receiveCounter++)));
            return cipher.doFinal(frame);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException(peer + ": a frame failed its authentication tag (altered, replayed or " +
                "reordered)", ex);
        }
    }

    private static byte[] nonce(final int direction, final long counter)
    {
        final byte[] nonce = new byte[12];
        nonce[0] = (byte)(direction >>> 24);
        nonce[1] = (byte)(direction >>> 16);
        nonce[2] = (byte)(direction >>> 8);
        nonce[3] = (byte)direction;
        for (int i = 0; i < 8; i++)
        {
            nonce[4 + i] = (byte)(counter >>> (56 - 8 * i));
        }
        return nonce;
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // closing: nothing left to tell the peer
        }
    }
}
