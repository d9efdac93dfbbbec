using System.Xml.Linq;

namespace Hangar.Spec.Libvirt;

/// <summary>One import: reads the domain's top-level elements (<see cref="DeviceReader"/> its devices) and collects the notes.</summary>
internal sealed class DomainReader(XElement root, string file, Func<string, string?>? sha256Of)
{
    private static readonly XNamespace Hangar = LibvirtDomainImporter.HangarNamespace;
    private static readonly XNamespace Qemu = LibvirtDomainImporter.QemuNamespace;

    public List<LibvirtNote> Notes { get; } = [];

    public string File => file;

    public void Note(XElement element, string reason) => Notes.Add(new LibvirtNote(LibvirtXml.Location(element), reason));

    public ImportedVm Read(string? requestedName)
    {
        var nameElement = root.Element("name") ?? throw LibvirtXml.Error(root, file, "The domain has no <name>.");
        var memoryElement = root.Element("memory") ?? throw LibvirtXml.Error(root, file, "The domain has no <memory>.");
        var vcpuElement = root.Element("vcpu") ?? throw LibvirtXml.Error(root, file, "The domain has no <vcpu>.");
        var hangar = root.Element("metadata")?.Element(Hangar + "vm");

        var name = requestedName ?? LibvirtDomainImporter.FleetName(nameElement.Value);
        if (requestedName is null && name != nameElement.Value)
            Note(nameElement, $"'{nameElement.Value}' is not a fleet-file name; the VM is '{name}' (--name gives another)");
        if (root.Attribute("type")?.Value is { } type and not ("kvm" or "qemu"))
            Notes.Add(new LibvirtNote("@type", $"a '{type}' domain; Hangar runs QEMU, with KVM or TCG as each host decides"));

        var memory = Memory(memoryElement);
        var vcpu = Vcpu(vcpuElement);
        var credentials = new List<(string, string, string)>();
        var devices = new DeviceReader(this, hangar is not null, sha256Of);
        foreach (var element in root.Elements())
        {
            if (element.Name.Namespace == Qemu)
            {
                foreach (var arg in element.Elements()) Note(arg, $"'{arg.Attribute("value")?.Value}': Hangar passes no QEMU arguments of yours");
                continue;
            }
            if (element.Name.Namespace != XNamespace.None)
            {
                Note(element, "not a libvirt element; ignored");
                continue;
            }
            switch (element.Name.LocalName)
            {
                case "name" or "memory" or "vcpu":
                    break;
                case "uuid":
                    Note(element, "Hangar gives a VM no fixed UUID (QEMU is started without -uuid)");
                    break;
                case "metadata":
                    foreach (var other in element.Elements().Where(e => e.Name != Hangar + "vm")) Note(other, "metadata of another program; not kept");
                    break;
                case "currentMemory":
                    if (LibvirtXml.Bytes(element, file) < LibvirtXml.Bytes(memoryElement, file))
                        Note(element, $"the guest starts with all of its memory ({memory}); hangar vm set NAME --balloon SIZE lowers it while it runs (with a balloon)");
                    break;
                case "os":
                    ReadOs(element, hangar is not null);
                    break;
                case "sysinfo":
                    ReadSysinfo(element, credentials);
                    break;
                case "features":
                    foreach (var feature in element.Elements().Where(f => f.Name.LocalName is not ("acpi" or "apic" or "pae")))
                        Note(feature, "Hangar sets no such feature (its VMs have ACPI and an APIC)");
                    break;
                case "cpu":
                    if (element.Attribute("mode")?.Value is not ("host-passthrough" or "host-model" or "maximum") || element.HasElements)
                        Note(element, "Hangar gives the host's CPU under KVM (-cpu host) and QEMU's maximum under TCG (-cpu max), with vcpu CPUs");
                    break;
                case "clock":
                    if (element.Attribute("offset")?.Value is not (null or "utc") || element.HasElements)
                        Note(element, "Hangar's guests keep UTC with QEMU's default timers");
                    break;
                case "on_poweroff" or "on_reboot" or "on_crash":
                    var expected = element.Name.LocalName == "on_reboot" ? "restart" : "destroy";
                    if (element.Value.Trim() != expected)
                        Note(element, $"'{element.Value.Trim()}': Hangar {(element.Name.LocalName == "on_reboot" ? "resets a rebooting guest in place" : "ends QEMU, and `restart:` in the fleet file says whether it starts again")}");
                    break;
                case "devices":
                    devices.Read(element);
                    break;
                case "memoryBacking":
                    // Hangar gives a VM with shares the shared memfd memory virtiofs needs, and other VMs plain memory.
                    break;
                case "seclabel" when element.Attribute("model")?.Value == "dac":
                    // Hangar's agent gives every VM's QEMU a user of its own (when it runs as root), not one the file names.
                    if (element.Attribute("type")?.Value != "static" || element.Element("label")?.Value is not { } label || !label.StartsWith('+'))
                        Note(element, "Hangar runs each VM's QEMU as a user id of its own from the agent's range (--qemu-uids), not a user the file names");
                    break;
                default:
                    Note(element, "not carried over: the fleet file has no equivalent");
                    break;
            }
        }

        var image = hangar?.Attribute("image")?.Value;
        ByteSize? disk = null;
        if (hangar?.Attribute("disk") is { } diskAttribute)
            disk = long.TryParse(diskAttribute.Value, out var bytes) && bytes > 0 ? new ByteSize(bytes) : throw LibvirtXml.Error(diskAttribute, file, $"disk='{diskAttribute.Value}' is not a size in bytes.");
        // The image takes the VM's name, unless that is a built-in image's (a VM may be called debian-12; an image may not).
        if (image is null && devices.Disk is not null) image = BuiltinImages.IsBuiltin(name) ? name + "-disk" : name;
        if (image is null)
        {
            image = BuiltinImages.Tiny;
            Notes.Add(new LibvirtNote("devices", "no disk Hangar can boot from: the VM boots Hangar's built-in 'tiny' image; give it an image of yours"));
        }
        if (BuiltinImages.MinMemoryOf(image, null) is { } floor && memory < floor)
        {
            Note(memoryElement, $"{memory} is less than image '{image}' boots with; the VM gets {floor}");
            memory = floor;
        }
        return new ImportedVm(name, image, vcpu, memory)
        {
            Disk = disk,
            DeclaredImage = hangar is null ? devices.Disk : null,
            Forwards = devices.Forwards,
            Vnc = devices.Vnc,
            Credentials = credentials,
            Balloon = devices.Balloon,
            Shares = devices.Shares,
        };
    }

    private ByteSize Memory(XElement element)
    {
        var bytes = LibvirtXml.Bytes(element, file);
        var mib = (bytes + ByteSize.MiB - 1) / ByteSize.MiB;
        if (mib * ByteSize.MiB != bytes) Note(element, $"{bytes} bytes is not a whole number of MiB; the VM gets {mib}MiB");
        if (mib < 64)
        {
            Note(element, $"{mib}MiB is less than Hangar's least memory; the VM gets 64MiB");
            mib = 64;
        }
        return ByteSize.FromMiB(mib);
    }

    private int Vcpu(XElement element)
    {
        var count = LibvirtXml.Number(element, file);
        if (element.Attribute("current")?.Value is { } current && current != element.Value.Trim())
            Note(element, $"current='{current}': Hangar starts a VM with all of its {count} vCPUs (no hot-plug)");
        if (count is >= 1 and <= 64) return (int)count;
        Note(element, $"{count} vCPUs; a Hangar VM has 1 to 64, so it gets {Math.Clamp(count, 1, 64)}");
        return (int)Math.Clamp(count, 1, 64);
    }

    private void ReadOs(XElement os, bool fromHangar)
    {
        foreach (var element in os.Elements())
        {
            switch (element.Name.LocalName)
            {
                case "type":
                    if (element.Attribute("arch")?.Value is { } arch && arch != "x86_64")
                        Note(element, $"arch '{arch}': Hangar runs x86_64 guests (qemu-system-x86_64)");
                    if (element.Attribute("machine")?.Value is { } machine && !machine.StartsWith("pc", StringComparison.Ordinal))
                        Note(element, $"machine '{machine}': Hangar's VMs are QEMU's 'pc' machine");
                    break;
                case "boot":
                    if (element.Attribute("dev")?.Value is { } dev && dev != "hd")
                        Note(element, $"boot from '{dev}': a Hangar VM boots its disk (or the kernel of a built-in image)");
                    break;
                case "kernel" or "initrd" or "cmdline":
                    // A domain Hangar wrote boots the kernel of its built-in image, which the image name brings back.
                    if (!fromHangar) Note(element, "Hangar boots a kernel directly only for its built-in images; the VM boots its disk");
                    break;
                case "smbios":
                    break;
                default:
                    Note(element, "not carried over: Hangar boots with QEMU's default firmware (SeaBIOS)");
                    break;
            }
        }
    }

    private void ReadSysinfo(XElement sysinfo, List<(string, string, string)> credentials)
    {
        const string oemPrefix = "io.systemd.credential:";
        const string fwCfgPrefix = "opt/io.systemd.credentials/";
        const string only = "only systemd credentials (io.systemd.credential:NAME=VALUE, opt/io.systemd.credentials/NAME) are carried over";
        if (sysinfo.Attribute("type")?.Value == "fwcfg")
        {
            foreach (var entry in sysinfo.Elements())
            {
                var key = entry.Attribute("name")?.Value ?? "";
                var name = key.StartsWith(fwCfgPrefix, StringComparison.Ordinal) ? key[fwCfgPrefix.Length..] : "";
                if (entry.Name.LocalName != "entry" || !SpecPatterns.CredentialNameRegex.IsMatch(name)) Note(entry, only);
                else if (entry.Attribute("file")?.Value is { } path) credentials.Add((name, "file", path));
                else credentials.Add((name, "value", entry.Value));
            }
            return;
        }
        foreach (var section in sysinfo.Elements())
        {
            if (section.Name.LocalName != "oemStrings")
            {
                Note(section, "SMBIOS fields other than OEM strings are not carried over");
                continue;
            }
            foreach (var entry in section.Elements())
            {
                var text = entry.Value;
                var eq = text.IndexOf('=');
                var name = text.StartsWith(oemPrefix, StringComparison.Ordinal) && eq > oemPrefix.Length ? text[oemPrefix.Length..eq] : "";
                if (SpecPatterns.CredentialNameRegex.IsMatch(name)) credentials.Add((name, "value", text[(eq + 1)..]));
                else Note(entry, only);
            }
        }
    }
}
