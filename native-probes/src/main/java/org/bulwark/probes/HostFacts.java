package org.bulwark.probes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Whether this host is a virtual machine, as the mirror QoS recommendation needs to know: a hypervisor
 * can stop a guest for seconds (snapshots, live migration, a busy host) without any trace in a short
 * probe, so a VM's QoS timeout needs more room than a physical host's.
 *
 * @param virtual  true if the host is a virtual machine.
 * @param evidence what said so (or that nothing did), for the report.
 */
public record HostFacts(boolean virtual, String evidence)
{
    /** DMI system vendors and product names of hypervisors (lower case, matched as prefixes). */
    private static final List<String> HYPERVISOR_VENDORS = List.of(
        "qemu", "kvm", "vmware", "microsoft corporation", "xen", "innotek", "oracle corporation", "amazon ec2",
        "google", "bochs", "parallels", "openstack", "firecracker", "cloud hypervisor");

    public static HostFacts system()
    {
        return read(Path.of("/proc/cpuinfo"), Path.of("/sys/class/dmi/id"));
    }

    /**
     * @param cpuinfo a file in the format of {@code /proc/cpuinfo}: a {@code hypervisor} CPU flag means a VM
     *                (x86 guests of every common hypervisor set it).
     * @param dmiDir  a directory like {@code /sys/class/dmi/id}: a hypervisor's name as {@code sys_vendor}
     *                or {@code product_name} means a VM (where the CPU flag is not reported).
     */
    public static HostFacts read(final Path cpuinfo, final Path dmiDir)
    {
        final String cpu = readOrNull(cpuinfo);
        if (null != cpu)
        {
            for (final String line : cpu.split("\n"))
            {
                if (line.startsWith("flags") && (" " + line.substring(line.indexOf(':') + 1) + " ")
                    .contains(" hypervisor "))
                {
                    return new HostFacts(true, "hypervisor flag in " + cpuinfo);
                }
            }
        }
        for (final String name : new String[]{"sys_vendor", "product_name"})
        {
            final String value = readOrNull(dmiDir.resolve(name));
            if (null != value)
            {
                final String lower = value.strip().toLowerCase(Locale.ROOT);
                for (final String vendor : HYPERVISOR_VENDORS)
                {
                    if (lower.startsWith(vendor))
                    {
                        return new HostFacts(true, dmiDir.resolve(name) + " is '" + value.strip() + "'");
                    }
                }
            }
        }
        return new HostFacts(false, null == cpu ? "no " + cpuinfo + " and no hypervisor in DMI: taken as physical" :
            "no hypervisor flag in " + cpuinfo + " nor hypervisor in DMI");
    }

    private static String readOrNull(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }
}
