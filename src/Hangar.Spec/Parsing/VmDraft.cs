namespace Hangar.Spec.Parsing;

/// <summary>
/// What was read of one VM, with the locations the cross-field checks need. Fields start at their defaults and keep
/// them when the file omits the field or gives an invalid value (the error is reported; no spec is built then).
/// </summary>
internal sealed class VmDraft(string name)
{
    public string Name { get; } = name;

    public Located<string>? Image { get; set; }
    public int Vcpu { get; set; } = SpecDefaults.Vcpu;
    public ByteSize Memory { get; set; } = SpecDefaults.Memory;
    public ByteSize? Disk { get; set; }

    /// <summary>Where <c>memory</c> and <c>disk</c> were written, for checks against the image and the current generation.</summary>
    public Located<ByteSize>? MemoryField { get; set; }
    public Located<ByteSize>? DiskField { get; set; }

    /// <summary>The VM's mapping, where checks of a field the file leaves out are reported.</summary>
    public Located<string>? Mapping { get; set; }
    public Located<string>? KernelArgs { get; set; }
    public List<Located<PortForward>> Forwards { get; } = [];
    public bool Autostart { get; set; } = SpecDefaults.Autostart;
    public RestartPolicy Restart { get; set; } = SpecDefaults.Restart;

    public bool HasHealth { get; set; }
    public string? HealthSerial { get; set; }
    public Located<int>? HealthTcp { get; set; }
    public Located<HttpHealthCheck>? HealthHttp { get; set; }
    public ValueList<string>? HealthExec { get; set; }
    public TimeSpan HealthTimeout { get; set; } = SpecDefaults.HealthTimeout;
    public TimeSpan HealthInterval { get; set; } = SpecDefaults.HealthInterval;
    public int HealthFailures { get; set; } = SpecDefaults.HealthFailures;
    public bool HealthRestart { get; set; } = SpecDefaults.HealthRestart;

    /// <summary>The agent named in <c>placement.host</c>, where it was written (two VMs pinned there share its ports).</summary>
    public Located<string>? Host { get; set; }
    public List<PlacementLabel> Labels { get; } = [];
    public bool Movable { get; set; } = SpecDefaults.Movable;

    /// <summary>The VM's <c>guest</c> mapping as read (null without one or when it had errors), and where it was written.</summary>
    public GuestSpec? Guest { get; set; }

    /// <summary>The VM's <c>credentials</c> as read; null without the field (or when it had errors).</summary>
    public ValueList<CredentialSpec>? Credentials { get; set; }

    /// <summary>The VM's <c>identity</c> field as written; null without it.</summary>
    public Located<bool>? IdentityField { get; set; }

    /// <summary>The VM's host key as found (pending when it is still to be made); null for a VM without one.</summary>
    public VmIdentity? Identity { get; set; }

    /// <summary>Whether the VM gets a stable SSH host key: as <c>identity</c> says, else when it boots a cloud-init guest.</summary>
    public bool WantsIdentity => IdentityField?.Value ?? ((Image?.Value == BuiltinImages.Debian12 || GuestField is not null) && !UsesTiny);

    /// <summary>The VM's <c>volumes</c>, sorted by name; null without the field (or when it had errors).</summary>
    public ValueList<VolumeSpec>? Volumes { get; set; }

    /// <summary>The VM's <c>interfaces</c> as read; null without the field (one user-mode NIC) or when it had errors.</summary>
    public List<InterfaceDraft>? Interfaces { get; set; }

    /// <summary>Whether the VM has a user-mode network: without <c>interfaces</c>, always.</summary>
    public bool HasUserNetwork => Interfaces is null || Interfaces.Any(i => i.Type == InterfaceType.User);

    /// <summary>Whether the file asked for a vsock device; <see cref="ExplicitCid"/> when it gave the context id.</summary>
    public bool WantsVsock { get; set; }
    public Located<long>? ExplicitCid { get; set; }

    /// <summary>The vsock context id the VM gets (<see cref="AutomaticIds"/>); null for none.</summary>
    public long? VsockCid { get; set; }

    /// <summary>The VM's <c>shares</c>, sorted by tag; null without the field (or when it had errors), and where each mountPoint was written.</summary>
    public ValueList<ShareSpec>? Shares { get; set; }
    public List<Located<string>> ShareMountPoints { get; set; } = [];

    /// <summary><c>balloon</c> as written; false without it.</summary>
    public bool Balloon { get; set; }

    /// <summary>Whether the file asked for a VNC display (<c>display: vnc</c>).</summary>
    public bool WantsVnc { get; set; }

    /// <summary>The automatic VNC host port; null for none.</summary>
    public int? VncPort { get; set; }

    /// <summary>The automatic SSH host port (<see cref="SshPorts"/>); null for none.</summary>
    public int? SshPort { get; set; }

    /// <summary>Whether the VM boots a cloud-init guest that should be reachable over SSH without a forward of its own.</summary>
    public bool WantsSshPort => (Image?.Value == BuiltinImages.Debian12 || GuestField is not null) && !UsesTiny && HasUserNetwork
        && !Forwards.Any(f => f.Value.Protocol == PortProtocol.Tcp && f.Value.GuestPort == SpecDefaults.SshGuestPort);
    public Located<string>? GuestField { get; set; }

    /// <summary>The guest port of a tcp or http check, where it was written: it needs a tcp forward.</summary>
    public Located<int>? HealthGuestPort => HealthTcp ?? (HealthHttp is { } http ? new(http.Value.GuestPort, http.Node, http.Path) : null);

    public bool UsesTiny => Image?.Value == BuiltinImages.Tiny;

    /// <summary>The VM's spec; only meaningful when the file had no errors.</summary>
    public VmSpec ToSpec() => new(
        Name,
        Image?.Value ?? throw new InvalidOperationException($"VM '{Name}' has no image; the file had errors"),
        Vcpu,
        Memory,
        Disk,
        KernelArgs?.Value,
        new ValueList<PortForward>(Forwards.Select(f => f.Value).Concat(
            SshPort is { } ssh ? [new PortForward(ssh, SpecDefaults.SshGuestPort, PortProtocol.Tcp)] : [])),
        Autostart,
        Restart,
        HasHealth ? new HealthCheckSpec(HealthSerial, HealthTcp?.Value, HealthTimeout)
            {
                Http = HealthHttp?.Value,
                Exec = HealthExec,
                Interval = HealthInterval,
                Failures = HealthFailures,
                Restart = HealthRestart,
            }
            : UsesTiny ? SpecDefaults.TinyHealth
            : Image?.Value == BuiltinImages.Debian12 ? SpecDefaults.Debian12Health
            : null)
    {
        Placement = Host is null && Labels.Count == 0 && Movable == SpecDefaults.Movable
            ? VmPlacement.Anywhere
            : new VmPlacement(Host?.Value, new ValueList<PlacementLabel>(Labels.OrderBy(l => l.Key, StringComparer.Ordinal)), Movable),
        Guest = Guest,
        SshPort = SshPort,
        Credentials = Credentials is { Count: > 0 } credentials ? credentials : null,
        Identity = Identity,
        VncPort = VncPort,
        Volumes = Volumes is { Count: > 0 } volumes ? volumes : null,
        Interfaces = Interfaces is null ? null : new ValueList<NetworkInterfaceSpec>(Interfaces.Select(i => i.ToSpec())),
        VsockCid = VsockCid,
        Shares = Shares is { Count: > 0 } shares ? shares : null,
        Balloon = Balloon,
    };
}
