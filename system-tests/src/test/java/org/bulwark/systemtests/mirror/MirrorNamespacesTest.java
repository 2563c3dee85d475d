package org.bulwark.systemtests.mirror;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * SPEC M-5, M-9 across a real network link: the two members, each with its agent, in two network
 * namespaces joined by a veth pair (10.99.N.1 and 10.99.N.2), as on two hosts. The walkthrough's first
 * steps: a set on the primary shows on the backup, which refuses writes; kill -9 of the primary makes
 * the backup primary with every acknowledged write. Clients run {@code redis-cli} inside a member's
 * namespace. Needs root and {@code ip netns}; skipped, saying why, where they are missing.
 */
class MirrorNamespacesTest
{
    private static final String INSTALL_SCRIPT = "scripts/install-test-tools.sh";
    /** Each write is a redis-cli process: fewer writes than on the loopback. */
    private static final int WRITES_BEFORE_KILL = 30;

    /** Kept when a test fails: the members' logs and data tell what happened. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void walkthroughAndKillOfThePrimaryAcrossTwoNetworkNamespaces() throws Exception
    {
        final String uid = NetworkNamespaces.run("id", "-u");
        Assumptions.assumeTrue("0".equals(uid), "skipped: network namespaces need root (running as uid " + uid + ")");
        Assumptions.assumeTrue(null != find("ip"), "skipped: no 'ip' command (iproute2) on the path");
        final String redisCli = redisCli();
        final NetworkNamespaces namespaces;
        try
        {
            namespaces = NetworkNamespaces.create();
        }
        catch (final IllegalStateException ex)
        {
            Assumptions.abort("skipped: cannot create network namespaces joined by a veth pair here: " +
                ex.getMessage());
            return;
        }
        try (namespaces; MirrorPair pair = MirrorPair.inNamespaces(root, namespaces, redisCli))
        {
            pair.startBoth();
            Walkthrough.setOnPrimaryReadOnBackup(pair.a(), pair.b(), "netns", "one");
            final long takeoverMs = Walkthrough.killPrimaryTakeover(pair, pair.a(), pair.b(), WRITES_BEFORE_KILL);
            System.out.println("network namespaces " + namespaces.nameA() + " (" + namespaces.addressA() + ") and " +
                namespaces.nameB() + " (" + namespaces.addressB() + "): walkthrough done, takeover " + takeoverMs +
                " ms after kill -9 of the primary");
        }
    }

    /**
     * @return redis-cli's path, after running the install script once if it is missing.
     */
    private static String redisCli() throws Exception
    {
        Path found = find("redis-cli");
        if (null == found)
        {
            final Path script = installScript();
            Assumptions.assumeTrue(null != script, "skipped: redis-cli is not installed and " + INSTALL_SCRIPT +
                " was not found to install it");
            try
            {
                NetworkNamespaces.run("bash", script.toString());
            }
            catch (final IllegalStateException ex)
            {
                Assumptions.abort("skipped: redis-cli is not installed and " + INSTALL_SCRIPT + " failed: " +
                    ex.getMessage());
            }
            found = find("redis-cli");
            Assumptions.assumeTrue(null != found, "skipped: " + INSTALL_SCRIPT + " ran but installed no redis-cli");
        }
        return found.toString();
    }

    private static Path find(final String command)
    {
        final List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "")
            .split(":")));
        directories.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (final String directory : directories)
        {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, command)))
            {
                return Path.of(directory, command);
            }
        }
        return null;
    }

    private static Path installScript()
    {
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            if (Files.isRegularFile(dir.resolve(INSTALL_SCRIPT)))
            {
                return dir.resolve(INSTALL_SCRIPT);
            }
        }
        return null;
    }
}
