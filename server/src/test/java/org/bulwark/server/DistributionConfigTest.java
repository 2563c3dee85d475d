package org.bulwark.server;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC V-6: the distribution's default {@code conf/bulwark.conf} loads, and lists every documented
 * key of {@link InstanceConfig#KEYS} with its default and meaning (a key added there without a line
 * here fails this test).
 */
class DistributionConfigTest
{
    private static final Path FILE = Path.of("src", "dist", "conf", "bulwark.conf");

    @Test
    void theDefaultConfigurationLoads() throws Exception
    {
        final InstanceConfig config = InstanceConfig.load(FILE);
        assertEquals(Path.of("/var/lib/bulwark"), config.dataDirectory());
    }

    @Test
    void everyDocumentedKeyIsThereWithItsDefaultAndMeaning() throws Exception
    {
        final List<String> lines = Files.readAllLines(FILE, StandardCharsets.UTF_8);
        for (final String[] key : InstanceConfig.KEYS)
        {
            final String setting = key[0] + " = " + key[1];
            int at = -1;
            for (int i = 0; i < lines.size(); i++)
            {
                final String line = lines.get(i).strip();
                if (line.equals("# " + setting.strip()) || line.startsWith(key[0] + " = "))
                {
                    at = i;
                }
            }
            assertTrue(at > 0, FILE + " has no line '# " + setting + "'");
            assertEquals("# " + key[2], lines.get(at - 1), FILE + " line " + at + ": the meaning of " + key[0]);
        }
    }
}
