package org.bulwark.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One opener per data directory, within a process too: a second open is refused with a message
 * that names the holder, and the lock is free again after close and after a simulated crash.
 */
class DataDirectoryLockTest
{
    @TempDir
    Path dir;

    @Test
    void aSecondOpenInTheSameProcessIsRefusedUntilTheFirstCloses() throws Exception
    {
        final InstanceConfig config = InstanceConfig.defaults(dir.resolve("data"));
        final long self = ProcessHandle.current().pid();
        try (Instance first = Instance.open(config, new InstanceOptions()))
        {
            final DataDirectoryLock.InUseException refused = assertThrows(DataDirectoryLock.InUseException.class,
                () -> Instance.open(config, new InstanceOptions()));
            assertEquals(self, refused.pid());
            assertTrue(refused.getMessage().contains("this process (pid " + self + ") already has it open as member"),
                refused.getMessage());
            assertEquals(self, DataDirectoryLock.holder(first.dataDirectory()));
            assertTrue(Files.readString(config.dataDirectory().resolve(DataDirectoryLock.FILE_NAME))
                .startsWith("pid=" + self + "\nholder=member\n"));
            assertFalse(Files.readString(config.dataDirectory().resolve("messages.log")).contains("startup failed"),
                "a refused open writes nothing into the holder's messages.log");
        }
        assertEquals(-1, DataDirectoryLock.holder(config.dataDirectory()));
        Instance.open(config, new InstanceOptions()).abandon();
        assertEquals(-1, DataDirectoryLock.holder(config.dataDirectory()), "a crash leaves no lock behind");
        try (Instance again = Instance.open(config, new InstanceOptions()))
        {
            assertEquals(self, DataDirectoryLock.holder(again.dataDirectory()));
        }
    }

    @Test
    void anOfflineToolHoldsItToo() throws Exception
    {
        final Path data = dir.resolve("data");
        try (DataDirectoryLock tool = DataDirectoryLock.acquire(data, "integrity"))
        {
            final DataDirectoryLock.InUseException refused = assertThrows(DataDirectoryLock.InUseException.class,
                () -> Instance.open(InstanceConfig.defaults(data), new InstanceOptions()));
            assertTrue(refused.getMessage().contains("as integrity since"), refused.getMessage());
            try (Instance held = Instance.open(InstanceConfig.defaults(data), new InstanceOptions()
                .holdsDirectoryLock(true)))
            {
                assertEquals(data, held.dataDirectory());
            }
            assertTrue(tool.file().endsWith(DataDirectoryLock.FILE_NAME));
        }
    }
}
