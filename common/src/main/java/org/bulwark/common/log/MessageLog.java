package org.bulwark.common.log;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The instance's {@code messages.log} (SPEC W-8): one line per event with UTC time, process id,
 * severity code, subsystem and a message that carries the numbers involved.
 *
 * <pre>
 * 2026-11-23T04:25:52.123Z 12345 0 [WIJ] cycle 17: 340 blocks, 2.7 MiB, phase 1 3.1 ms, phase 2 4.0 ms
 * </pre>
 *
 * Lines are written and flushed one at a time so that they survive a crash of the process; an
 * optional echo stream (the console) receives the same lines.
 */
public final class MessageLog implements AutoCloseable
{
    public static final String FILE_NAME = "messages.log";

    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path path;
    private final OutputStream out;
    private final PrintStream echo;
    private final Severity echoThreshold;
    private final long pid = ProcessHandle.current().pid();

    private MessageLog(final Path path, final OutputStream out, final PrintStream echo, final Severity echoThreshold)
    {
        this.path = path;
        this.out = out;
        this.echo = echo;
        this.echoThreshold = echoThreshold;
    }

    /**
     * Open (append to) {@code messages.log} in a directory.
     *
     * @param echo          where to copy lines as well, or null.
     * @param echoThreshold the lowest severity copied to {@code echo}.
     */
    public static MessageLog open(final Path directory, final PrintStream echo, final Severity echoThreshold)
        throws IOException
    {
        Files.createDirectories(directory);
        final Path path = directory.resolve(FILE_NAME);
        final OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new MessageLog(path, out, echo, echoThreshold);
    }

    /**
     * A log that only echoes (for tools run without an instance directory, and tests).
     */
    public static MessageLog console(final PrintStream echo, final Severity echoThreshold)
    {
        return new MessageLog(null, null, echo, echoThreshold);
    }

    public Path path()
    {
        return path;
    }

    public void info(final String subsystem, final String message)
    {
        log(Severity.INFO, subsystem, message);
    }

    public void warning(final String subsystem, final String message)
    {
        log(Severity.WARNING, subsystem, message);
    }

    public void severe(final String subsystem, final String message)
    {
        log(Severity.SEVERE, subsystem, message);
    }

    public void fatal(final String subsystem, final String message)
    {
        log(Severity.FATAL, subsystem, message);
    }

    public synchronized void log(final Severity severity, final String subsystem, final String message)
    {
        final String line = TIME.format(Instant.now()) + ' ' + pid + ' ' + severity.code() + " [" + subsystem + "] " +
            message + '\n';
        if (null != out)
        {
            try
            {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            catch (final IOException ex)
            {
                if (null != echo)
                {
                    echo.print("cannot write " + path + ": " + ex.getMessage() + '\n');
                }
            }
        }
        if (null != echo && severity.code() >= echoThreshold.code())
        {
            echo.print(line);
            echo.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException
    {
        if (null != out)
        {
            out.close();
        }
    }
}
