namespace Hangar.Spec.Libvirt;

/// <summary>What the importer took from a domain, before it is written as YAML.</summary>
internal sealed record ImportedVm(string Name, string Image, int Vcpu, ByteSize Memory)
{
    public ByteSize? Disk { get; init; }

    /// <summary>The image to declare under <c>images:</c>; null for a built-in image or one the domain does not describe.</summary>
    public ImportedImage? DeclaredImage { get; init; }

    public IReadOnlyList<PortForward> Forwards { get; init; } = [];

    /// <summary>A VNC display (<c>display: vnc</c>).</summary>
    public bool Vnc { get; init; }

    /// <summary>systemd credentials by name: a literal value (SMBIOS) or a host file (fw_cfg).</summary>
    public IReadOnlyList<(string Name, string Kind, string Value)> Credentials { get; init; } = [];

    /// <summary>A virtio memory balloon (<c>balloon: true</c>).</summary>
    public bool Balloon { get; init; }

    /// <summary>virtiofs file systems, as shares.</summary>
    public IReadOnlyList<ShareSpec> Shares { get; init; } = [];
}
