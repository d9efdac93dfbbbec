using System.Text;

namespace Hangar.Qemu;

/// <summary>
/// Everything needed to run one VM, already resolved: paths are host paths, formats are explicit. It knows
/// nothing of fleet files; the agent builds it from a VM spec. <see cref="QemuCommandLine.Build"/> turns it into
/// QEMU arguments. Two configs are equal when all their values, including list contents, are equal.
/// </summary>
public sealed record QemuVmConfig
{
    /// <summary>The longest unix socket path the kernel accepts (sun_path is 108 bytes including the NUL).</summary>
    public const int MaxSocketPathBytes = 107;

    /// <summary>The VM's name, shown by QEMU as <c>-name guest=</c>.</summary>
    public required string Name { get; init; }

    public required QemuAccelerator Accelerator { get; init; }

    /// <summary>Virtual CPUs, at least 1.</summary>
    public required int Vcpu { get; init; }

    /// <summary>Guest memory in MiB, at least 1.</summary>
    public required int MemoryMiB { get; init; }

    /// <summary>A kernel to boot directly (<c>-kernel</c>); null boots from firmware.</summary>
    public string? Kernel { get; init; }

    /// <summary>An initramfs for <see cref="Kernel"/>; only valid with a kernel.</summary>
    public string? Initrd { get; init; }

    /// <summary>The kernel command line (<c>-append</c>); only valid with a kernel.</summary>
    public string? KernelCommandLine { get; init; }

    /// <summary>Disks, attached in this order.</summary>
    public IReadOnlyList<QemuDrive> Drives { get; init; } = [];

    /// <summary>Port forwards; any forward turns on <see cref="Network"/>'s user-mode network.</summary>
    public IReadOnlyList<QemuPortForward> Forwards { get; init; } = [];

    /// <summary>Request a user-mode network with a virtio-net-pci NIC even without forwards.</summary>
    public bool Network { get; init; }

    /// <summary>The VM's NICs in guest order, when it declares them; empty for the single user-mode NIC of
    /// <see cref="Network"/> (with QEMU's default MAC). At most one is on the user-mode network; forwards go to it.</summary>
    public IReadOnlyList<QemuNic> Nics { get; init; } = [];

    /// <summary>A vhost-vsock device with this guest context id (3 and up); null for none.</summary>
    public long? VsockCid { get; init; }

    /// <summary>The VM's virtiofs devices. With any, the guest's memory is one shared memfd (vhost-user needs it).</summary>
    public IReadOnlyList<QemuShare> Shares { get; init; } = [];

    /// <summary>A virtio balloon device (<c>balloon0</c>). Not deflate-on-oom (as libvirt): an inflated balloon lowers the guest's MemTotal.</summary>
    public bool Balloon { get; init; }

    /// <summary>Files for the firmware config device (systemd credentials go here as <c>opt/io.systemd.credentials/NAME</c>).</summary>
    public IReadOnlyList<QemuFwCfgFile> FwCfgFiles { get; init; } = [];

    /// <summary>SMBIOS type 11 OEM strings (<c>-smbios type=11,value=…</c>), such as <c>io.systemd.credential:NAME=VALUE</c>.</summary>
    public IReadOnlyList<string> OemStrings { get; init; } = [];

    /// <summary>A VNC display on 127.0.0.1 at this TCP port (5900 and up: QEMU numbers displays from 5900), with a
    /// standard VGA card to show; null for none (the default: no display device at all).</summary>
    public int? VncPort { get; init; }

    /// <summary>The first port of a VNC display (display 0).</summary>
    public const int VncBasePort = 5900;

    public required QemuRuntimePaths Paths { get; init; }

    /// <summary>QEMU's seccomp filter and the user it drops to; sandboxed as the agent's user unless set.</summary>
    public QemuConfinement Confinement { get; init; } = QemuConfinement.Sandboxed;

    /// <summary>The QEMU executable, looked up on PATH unless absolute.</summary>
    public string Binary { get; init; } = "qemu-system-x86_64";

    /// <summary>Whether the VM gets a network: requested, or needed by a forward.</summary>
    public bool HasNetwork => Nics.Count > 0 ? Nics.Any(n => n.Tap is null) : Network || Forwards.Count > 0;

    /// <summary>Every problem with this config, empty when it is valid. Pure: nothing is checked on disk.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) errors.Add("Name must not be empty.");
        if (!Enum.IsDefined(Accelerator)) errors.Add($"Accelerator {(int)Accelerator} is not Kvm or Tcg.");
        if (Vcpu < 1) errors.Add($"Vcpu is {Vcpu}; it must be at least 1.");
        if (MemoryMiB < 1) errors.Add($"MemoryMiB is {MemoryMiB}; it must be at least 1.");
        if (Kernel is null && Initrd is not null) errors.Add("Initrd is set without a Kernel.");
        if (Kernel is null && KernelCommandLine is not null) errors.Add("KernelCommandLine is set without a Kernel.");
        if (string.IsNullOrWhiteSpace(Binary)) errors.Add("Binary must not be empty.");
        if (VncPort is { } vnc && vnc is < VncBasePort or > 65535) errors.Add($"VncPort is {vnc}; it must be from {VncBasePort} to 65535.");
        ValidateDrives(errors);
        ValidateForwards(errors);
        ValidateNics(errors);
        ValidateShares(errors);
        if (VsockCid is { } cid && cid is < 3 or > 0xFFFF_FFFEL) errors.Add($"VsockCid is {cid}; it must be from 3 to 4294967294.");
        ValidateFirmwareStrings(errors);
        ValidatePaths(errors);
        errors.AddRange(Confinement.Validate());
        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem when <see cref="Validate"/> finds any.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                $"The QEMU configuration of VM '{Name}' is not valid: {string.Join(" ", errors)}");
        }
    }

    private void ValidateDrives(List<string> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Drives.Count; i++)
        {
            var drive = Drives[i];
            if (string.IsNullOrEmpty(drive.Path)) errors.Add($"Drives[{i}].Path must not be empty.");
            if (drive.Format is not ("qcow2" or "raw"))
                errors.Add($"Drives[{i}].Format is '{drive.Format}'; it must be 'qcow2' or 'raw'.");
            if (!IsQemuId(drive.Id))
                errors.Add($"Drives[{i}].Id is '{drive.Id}'; it must start with a letter and hold only letters, digits, '-', '.' and '_'.");
            else if (!ids.Add(drive.Id))
                errors.Add($"Drives[{i}].Id '{drive.Id}' is used by another drive.");
            else if (drive.Id == "net0")
                errors.Add($"Drives[{i}].Id 'net0' is reserved for the network.");
            if (drive.Serial is { } serial && (serial.Length is 0 or > 20 || !serial.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
                errors.Add($"Drives[{i}].Serial is '{serial}'; it must be 1-20 letters, digits and '-' (virtio-blk serials hold 20 bytes).");
        }
    }

    private void ValidateShares(List<string> errors)
    {
        var ids = new HashSet<string>(Drives.Select(d => d.Id).Concat(Nics.Select(n => n.Id)), StringComparer.Ordinal);
        var tags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Shares.Count; i++)
        {
            var share = Shares[i];
            if (!IsQemuId(share.Id)) errors.Add($"Shares[{i}].Id is '{share.Id}'; it must start with a letter and hold only letters, digits, '-', '.' and '_'.");
            else if (!ids.Add(share.Id)) errors.Add($"Shares[{i}].Id '{share.Id}' is used by another device.");
            if (share.Tag.Length is 0 || System.Text.Encoding.UTF8.GetByteCount(share.Tag) > QemuShare.MaxTagBytes || share.Tag.Contains(','))
                errors.Add($"Shares[{i}].Tag is '{share.Tag}'; it must be 1-{QemuShare.MaxTagBytes} bytes without ','.");
            else if (!tags.Add(share.Tag)) errors.Add($"Shares[{i}].Tag '{share.Tag}' is used by another share.");
            if (string.IsNullOrEmpty(share.Socket)) errors.Add($"Shares[{i}].Socket must not be empty.");
        }
    }

    private void ValidateForwards(List<string> errors)
    {
        var hostPorts = new HashSet<(string, string, int)>();
        for (var i = 0; i < Forwards.Count; i++)
        {
            var forward = Forwards[i];
            if (forward.Protocol is not ("tcp" or "udp"))
                errors.Add($"Forwards[{i}].Protocol is '{forward.Protocol}'; it must be 'tcp' or 'udp'.");
            if (string.IsNullOrEmpty(forward.HostAddress) || forward.HostAddress.IndexOfAny([',', ':', '-']) >= 0)
                errors.Add($"Forwards[{i}].HostAddress is '{forward.HostAddress}'; it must be an IPv4 address such as 127.0.0.1.");
            if (forward.HostPort is < 1 or > 65535)
                errors.Add($"Forwards[{i}].HostPort is {forward.HostPort}; it must be 1..65535.");
            if (forward.GuestPort is < 1 or > 65535)
                errors.Add($"Forwards[{i}].GuestPort is {forward.GuestPort}; it must be 1..65535.");
            if (!hostPorts.Add((forward.Protocol, forward.HostAddress, forward.HostPort)))
                errors.Add($"Forwards[{i}] forwards {forward.Protocol} {forward.HostAddress}:{forward.HostPort} a second time.");
        }
    }

    private void ValidateNics(List<string> errors)
    {
        var ids = new HashSet<string>(Drives.Select(d => d.Id), StringComparer.Ordinal);
        var taps = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Nics.Count; i++)
        {
            var nic = Nics[i];
            if (!IsQemuId(nic.Id)) errors.Add($"Nics[{i}].Id is '{nic.Id}'; it must start with a letter and hold only letters, digits, '-', '.' and '_'.");
            else if (!ids.Add(nic.Id)) errors.Add($"Nics[{i}].Id '{nic.Id}' is used by another NIC or drive.");
            if (nic.Mac is { } mac && (mac.Length != 17 || !mac.Split(':').All(b => b.Length == 2 && b.All(char.IsAsciiHexDigit))))
                errors.Add($"Nics[{i}].Mac is '{mac}'; it must be six pairs of hex digits separated by ':'.");
            if (nic.Tap is { } tap && (tap.Length is 0 or > QemuNic.MaxTapNameBytes || !tap.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                errors.Add($"Nics[{i}].Tap is '{tap}'; it must be 1-{QemuNic.MaxTapNameBytes} letters, digits, '-', '_' and '.'.");
            else if (nic.Tap is { } name && !taps.Add(name)) errors.Add($"Nics[{i}].Tap '{name}' is used by another NIC.");
        }
        if (Nics.Count(n => n.Tap is null) > 1) errors.Add("More than one NIC is on the user-mode network.");
        if (Nics.Count > 0 && Forwards.Count > 0 && Nics.All(n => n.Tap is not null)) errors.Add("Forwards need a NIC on the user-mode network.");
    }

    private void ValidateFirmwareStrings(List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < FwCfgFiles.Count; i++)
        {
            var file = FwCfgFiles[i];
            if (file.Name is null || !file.Name.StartsWith("opt/", StringComparison.Ordinal) || file.Name.Length == 4 || file.Name.Contains('\0'))
                errors.Add($"FwCfgFiles[{i}].Name is '{file.Name}'; it must start with 'opt/' and go on.");
            else if (Encoding.UTF8.GetByteCount(file.Name) > QemuFwCfgFile.MaxNameBytes)
                errors.Add($"FwCfgFiles[{i}].Name '{file.Name}' is {Encoding.UTF8.GetByteCount(file.Name)} bytes; fw_cfg names hold at most {QemuFwCfgFile.MaxNameBytes}.");
            else if (!names.Add(file.Name))
                errors.Add($"FwCfgFiles[{i}].Name '{file.Name}' is used by another file.");
            if (string.IsNullOrEmpty(file.Path)) errors.Add($"FwCfgFiles[{i}].Path must not be empty.");
        }
        for (var i = 0; i < OemStrings.Count; i++)
            if (string.IsNullOrEmpty(OemStrings[i]) || OemStrings[i].Contains('\0'))
                errors.Add($"OemStrings[{i}] must not be empty nor hold a NUL.");
    }

    private void ValidatePaths(List<string> errors)
    {
        if (Paths is null)
        {
            errors.Add("Paths must be set.");
            return;
        }
        foreach (var (field, path) in new[] { ("QmpSocket", Paths.QmpSocket), ("ConsoleSocket", Paths.ConsoleSocket), ("GuestAgentSocket", Paths.GuestAgentSocket ?? "-") })
        {
            if (string.IsNullOrEmpty(path))
                errors.Add($"Paths.{field} must not be empty.");
            else if (Encoding.UTF8.GetByteCount(path) > MaxSocketPathBytes)
                errors.Add($"Paths.{field} '{path}' is {Encoding.UTF8.GetByteCount(path)} bytes; unix socket paths must be at most {MaxSocketPathBytes} bytes, so use a shorter runtime directory.");
        }
        if (string.IsNullOrEmpty(Paths.Directory)) errors.Add("Paths.Directory must not be empty.");
        if (string.IsNullOrEmpty(Paths.SerialLog)) errors.Add("Paths.SerialLog must not be empty.");
        if (string.IsNullOrEmpty(Paths.PidFile)) errors.Add("Paths.PidFile must not be empty.");
    }

    private static bool IsQemuId(string? id) =>
        !string.IsNullOrEmpty(id)
        && char.IsAsciiLetter(id[0])
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');

    public bool Equals(QemuVmConfig? other) =>
        other is not null
        && Name == other.Name
        && Accelerator == other.Accelerator
        && Vcpu == other.Vcpu
        && MemoryMiB == other.MemoryMiB
        && Kernel == other.Kernel
        && Initrd == other.Initrd
        && KernelCommandLine == other.KernelCommandLine
        && Drives.SequenceEqual(other.Drives)
        && Forwards.SequenceEqual(other.Forwards)
        && Network == other.Network
        && Nics.SequenceEqual(other.Nics)
        && VsockCid == other.VsockCid
        && FwCfgFiles.SequenceEqual(other.FwCfgFiles)
        && OemStrings.SequenceEqual(other.OemStrings)
        && VncPort == other.VncPort
        && Shares.SequenceEqual(other.Shares)
        && Balloon == other.Balloon
        && Paths == other.Paths
        && Confinement == other.Confinement
        && Binary == other.Binary;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Name);
        hash.Add(Accelerator);
        hash.Add(Vcpu);
        hash.Add(MemoryMiB);
        hash.Add(Kernel);
        hash.Add(Initrd);
        hash.Add(KernelCommandLine);
        foreach (var drive in Drives) hash.Add(drive);
        foreach (var forward in Forwards) hash.Add(forward);
        hash.Add(Network);
        foreach (var nic in Nics) hash.Add(nic);
        hash.Add(VsockCid);
        foreach (var file in FwCfgFiles) hash.Add(file);
        foreach (var text in OemStrings) hash.Add(text);
        hash.Add(VncPort);
        foreach (var share in Shares) hash.Add(share);
        hash.Add(Balloon);
        hash.Add(Paths);
        hash.Add(Confinement);
        hash.Add(Binary);
        return hash.ToHashCode();
    }
}
