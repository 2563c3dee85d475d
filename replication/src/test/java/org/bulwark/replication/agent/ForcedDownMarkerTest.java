package org.bulwark.replication.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForcedDownMarkerTest
{
    @TempDir
    Path dir;

    @Test
    void aMarkerIsWrittenReadAndClearedWhole() throws IOException
    {
        assertFalse(ForcedDownMarker.exists(dir));
        assertNull(ForcedDownMarker.read(dir));
        assertFalse(ForcedDownMarker.clear(dir));

        final ForcedDownMarker marker = new ForcedDownMarker("hung\nfor 3 s = too long \\ really",
            Instant.parse("2026-11-23T08:20:00.123Z"), "node-b from /10.0.0.2:5555");
        ForcedDownMarker.write(dir, marker);
        assertTrue(ForcedDownMarker.exists(dir));
        assertEquals(new ForcedDownMarker("hung for 3 s = too long \\ really", marker.time(), marker.requestedBy()),
            ForcedDownMarker.read(dir), "on one line, backslashes kept");
        assertFalse(Files.exists(dir.resolve(ForcedDownMarker.FILE_NAME + ".tmp")));
        assertTrue(ForcedDownMarker.clear(dir));
        assertFalse(ForcedDownMarker.exists(dir));
    }

    @Test
    void aMarkerWithABadTimeIsAnErrorNamingTheFile() throws IOException
    {
        Files.writeString(ForcedDownMarker.path(dir), "reason=x\ntime=yesterday\n");
        final IOException ex = assertThrows(IOException.class, () -> ForcedDownMarker.read(dir));
        assertTrue(ex.getMessage().contains(ForcedDownMarker.path(dir).toString()) &&
            ex.getMessage().contains("'yesterday'"), ex.getMessage());
    }

    @Test
    void validatedMemberRoundTripsAndRejectsGarbage() throws IOException
    {
        assertEquals(Optional.empty(), ValidatedMemberFile.read(dir));
        ValidatedMemberFile.write(dir, true, "node-b from /10.0.0.2:5555");
        assertEquals(Optional.of(true), ValidatedMemberFile.read(dir));
        Files.writeString(ValidatedMemberFile.path(dir), "# comment\nyes\n");
        final IOException ex = assertThrows(IOException.class, () -> ValidatedMemberFile.read(dir));
        assertTrue(ex.getMessage().contains("line 2: expected 0 or 1, found 'yes'"), ex.getMessage());
    }
}
