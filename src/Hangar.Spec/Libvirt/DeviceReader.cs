using System.Xml.Linq;

namespace Hangar.Spec.Libvirt;

/// <summary>Reads a domain's <c>&lt;devices&gt;</c>: the disk the VM boots, the user-mode interface's port forwards; notes the rest.</summary>
/// <param name="fromHangar">The domain was written by Hangar (its metadata names the image): its disks are Hangar's own
/// overlay and cloud-init seed, which the fleet file's image brings back.</param>
internal sealed class DeviceReader(DomainReader domain, bool fromHangar, Func<string, string?>? sha256Of)
{
    /// <summary>The MAC address QEMU gives the first NIC when none is set, which is what a Hangar VM's NIC has.</summary>
    private const string QemuDefaultMac = "52:54:00:12:34:56";

    private readonly List<PortForward> _forwards = [];
    private bool _diskTaken, _interfaceTaken;

    public ImportedImage? Disk { get; private set; }

    public IReadOnlyList<PortForward> Forwards => _forwards;

    /// <summary>The domain has a VNC display: the VM gets <c>display: vnc</c>.</summary>
    public bool Vnc { get; private set; }

    /// <summary>The domain has a virtio memory balloon: the VM gets <c>balloon: true</c>.</summary>
    public bool Balloon { get; private set; }

    private readonly List<ShareSpec> _shares = [];

    /// <summary>The domain's virtiofs file systems, as shares (tag: the target dir).</summary>
    public IReadOnlyList<ShareSpec> Shares => _shares;

    public void Read(XElement devices)
    {
        foreach (var device in devices.Elements())
        {
            switch (device.Name.LocalName)
            {
                case "disk":
                    ReadDisk(device);
                    break;
                case "interface":
                    ReadInterface(device);
                    break;
                case "emulator":
                    domain.Note(device, "Hangar runs qemu-system-x86_64 from the agent's PATH");
                    break;
                case "serial" or "console":
                    // Every Hangar VM has a serial console: `hangar console`, `hangar logs`.
                    break;
                case "channel" when device.Element("target")?.Attribute("name")?.Value == "org.qemu.guest_agent.0":
                    // Every Hangar VM has the guest agent's channel.
                    break;
                case "channel" when device.Attribute("type")?.Value == "spicevmc":
                    domain.Note(device, "the SPICE agent's channel: Hangar has no SPICE display yet");
                    break;
                case "channel":
                    domain.Note(device, "Hangar's VMs have one channel, the QEMU guest agent's (org.qemu.guest_agent.0)");
                    break;
                case "controller":
                    break;
                case "memballoon" when device.Attribute("model")?.Value == "none":
                    break;
                case "memballoon" when device.Attribute("model")?.Value == "virtio":
                    Balloon = true;
                    if (device.Element("stats") is not null || device.Attribute("autodeflate") is not null || device.Attribute("freePageReporting") is not null)
                        domain.Note(device, "balloon statistics and automatic deflation: Hangar's balloon has neither; hangar vm set NAME --balloon SIZE sets its target");
                    break;
                case "memballoon":
                    domain.Note(device, $"a {device.Attribute("model")?.Value} balloon: Hangar's is virtio (balloon: true)");
                    break;
                case "filesystem":
                    ReadFilesystem(device);
                    break;
                case "input" when device.Attribute("bus")?.Value is null or "ps2":
                    break;
                case "graphics" when device.Attribute("type")?.Value == "vnc" && !Vnc:
                    Vnc = true;
                    // A domain Hangar wrote has the port the VM keeps; any other's port is Hangar's to choose.
                    if (!fromHangar && device.Attribute("port")?.Value is { } port && port != "-1")
                        domain.Note(device, $"port {port}: Hangar gives a VNC display a port of its own from settings.vncPorts, on 127.0.0.1");
                    if (device.Attribute("passwd") is not null) domain.Note(device, "a VNC password: Hangar's VNC listens on 127.0.0.1 only, without one");
                    break;
                case "graphics":
                    domain.Note(device, device.Attribute("type")?.Value switch
                    {
                        "spice" => "Hangar has no SPICE display yet (`display: vnc` gives a VNC one; `hangar console` is the serial console)",
                        "vnc" => "a second display: a Hangar VM has one",
                        var other => $"Hangar has no '{other}' display (`display: vnc` gives a VNC one)",
                    });
                    break;
                case "video":
                    // With a VNC display Hangar gives a standard VGA card; without, no video device.
                    if (!devices.Elements("graphics").Any(g => g.Attribute("type")?.Value == "vnc"))
                        domain.Note(device, "Hangar's VMs have no video device without a display (`display: vnc`)");
                    else if (device.Element("model")?.Attribute("type")?.Value is { } model && model != "vga")
                        domain.Note(device, $"a {model} card: with `display: vnc` Hangar gives a standard VGA card");
                    break;
                default:
                    domain.Note(device, "not carried over: the fleet file has no such device yet");
                    break;
            }
        }
    }

    private void ReadDisk(XElement disk)
    {
        var device = disk.Attribute("device")?.Value ?? "disk";
        var source = disk.Element("source")?.Attribute("file")?.Value;
        var readOnly = disk.Element("readonly") is not null;
        if (fromHangar && device == "disk" && disk.Attribute("type")?.Value == "file")
        {
            // Hangar's own: the VM's overlay (vda) and the cloud-init seed it writes from `guest` before each start.
            if (!readOnly && !_diskTaken) { _diskTaken = true; return; }
            // A seed that holds the VM's host key has no source in the domain (its path is a secret's).
            if (readOnly && (source is null || source.EndsWith("/seed.iso", StringComparison.Ordinal)))
            {
                domain.Note(disk, "Hangar's cloud-init seed: the VM's `guest` (hostname, users, keys, files) is in the fleet file, not in the domain; write it again");
                return;
            }
        }
        if (device != "disk")
        {
            domain.Note(disk, $"a {device}: a Hangar VM has one disk (a cloud-init seed comes from `guest`)");
            return;
        }
        if (_diskTaken)
        {
            domain.Note(disk, "a second disk: a Hangar VM has one disk (volumes are not in the fleet file yet)");
            return;
        }
        if (disk.Attribute("type")?.Value != "file" || source is null)
        {
            domain.Note(disk, $"a disk of type '{disk.Attribute("type")?.Value}': Hangar boots from an image file");
            return;
        }
        var driverType = disk.Element("driver")?.Attribute("type")?.Value;
        var format = driverType ?? "raw";
        if (format is not ("qcow2" or "raw"))
        {
            domain.Note(disk, $"a {format} image: Hangar takes qcow2 or raw (qemu-img convert makes one)");
            return;
        }
        _diskTaken = true;
        var sha256 = sha256Of?.Invoke(source);
        Disk = new ImportedImage(source, format == "raw" ? DiskFormat.Raw : DiskFormat.Qcow2, sha256);
        domain.Notes.Add(new LibvirtNote(LibvirtXml.Location(disk) + "/source",
            $"{source} becomes the base image of the VM's own qcow2 overlay: Hangar never writes to it"
            + (sha256 is null ? "; it cannot be read here, so fill in its sha256 (sha256sum)" : "")));
        if (disk.Element("target")?.Attribute("bus")?.Value is { } bus && bus != "virtio")
            domain.Note(disk.Element("target")!, $"bus '{bus}': Hangar attaches its disk as virtio-blk (the guest sees /dev/vda)");
        if (readOnly) domain.Note(disk.Element("readonly")!, "Hangar's VM writes to its own overlay of the image");
        if (driverType is null) domain.Note(disk, "no <driver type=…>: taken as raw (Hangar never probes a format); write format: qcow2 if it is one");
    }

    private void ReadInterface(XElement nic)
    {
        var type = nic.Attribute("type")?.Value;
        if (type == "bridge" && nic.Element("source")?.Attribute("bridge")?.Value is { } bridge)
        {
            var mac = nic.Element("mac")?.Attribute("address")?.Value;
            domain.Note(nic, $"not carried over yet: write it as interfaces: [{{type: user}}, {{type: bridge, bridge: {bridge}" + (mac is null ? "" : $", mac: \"{mac}\"") + "}]");
            return;
        }
        if (type != "user")
        {
            domain.Note(nic, $"Hangar has user-mode and bridge interfaces (a '{type}' interface has no equivalent)");
            return;
        }
        if (_interfaceTaken)
        {
            domain.Note(nic, "a second interface: a Hangar VM has one user-mode NIC");
            return;
        }
        _interfaceTaken = true;
        foreach (var element in nic.Elements())
        {
            switch (element.Name.LocalName)
            {
                case "mac":
                    if (!string.Equals(element.Attribute("address")?.Value, QemuDefaultMac, StringComparison.OrdinalIgnoreCase))
                        domain.Note(element, $"the fleet file has no MAC address yet; the guest gets QEMU's {QemuDefaultMac}");
                    break;
                case "model":
                    if (element.Attribute("type")?.Value != "virtio") domain.Note(element, "Hangar's NIC is virtio-net");
                    break;
                case "backend" when element.Attribute("type")?.Value is null or "passt":
                    break;
                case "address" or "alias":
                    // Where libvirt put the device on the PCI bus, and its name for it: QEMU places Hangar's NIC itself.
                    break;
                case "portForward":
                    ReadPortForward(element);
                    break;
                default:
                    domain.Note(element, "not carried over: Hangar's user-mode NIC has no such setting");
                    break;
            }
        }
    }

    private void ReadPortForward(XElement forward)
    {
        var protocol = forward.Attribute("proto")?.Value switch
        {
            "udp" => PortProtocol.Udp,
            "tcp" => PortProtocol.Tcp,
            var other => throw LibvirtXml.Error(forward, domain.File, $"proto='{other}'; a port forward is tcp or udp."),
        };
        if (forward.Attribute("address")?.Value is { } address && address != "127.0.0.1")
            domain.Note(forward, $"address {address}: Hangar's forwards bind 127.0.0.1 on the VM's host");
        foreach (var range in forward.Elements("range"))
        {
            var start = LibvirtXml.Port(range.Attribute("start"), domain.File) ?? throw LibvirtXml.Error(range, domain.File, "A <range> needs start='PORT'.");
            var end = LibvirtXml.Port(range.Attribute("end"), domain.File) ?? start;
            var to = LibvirtXml.Port(range.Attribute("to"), domain.File) ?? start;
            if (range.Attribute("exclude")?.Value == "yes" || end < start || to + (end - start) > 65535)
            {
                domain.Note(range, "an excluded or reversed range is not carried over");
                continue;
            }
            for (var port = start; port <= end; port++)
            {
                if (_forwards.Any(f => f.HostPort == port && f.Protocol == protocol))
                    domain.Note(range, $"host port {port} is forwarded twice; the first one is kept");
                else
                    _forwards.Add(new PortForward(port, to + (port - start), protocol));
            }
        }
    }

    /// <summary>A virtiofs <c>&lt;filesystem&gt;</c> becomes a share; 9p and other drivers are noted (Hangar's shares are virtiofs).</summary>
    private void ReadFilesystem(XElement device)
    {
        var driver = device.Element("driver")?.Attribute("type")?.Value;
        var source = device.Element("source")?.Attribute("dir")?.Value;
        var tag = device.Element("target")?.Attribute("dir")?.Value;
        if (driver != "virtiofs")
        {
            domain.Note(device, $"a {driver ?? "9p"} file system: Hangar's shares are virtiofs; write it as shares: {{{tag ?? "TAG"}: {{source: {source ?? "DIR"}}}}} and mount it in the guest with mount -t virtiofs");
            return;
        }
        if (source is null || tag is null || !source.StartsWith('/') || source.Contains(',') || !SpecPatterns.ShareTagRegex.IsMatch(tag) || _shares.Count >= SpecLimits.MaxShares)
        {
            domain.Note(device, $"a virtiofs file system Hangar cannot carry over (source '{source}', tag '{tag}'): a share needs an absolute directory without ',' and a tag of 1–36 letters, digits, '_' and '-'");
            return;
        }
        if (_shares.Any(s => s.Tag == tag))
        {
            domain.Note(device, $"a second file system with tag '{tag}': share tags are unique");
            return;
        }
        _shares.Add(new ShareSpec(tag, source, null, device.Element("readonly") is not null));
        domain.Note(device, $"share '{tag}' is mounted by the guest as before; give it a mountPoint to have Hangar's guests mount it at boot");
    }
}
