package org.bulwark.server;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code bulwark.pid} in the data directory: written by {@code bulwark run} once the member has
 * recovered and its services listen (so its presence means "ready"), removed at a clean shutdown.
 * {@code bulwark start} waits for it; {@code bulwark status} shows it.
 *
 * <pre>
 * pid=12345
 * startedMs=1795421400000
 * dataDirectory=/var/lib/bulwark
 * config=/etc/bulwark/bulwark.conf
 * messagesLog=/var/lib/bulwark/messages.log
 * consoleLog=/var/lib/bulwark/console.log
 * service.1=RESP on port 6379
 * </pre>
 *
 * Whether the process still runs is decided by the data directory's lock, never by this file: a
 * killed member leaves it behind.
 */
record PidFile(long pid, long startedMs, String dataDirectory, String config, String messagesLog,
    String consoleLog, List<String> services)
{
    static final String FILE_NAME = "bulwark.pid";

    static Path path(final Path dataDirectory)
    {
        return dataDirectory.resolve(FILE_NAME);
    }

    /**
     * Write the file whole or not at all (a reader never sees half of it).
     */
    void write(final Path file) throws IOException
    {
        final StringBuilder text = new StringBuilder()
            .append("pid=").append(pid).append('\n')
            .append("startedMs=").append(startedMs).append('\n')
            .append("dataDirectory=").append(dataDirectory).append('\n')
            .append("config=").append(config).append('\n')
            .append("messagesLog=").append(messagesLog).append('\n')
            .append("consoleLog=").append(consoleLog).append('\n');
        for (int i = 0; i < services.size(); i++)
        {
            text.append("service.").append(i + 1).append('=').append(services.get(i).replace('\n', ' ')).append('\n');
        }
        final Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        try
        {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * @return the file's content, or null if there is none or it cannot be read.
     */
    static PidFile read(final Path file)
    {
        try
        {
            final Properties p = new Properties();
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            final List<String> services = new ArrayList<>();
            for (int i = 1; null != p.getProperty("service." + i); i++)
            {
                services.add(p.getProperty("service." + i));
            }
            return new PidFile(Long.parseLong(p.getProperty("pid", "-1")),
                Long.parseLong(p.getProperty("startedMs", "0")), p.getProperty("dataDirectory", ""),
                p.getProperty("config", ""), p.getProperty("messagesLog", ""), p.getProperty("consoleLog", ""),
                services);
        }
        catch (final IOException | NumberFormatException ex)
        {
            return null;
        }
    }
}
