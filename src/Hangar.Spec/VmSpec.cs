namespace Hangar.Spec;

/// <summary>One VM as the fleet file declares it, with every default filled in.</summary>
/// <param name="Name">DNS-label style name: lowercase letters, digits and '-', 1..63 characters, starting with a letter.</param>
/// <param name="Image">Name of an image: <c>tiny</c> (built in) or a key of the file's <c>images</c> mapping.</param>
/// <param name="Vcpu">Virtual CPUs, 1..64. Default 1.</param>
/// <param name="Memory">Guest memory; a whole number of MiB, at least 64 MiB. Default 256 MiB.</param>
/// <param name="Disk">Size of the VM's own disk. For disk images, the overlay's virtual size (at least the image's);
/// for kernel images such as <c>tiny</c>, a blank data disk; null for none (tiny) or the image's size (disk images).</param>
/// <param name="KernelArgs">Extra kernel command-line arguments, for images that boot a kernel directly.</param>
/// <param name="Forwards">User-mode network port forwards from the host's loopback to the guest.</param>
/// <param name="Autostart">Start the VM when it is applied or when its host starts. Default true.</param>
/// <param name="Restart">What to do when the VM exits on its own.</param>
/// <param name="Health">How to tell the guest is up; null means "running is healthy".</param>
/// <remarks><see cref="Placement"/> was added after the first release; stored generations without it read back as
/// <see cref="VmPlacement.Anywhere"/>; <see cref="Guest"/> came later still and reads as null (no guest mapping).</remarks>
public sealed record VmSpec(
    string Name,
    string Image,
    int Vcpu,
    ByteSize Memory,
    ByteSize? Disk,
    string? KernelArgs,
    ValueList<PortForward> Forwards,
    bool Autostart,
    RestartPolicy Restart,
    HealthCheckSpec? Health)
{
    /// <summary>Where the VM may run (a host, agent labels) and whether a drain may move it. Never reaches the agent.</summary>
    /// <remarks>The JSON source generator assigns null to an init-only property that a stored document lacks (it does not
    /// run the initializer), so the accessor itself keeps the default.</remarks>
    public VmPlacement Placement { get => _placement; init => _placement = value ?? VmPlacement.Anywhere; }

    private readonly VmPlacement _placement = VmPlacement.Anywhere;

    /// <summary>What the guest is told at boot through a cloud-init seed; null when the file has no <c>guest</c> mapping.
    /// Left out of the stored form when null, so generations stored before it existed read (and compare) the same.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public GuestSpec? Guest { get; init; }

    /// <summary>The host port Hangar assigned for SSH to the guest (its forward to guest port 22 is in <see cref="Forwards"/>);
    /// null when the VM has none (no cloud-init guest, or the file forwards port 22 itself). Kept from one generation to
    /// the next, so a VM's SSH port stays the same.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? SshPort { get; init; }

    /// <summary>The systemd credentials the guest is handed at each boot, sorted by name; null for none (and in
    /// generations stored before credentials existed). A secret's ciphertext is part of it, never its plaintext.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ValueList<CredentialSpec>? Credentials { get; init; }

    /// <summary>The VM's stable SSH host key (<c>identity</c>); null for none (and in generations stored before it existed).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public VmIdentity? Identity { get; init; }

    /// <summary>The host port of the VM's VNC display (<c>display: vnc</c>) on its host's 127.0.0.1, assigned from
    /// <c>settings.vncPorts</c> and kept from one generation to the next; null for no display.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? VncPort { get; init; }

    /// <summary>The VM's named volumes, sorted by name; null for none (and in generations stored before volumes existed).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ValueList<VolumeSpec>? Volumes { get; init; }

    /// <summary>The VM's network interfaces as the file lists them, each with its MAC; null when the file has no
    /// <c>interfaces</c> (one user-mode NIC with QEMU's default MAC, as before the field existed).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ValueList<NetworkInterfaceSpec>? Interfaces { get; init; }

    /// <summary>The VM's vsock context id (<c>vsock</c>): given, or assigned from 3 up and kept from one generation to the
    /// next; unique in the fleet, so unique on every host. Null for no vsock device.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? VsockCid { get; init; }

    /// <summary>The host directories the VM's guest mounts over virtiofs (<c>shares</c>), sorted by tag; null for none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ValueList<ShareSpec>? Shares { get; init; }

    /// <summary>Whether the VM has a virtio memory balloon (<c>balloon: true</c>), whose target <c>hangar vm set NAME
    /// --balloon SIZE</c> changes while it runs. False in generations stored before the field existed.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Balloon { get; init; }
}

/// <summary>A host port forwarded to a guest port over QEMU's user-mode network. The host side binds 127.0.0.1.</summary>
public sealed record PortForward(int HostPort, int GuestPort, PortProtocol Protocol)
{
    public override string ToString() => $"{HostPort}:{GuestPort}/{(Protocol == PortProtocol.Tcp ? "tcp" : "udp")}";
}

public enum PortProtocol { Tcp, Udp }

/// <summary>When the agent restarts a VM that exited without being asked to.</summary>
public enum RestartPolicy
{
    /// <summary>Restart whenever the VM exits on its own, including a clean guest power-off. The default.</summary>
    Always,
    /// <summary>Restart only when QEMU dies (killed, crashed); a guest power-off leaves the VM stopped.</summary>
    OnFailure,
    /// <summary>Never restart; the VM stays stopped.</summary>
    Never,
}

/// <summary>
/// How the agent decides that a VM's guest is healthy. Exactly one of <see cref="SerialMarker"/>,
/// <see cref="TcpGuestPort"/> and <see cref="Http"/> is set; <see cref="Kind"/> says which.
/// </summary>
/// <remarks>
/// The properties beyond the constructor's were added after the first release; stored generations that lack them
/// read back with their defaults.
/// <code>
///  starting ──(check passes)──► healthy ──(Failures checks in a row fail)──► unhealthy ──(check passes)──► healthy
///     └──(Timeout since the VM started, no pass)──► unhealthy
/// </code>
/// </remarks>
/// <param name="SerialMarker">Healthy once this text appears on the serial console (since the VM's last start).</param>
/// <param name="TcpGuestPort">Healthy while the guest accepts TCP connections on this port (through its forward).</param>
/// <param name="Timeout">How long after start the guest may take to become healthy before it is reported unhealthy.</param>
public sealed record HealthCheckSpec(string? SerialMarker, int? TcpGuestPort, TimeSpan Timeout)
{
    /// <summary>
    /// For the stored form (<see cref="FleetJson"/>): a property missing from a generation stored before it existed
    /// reads as its default. The JSON source generator would otherwise assign default(T) to every init-only property it
    /// did not find (0 s, 0 failures). Zero is no valid interval or failure count, so zero means "not stored".
    /// </summary>
    [System.Text.Json.Serialization.JsonConstructor]
    internal HealthCheckSpec(string? serialMarker, int? tcpGuestPort, TimeSpan timeout, HttpHealthCheck? http = null,
        TimeSpan interval = default, int failures = 0, bool restart = false, ValueList<string>? exec = null)
        : this(serialMarker, tcpGuestPort, timeout)
    {
        Http = http;
        Exec = exec;
        Interval = interval == TimeSpan.Zero ? SpecDefaults.HealthInterval : interval;
        Failures = failures == 0 ? SpecDefaults.HealthFailures : failures;
        Restart = restart;
    }

    /// <summary>Healthy while an HTTP request to this guest port answers with an accepted status.</summary>
    public HttpHealthCheck? Http { get; init; }

    /// <summary>Healthy while this command, run in the guest by its guest agent, exits 0: the program and its arguments.</summary>
    /// <remarks>Left out of the stored form when null, so generations stored before it read and write the same bytes.</remarks>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ValueList<string>? Exec { get; init; }

    /// <summary>How often a <c>tcp</c>, <c>http</c> or <c>exec</c> check runs once the VM was healthy.</summary>
    public TimeSpan Interval { get; init; } = SpecDefaults.HealthInterval;

    /// <summary>After how many failed checks in a row a healthy VM counts as unhealthy.</summary>
    public int Failures { get; init; } = SpecDefaults.HealthFailures;

    /// <summary>Restart the VM, as its restart policy allows, when it becomes unhealthy.</summary>
    public bool Restart { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public HealthCheckKind Kind =>
        SerialMarker is not null ? HealthCheckKind.Serial : Http is not null ? HealthCheckKind.Http
        : Exec is not null ? HealthCheckKind.Exec : HealthCheckKind.Tcp;

    /// <summary>The guest port a <c>tcp</c> or <c>http</c> check connects to; null for a serial or exec check.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? GuestPort => TcpGuestPort ?? Http?.GuestPort;
}

/// <summary>The kinds of health check; a closed set.</summary>
public enum HealthCheckKind { Serial, Tcp, Http, Exec }

/// <summary>An HTTP health check: <c>GET Path</c> on a guest port through its forward.</summary>
/// <param name="GuestPort">The guest port; the VM has a tcp forward to it.</param>
/// <param name="Path">The request path, starting with '/'.</param>
/// <param name="Status">The status codes that count as healthy.</param>
public sealed record HttpHealthCheck(int GuestPort, string Path, ValueList<HttpStatusRange> Status)
{
    public bool Accepts(int status) => Status.Any(r => status >= r.Min && status <= r.Max);

    /// <summary>The status set as the fleet file writes it: <c>200-399</c>, <c>200,204</c>.</summary>
    public string StatusText => string.Join(",", Status);
}

/// <summary>An inclusive range of HTTP status codes; one code when <see cref="Min"/> equals <see cref="Max"/>.</summary>
public sealed record HttpStatusRange(int Min, int Max)
{
    public override string ToString() => Min == Max
        ? Min.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"{Min.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{Max.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>
/// An image the fleet file declares: a qcow2 or raw disk identified by its sha256, from a local file
/// (<paramref name="Path"/>, uploaded to the control plane's image store by the CLI) or from a URL that each agent
/// downloads itself (<paramref name="Url"/>). Exactly one of the two is set.
/// </summary>
/// <param name="Name">The key in the <c>images</c> mapping.</param>
/// <param name="Path">Absolute path on the machine that ran the CLI (relative paths in the file are resolved against
/// the file's directory); null for a URL image. Only the CLI reads it: the control plane and agents go by digest.</param>
/// <param name="Sha256">Lowercase hex digest the image must have.</param>
/// <param name="Format">Disk format.</param>
/// <param name="MinMemory">The least guest memory the image boots with, when the file declares it; a VM with less is a
/// plan error. Null when the image declares no floor (then only <see cref="SpecLimits.MinMemory"/> applies).</param>
/// <param name="Url">An absolute http or https URL; null for a file image.</param>
public sealed record ImageSpec(
    string Name,
    string? Path,
    string Sha256, DiskFormat Format,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    ByteSize? MinMemory = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Url = null)
{
    /// <summary>Where the image comes from, for messages: its path or its URL.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Source => Path ?? Url ?? "";
}

public enum DiskFormat { Qcow2, Raw }
