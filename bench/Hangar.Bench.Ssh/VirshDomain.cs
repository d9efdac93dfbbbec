using System.Xml.Linq;
using Hangar.Qemu;
using Hangar.Qemu.Libvirt;

namespace Hangar.Bench;

/// <summary>
/// The domain <c>virsh create</c> gets: <see cref="LibvirtDomainXml.Write"/> of the VM's config (what
/// <c>hangar vm xml</c> prints), with one change where Debian 12's libvirt 9.0 cannot take it as it is.
/// </summary>
internal static class VirshDomain
{
    private static readonly XNamespace Qemu = "http://libvirt.org/schemas/domain/qemu/1.0";

    /// <summary>
    /// libvirt 9.0 refuses <c>&lt;backend type='passt'/&gt;</c> ("Invalid value for attribute 'type' in element
    /// 'backend'"), and without it a user interface has no port forwards. The user interface is replaced by the very
    /// <c>-netdev user,…,hostfwd=…</c> and <c>-device virtio-net-pci,…</c> arguments Hangar and raw give QEMU, as
    /// <c>&lt;qemu:commandline&gt;</c>: the same NIC (slirp) on every side, in PCI slot 0x1f rather than the first free one.
    /// </summary>
    public static (string Xml, string? Change) For(QemuVmConfig config, HangarDomainMetadata metadata)
    {
        var doc = LibvirtDomainXml.Build(config, metadata);
        var domain = doc.Root!;
        var user = domain.Element("devices")?.Elements("interface").Where(i => (string?)i.Attribute("type") == "user").ToList() ?? [];
        if (user.Count == 0 || !user.Any(i => i.Element("backend") is not null)) return (doc.ToString() + "\n", null);
        foreach (var nic in user) nic.Remove();
        var args = QemuCommandLine.Build(config);
        var qemuArgs = new List<string>();
        for (var i = 0; i + 1 < args.Count; i++)
        {
            if (args[i] != "-netdev" || !args[i + 1].StartsWith("user,", StringComparison.Ordinal)) continue;
            var id = args[i + 1].Split(',').Single(p => p.StartsWith("id=", StringComparison.Ordinal))[3..];
            qemuArgs.AddRange(["-netdev", args[i + 1]]);
            var device = args.Select((a, j) => (a, j)).Single(e => e.j > 0 && args[e.j - 1] == "-device" && e.a.Contains($"netdev={id}", StringComparison.Ordinal)).a;
            // libvirt numbers its own devices' PCI slots from 2 and QEMU would put this one there first: a slot of its own.
            qemuArgs.AddRange(["-device", device + $",addr=0x{0x1f - qemuArgs.Count / 4:x}"]);
        }
        domain.Add(new XAttribute(XNamespace.Xmlns + "qemu", Qemu.NamespaceName));
        domain.Add(new XElement(Qemu + "commandline", qemuArgs.Select(a => new XElement(Qemu + "arg", new XAttribute("value", a)))));
        return (doc.ToString() + "\n", "user interface (passt backend, refused by libvirt 9.0) replaced by <qemu:commandline> " + string.Join(' ', qemuArgs));
    }
}
