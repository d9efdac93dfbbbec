using Hangar.Spec;

namespace Hangar.Protocol.Agent.Wire;

/// <summary>
/// The one place where fleet-file records (<see cref="VmSpec"/>, <see cref="ImageSpec"/>) become the agent protocol's
/// own records and back. The control plane maps each <see cref="DesiredVm"/> with <see cref="ToWire(DesiredVm)"/>;
/// the agent maps what it receives back with <see cref="FromWire(WireDesiredVm)"/> and works on the spec records.
/// <c>FromWire(ToWire(vm)) == vm</c>, except that an image's <see cref="ImageSpec.MinMemory"/> (a plan-time check of
/// the control plane) and its <see cref="ImageSpec.Path"/> (a file on the CLI's machine) are not sent. Compare the mapped records, not the wire ones: the wire records' lists compare by
/// reference.
/// </summary>
public static class WireMapping
{
    public static WireDesiredVm ToWire(DesiredVm vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        return new WireDesiredVm(ToWire(vm.Spec), vm.Image is null ? null : ToWire(vm.Image, vm.ImageBytes), vm.Running, vm.RestartNonce);
    }

    public static DesiredVm FromWire(WireDesiredVm vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        return new DesiredVm(FromWire(vm.Spec), vm.Image is null ? null : FromWire(vm.Image), vm.Running, vm.RestartNonce, vm.Image?.SizeBytes);
    }

    public static WireVm ToWire(VmSpec spec) => new(
        spec.Name,
        spec.Image,
        spec.Vcpu,
        spec.Memory.Bytes,
        spec.Disk?.Bytes,
        spec.KernelArgs,
        spec.Forwards.Select(f => new WireForward(f.HostPort, f.GuestPort, ToWire(f.Protocol))).ToArray(),
        spec.Autostart,
        ToWire(spec.Restart),
        spec.Health is null ? null : ToWire(spec.Health),
        spec.Guest is null ? null : ToWire(spec.Guest),
        spec.SshPort,
        spec.Credentials?.Select(c => new WireCredential(c.Name, ToWire(c.Kind), c.Source, c.Ciphertext, c.DecryptInGuest)).ToArray(),
        // A key still to be made (a plan's) never reaches an agent: the VM runs without one rather than half of one.
        spec.Identity is { IsPending: false } identity ? new WireIdentity(identity.PublicKey!, identity.Ciphertext!) : null,
        spec.VncPort,
        spec.Volumes?.Select(v => new WireVolume(v.Name, v.Size.Bytes, ToWire(v.Format))).ToArray(),
        spec.Interfaces?.Select(i => new WireInterface(i.Type == InterfaceType.Bridge ? WireInterfaceType.Bridge : WireInterfaceType.User, i.Mac, i.Bridge, i.Address)).ToArray(),
        spec.VsockCid,
        spec.Shares?.Select(s => new WireShare(s.Tag, s.Source, s.MountPoint, s.ReadOnly)).ToArray(),
        spec.Balloon ? true : null);

    public static VmSpec FromWire(WireVm vm) => new(
        vm.Name,
        vm.Image,
        vm.Vcpu,
        new ByteSize(vm.MemoryBytes),
        vm.DiskBytes is { } disk ? new ByteSize(disk) : null,
        vm.KernelArgs,
        new ValueList<PortForward>(vm.Forwards.Select(f => new PortForward(f.HostPort, f.GuestPort, FromWire(f.Protocol)))),
        vm.Autostart,
        FromWire(vm.Restart),
        vm.Health is null ? null : FromWire(vm.Health))
    {
        Guest = vm.Guest is null ? null : FromWire(vm.Guest),
        SshPort = vm.SshPort,
        Credentials = vm.Credentials is { } credentials
            ? new ValueList<CredentialSpec>(credentials.Select(c => new CredentialSpec(c.Name, FromWire(c.Kind), c.Source) { Ciphertext = c.Ciphertext, DecryptInGuest = c.Sealed }))
            : null,
        Identity = vm.Identity is { } identity ? new VmIdentity(identity.PublicKey) { Ciphertext = identity.Ciphertext } : null,
        VncPort = vm.VncPort,
        Volumes = vm.Volumes is { } volumes ? new ValueList<VolumeSpec>(volumes.Select(v => new VolumeSpec(v.Name, new ByteSize(v.SizeBytes), FromWire(v.Format)))) : null,
        Interfaces = vm.Interfaces is { } interfaces
            ? new ValueList<NetworkInterfaceSpec>(interfaces.Select(i => new NetworkInterfaceSpec(i.Type == WireInterfaceType.Bridge ? InterfaceType.Bridge : InterfaceType.User, i.Bridge, i.Mac, i.Address)))
            : null,
        VsockCid = vm.VsockCid,
        Shares = vm.Shares is { } shares ? new ValueList<ShareSpec>(shares.Select(s => new ShareSpec(s.Tag, s.Source, s.MountPoint, s.ReadOnly))) : null,
        Balloon = vm.Balloon == true,
    };

    private static WireCredentialKind ToWire(CredentialKind kind) => kind switch
    {
        CredentialKind.Secret => WireCredentialKind.Secret,
        CredentialKind.Value => WireCredentialKind.Value,
        CredentialKind.File => WireCredentialKind.File,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a credential kind"),
    };

    private static CredentialKind FromWire(WireCredentialKind kind) => kind switch
    {
        WireCredentialKind.Secret => CredentialKind.Secret,
        WireCredentialKind.Value => CredentialKind.Value,
        WireCredentialKind.File => CredentialKind.File,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a credential kind"),
    };

    public static WireGuest ToWire(GuestSpec guest) => new(
        guest.Hostname,
        guest.Users.Select(u => new WireGuestUser(u.Name, u.SshAuthorizedKeys.ToArray(), u.Sudo)).ToArray(),
        guest.RootPasswordHash,
        guest.Packages.ToArray(),
        guest.WriteFiles.Select(f => new WireGuestFile(f.Path, f.Content, f.Permissions)).ToArray(),
        guest.Runcmd.ToArray(),
        guest.Timezone);

    public static GuestSpec FromWire(WireGuest guest) => new(
        guest.Hostname,
        new ValueList<GuestUser>(guest.Users.Select(u => new GuestUser(u.Name, new ValueList<string>(u.SshAuthorizedKeys), u.Sudo))),
        guest.RootPasswordHash,
        new ValueList<string>(guest.Packages),
        new ValueList<GuestFile>(guest.WriteFiles.Select(f => new GuestFile(f.Path, f.Content, f.Permissions))),
        new ValueList<string>(guest.Runcmd),
        guest.Timezone);

    public static WireHealthCheck ToWire(HealthCheckSpec health) => new(
        health.SerialMarker,
        health.TcpGuestPort,
        health.Timeout,
        health.Http is { } http
            ? new WireHttpCheck(http.GuestPort, http.Path, http.Status.Select(r => new WireStatusRange(r.Min, r.Max)).ToArray())
            : null,
        health.Interval,
        health.Failures,
        health.Restart)
    {
        Exec = health.Exec?.ToArray(),
    };

    public static HealthCheckSpec FromWire(WireHealthCheck health) => new(health.SerialMarker, health.TcpGuestPort, health.Timeout)
    {
        Http = health.Http is { } http
            ? new HttpHealthCheck(http.GuestPort, http.Path, new ValueList<HttpStatusRange>(http.Status.Select(r => new HttpStatusRange(r.Min, r.Max))))
            : null,
        Interval = health.Interval ?? SpecDefaults.HealthInterval,
        Failures = health.Failures ?? SpecDefaults.HealthFailures,
        Restart = health.Restart ?? SpecDefaults.HealthRestart,
        Exec = health.Exec is { } exec ? new ValueList<string>(exec) : null,
    };

    /// <summary>An image as sent: its digest, size and format, and its URL when it has one; never a path.</summary>
    public static WireImage ToWire(ImageSpec image, long? sizeBytes) =>
        new(image.Name, image.Sha256, ToWire(image.Format), sizeBytes, image.Url);

    /// <summary>An image as the agent gets it: no <see cref="ImageSpec.Path"/> (the agent fetches it by digest).</summary>
    public static ImageSpec FromWire(WireImage image) => new(image.Name, null, image.Sha256, FromWire(image.Format), null, image.Url);

    private static WirePortProtocol ToWire(PortProtocol protocol) => protocol switch
    {
        PortProtocol.Tcp => WirePortProtocol.Tcp,
        PortProtocol.Udp => WirePortProtocol.Udp,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    private static PortProtocol FromWire(WirePortProtocol protocol) => protocol switch
    {
        WirePortProtocol.Tcp => PortProtocol.Tcp,
        WirePortProtocol.Udp => PortProtocol.Udp,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    private static WireRestartPolicy ToWire(RestartPolicy policy) => policy switch
    {
        RestartPolicy.Always => WireRestartPolicy.Always,
        RestartPolicy.OnFailure => WireRestartPolicy.OnFailure,
        RestartPolicy.Never => WireRestartPolicy.Never,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };

    private static RestartPolicy FromWire(WireRestartPolicy policy) => policy switch
    {
        WireRestartPolicy.Always => RestartPolicy.Always,
        WireRestartPolicy.OnFailure => RestartPolicy.OnFailure,
        WireRestartPolicy.Never => RestartPolicy.Never,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };

    private static WireDiskFormat ToWire(DiskFormat format) => format switch
    {
        DiskFormat.Qcow2 => WireDiskFormat.Qcow2,
        DiskFormat.Raw => WireDiskFormat.Raw,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    private static DiskFormat FromWire(WireDiskFormat format) => format switch
    {
        WireDiskFormat.Qcow2 => DiskFormat.Qcow2,
        WireDiskFormat.Raw => DiskFormat.Raw,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}
