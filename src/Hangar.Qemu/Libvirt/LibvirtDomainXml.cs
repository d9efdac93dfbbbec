using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Hangar.Qemu.Libvirt;

/// <summary>
/// The libvirt domain (<c>&lt;domain type='kvm'|'qemu'&gt;</c>, libvirt's domain XML format) that runs the VM the way
/// <see cref="QemuCommandLine.Build"/> runs it: the same machine, CPU, memory, kernel, disks, network, serial console
/// and guest agent channel, from the same <see cref="QemuVmConfig"/>, so the two cannot drift. A pure function.
/// </summary>
/// <remarks>
/// What has no element here: the credentials Hangar hands over through fw_cfg (a secret's plaintext exists only while
/// QEMU starts, in a file Hangar removes), which are named in a comment and never given a path, and likewise the path of
/// a seed that holds the VM's host key (<see cref="HangarDomainMetadata.SecretDriveIds"/>); SMBIOS strings are
/// libvirt's <c>&lt;sysinfo&gt;</c>. Hangar passes QEMU nothing else that libvirt lacks an element for, so the domain
/// needs no <c>&lt;qemu:commandline&gt;</c>. Paths are those of the VM's host.
/// </remarks>
public static class LibvirtDomainXml
{
    /// <summary>The namespace of Hangar's own element in <c>&lt;metadata&gt;</c>.</summary>
    public const string HangarNamespace = "https://hangar.dev/libvirt/vm/1";

    /// <summary>The MAC address QEMU gives the first NIC when none is set, as Hangar's NIC has (<c>-nodefaults</c> does not change it).</summary>
    public const string QemuDefaultMac = "52:54:00:12:34:56";

    private static readonly XNamespace Hangar = HangarNamespace;

    /// <summary>The domain as XML text, indented, without an XML declaration (as <c>virsh dumpxml</c> prints it).</summary>
    /// <exception cref="ArgumentException">The config is not valid (<see cref="QemuVmConfig.Validate"/>).</exception>
    public static string Write(QemuVmConfig config, HangarDomainMetadata metadata)
    {
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", OmitXmlDeclaration = true, NewLineChars = "\n" };
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var writer = XmlWriter.Create(text, settings)) Build(config, metadata).Save(writer);
        return text + "\n";
    }

    /// <summary>The domain as an XML tree.</summary>
    /// <exception cref="ArgumentException">The config is not valid (<see cref="QemuVmConfig.Validate"/>).</exception>
    public static XDocument Build(QemuVmConfig config, HangarDomainMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(metadata);
        config.EnsureValid();
        var kvm = config.Accelerator == QemuAccelerator.Kvm;
        var memoryKiB = (config.MemoryMiB * 1024L).ToString(CultureInfo.InvariantCulture);
        var domain = new XElement("domain", new XAttribute("type", kvm ? "kvm" : "qemu"),
            new XComment($" Written by Hangar from the QEMU configuration of VM {config.Name} on agent {metadata.Agent}; paths are on that agent's host. "),
            new XElement("name", config.Name),
            new XElement("metadata", Metadata(metadata)),
            new XElement("memory", new XAttribute("unit", "KiB"), memoryKiB),
            new XElement("currentMemory", new XAttribute("unit", "KiB"), memoryKiB),
            new XElement("vcpu", new XAttribute("placement", "static"), config.Vcpu.ToString(CultureInfo.InvariantCulture)));
        // virtiofs needs the guest's memory shared with virtiofsd: QEMU's memory-backend-memfd,share=on.
        if (config.Shares.Count > 0)
            domain.Add(new XElement("memoryBacking", new XElement("source", new XAttribute("type", "memfd")), new XElement("access", new XAttribute("mode", "shared"))));
        if (config.OemStrings.Count > 0)
        {
            domain.Add(new XElement("sysinfo", new XAttribute("type", "smbios"),
                new XElement("oemStrings", config.OemStrings.Select(s => new XElement("entry", s)))));
        }
        domain.Add(
            Os(config),
            new XElement("features", new XElement("acpi")),
            // -cpu host under KVM, -cpu max under TCG.
            new XElement("cpu", new XAttribute("mode", kvm ? "host-passthrough" : "maximum")),
            Devices(config, metadata.SecretDriveIds));
        // -runas UID:GID: libvirt's DAC driver runs QEMU as that user (libvirt before exec, QEMU after start-up).
        if (config.Confinement.Uid is { } uid)
        {
            domain.Add(new XElement("seclabel", new XAttribute("type", "static"), new XAttribute("model", "dac"), new XAttribute("relabel", "no"),
                new XElement("label", string.Create(CultureInfo.InvariantCulture, $"+{uid}:+{config.Confinement.Gid}"))));
        }
        if (config.Confinement.Sandbox)
            domain.Add(new XComment($" QEMU runs under -sandbox {config.Confinement.SandboxOptions}: libvirt's is seccomp_sandbox = 1 in qemu.conf. "));
        return new XDocument(domain);
    }

    private static XElement Metadata(HangarDomainMetadata metadata)
    {
        var vm = new XElement(Hangar + "vm", new XAttribute(XNamespace.Xmlns + "hangar", HangarNamespace),
            new XAttribute("image", metadata.Image), new XAttribute("agent", metadata.Agent));
        if (metadata.DiskBytes is { } disk) vm.Add(new XAttribute("disk", disk.ToString(CultureInfo.InvariantCulture)));
        return vm;
    }

    private static XElement Os(QemuVmConfig config)
    {
        var os = new XElement("os",
            new XElement("type", new XAttribute("arch", "x86_64"), new XAttribute("machine", "pc"), "hvm"));
        if (config.Kernel is { } kernel)
        {
            os.Add(new XElement("kernel", kernel));
            if (config.Initrd is { } initrd) os.Add(new XElement("initrd", initrd));
            if (config.KernelCommandLine is { } cmdline) os.Add(new XElement("cmdline", cmdline));
        }
        else
        {
            os.Add(new XElement("boot", new XAttribute("dev", "hd")));
        }
        if (config.OemStrings.Count > 0) os.Add(new XElement("smbios", new XAttribute("mode", "sysinfo")));
        return os;
    }

    private static XElement Devices(QemuVmConfig config, IReadOnlyList<string> secretDrives)
    {
        var devices = new XElement("devices");
        for (var i = 0; i < config.Drives.Count; i++)
        {
            var drive = config.Drives[i];
            var secret = secretDrives.Contains(drive.Id);
            var disk = new XElement("disk", new XAttribute("type", "file"), new XAttribute("device", "disk"),
                drive.ReadOnly
                    ? new XElement("driver", new XAttribute("name", "qemu"), new XAttribute("type", drive.Format))
                    : new XElement("driver", new XAttribute("name", "qemu"), new XAttribute("type", drive.Format), new XAttribute("discard", "unmap")),
                secret
                    ? new XComment(" Its file holds the VM's SSH host key: Hangar writes it on a tmpfs at each start and removes it; not written here. ")
                    : new XElement("source", new XAttribute("file", drive.Path)),
                new XElement("target", new XAttribute("dev", VirtioDiskName(i)), new XAttribute("bus", "virtio")));
            if (drive.ReadOnly) disk.Add(new XElement("readonly"));
            if (drive.Serial is { } serial) disk.Add(new XElement("serial", serial)); // a named volume: the guest finds it by it
            devices.Add(disk);
        }
        if (config.Nics.Count > 0)
        {
            foreach (var nic in config.Nics)
                devices.Add(nic.Tap is null ? Interface(config, nic.Mac ?? QemuDefaultMac) : BridgeInterface(nic));
        }
        else if (config.HasNetwork) devices.Add(Interface(config, QemuDefaultMac));
        if (config.VsockCid is { } cid)
            devices.Add(new XElement("vsock", new XAttribute("model", "virtio"),
                new XElement("cid", new XAttribute("auto", "no"), new XAttribute("address", cid.ToString(CultureInfo.InvariantCulture)))));
        foreach (var share in config.Shares)
        {
            var filesystem = new XElement("filesystem", new XAttribute("type", "mount"), new XAttribute("accessmode", "passthrough"),
                new XElement("driver", new XAttribute("type", "virtiofs")),
                new XElement("source", new XAttribute("dir", share.Source ?? "")),
                new XElement("target", new XAttribute("dir", share.Tag)));
            if (share.ReadOnly) filesystem.Add(new XElement("readonly"));
            devices.Add(filesystem);
        }
        devices.Add(
            new XElement("serial", new XAttribute("type", "unix"),
                new XElement("source", new XAttribute("mode", "bind"), new XAttribute("path", config.Paths.ConsoleSocket)),
                new XElement("log", new XAttribute("file", config.Paths.SerialLog), new XAttribute("append", "on")),
                new XElement("target", new XAttribute("type", "isa-serial"), new XAttribute("port", "0"),
                    new XElement("model", new XAttribute("name", "isa-serial")))),
            new XElement("console", new XAttribute("type", "unix"),
                new XElement("source", new XAttribute("mode", "bind"), new XAttribute("path", config.Paths.ConsoleSocket)),
                new XElement("target", new XAttribute("type", "serial"), new XAttribute("port", "0"))));
        if (config.Paths.GuestAgentSocket is { } guestAgent)
        {
            devices.Add(new XElement("channel", new XAttribute("type", "unix"),
                new XElement("source", new XAttribute("mode", "bind"), new XAttribute("path", guestAgent)),
                new XElement("target", new XAttribute("type", "virtio"), new XAttribute("name", QemuCommandLine.GuestAgentPortName))));
        }
        if (config.VncPort is { } vnc)
        {
            // -device VGA -vnc 127.0.0.1:N (display N is port 5900 + N).
            devices.Add(
                new XElement("graphics", new XAttribute("type", "vnc"), new XAttribute("port", vnc.ToString(CultureInfo.InvariantCulture)),
                    new XAttribute("autoport", "no"), new XAttribute("listen", "127.0.0.1"),
                    new XElement("listen", new XAttribute("type", "address"), new XAttribute("address", "127.0.0.1"))),
                new XElement("video", new XElement("model", new XAttribute("type", "vga"))));
        }
        foreach (var file in config.FwCfgFiles)
        {
            // Never the file's path: for a secret it is where Hangar puts the plaintext for the moment QEMU starts.
            devices.Add(new XComment($" fw_cfg {file.Name}: a credential Hangar delivers at each start; not written here. "));
        }
        // -nodefaults: QEMU gets no USB controller and no balloon (unless the VM has one), which libvirt would otherwise add
        // (nor a display, unless VNC).
        devices.Add(
            new XElement("controller", new XAttribute("type", "usb"), new XAttribute("model", "none")),
            new XElement("memballoon", new XAttribute("model", config.Balloon ? "virtio" : "none")));
        return devices;
    }

    /// <summary>A tap on a host bridge, as libvirt has it: libvirt makes the tap (named <c>target dev</c>) and enslaves it.</summary>
    private static XElement BridgeInterface(QemuNic nic) =>
        new("interface", new XAttribute("type", "bridge"),
            new XElement("mac", new XAttribute("address", nic.Mac ?? QemuDefaultMac)),
            new XElement("source", new XAttribute("bridge", nic.Bridge ?? "")),
            new XElement("target", new XAttribute("dev", nic.Tap!)),
            new XElement("model", new XAttribute("type", "virtio")));

    private static XElement Interface(QemuVmConfig config, string mac)
    {
        var nic = new XElement("interface", new XAttribute("type", "user"),
            new XElement("mac", new XAttribute("address", mac)),
            new XElement("model", new XAttribute("type", "virtio")));
        if (config.Forwards.Count == 0) return nic;
        // Hangar uses QEMU's own user network (slirp) with hostfwd=; libvirt forwards ports of a user interface only
        // with its passt backend, so that is what the domain asks for.
        nic.Add(new XComment(" Hangar forwards these with QEMU's user network (hostfwd); libvirt does it with passt. "));
        foreach (var forward in config.Forwards)
        {
            nic.Add(new XElement("portForward", new XAttribute("proto", forward.Protocol), new XAttribute("address", forward.HostAddress),
                new XElement("range", new XAttribute("start", forward.HostPort.ToString(CultureInfo.InvariantCulture)),
                    new XAttribute("to", forward.GuestPort.ToString(CultureInfo.InvariantCulture)))));
        }
        nic.Add(new XElement("backend", new XAttribute("type", "passt")));
        return nic;
    }

    /// <summary>vda, vdb, … vdz, vdaa, vdab, … as libvirt names virtio disks.</summary>
    internal static string VirtioDiskName(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) name = (char)('a' + (n - 1) % 26) + name;
        return "vd" + name;
    }
}
