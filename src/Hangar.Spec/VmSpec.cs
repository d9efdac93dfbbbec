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
    HealthCheckSpec? Health);

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
/// How the agent decides that a VM's guest is healthy. Exactly one of <see cref="SerialMarker"/> and
/// <see cref="TcpGuestPort"/> is set.
/// </summary>
/// <param name="SerialMarker">Healthy once this text appears on the serial console (since the VM's last start).</param>
/// <param name="TcpGuestPort">Healthy while a TCP connection to the host side of this guest port's forward succeeds.</param>
/// <param name="Timeout">How long after start the guest may take to become healthy before it is reported unhealthy.</param>
public sealed record HealthCheckSpec(string? SerialMarker, int? TcpGuestPort, TimeSpan Timeout);

/// <summary>An image the fleet file declares: a local qcow2 or raw disk file, checked by sha256.</summary>
/// <param name="Name">The key in the <c>images</c> mapping.</param>
/// <param name="Path">Absolute path (relative paths in the file are resolved against the file's directory).</param>
/// <param name="Sha256">Lowercase hex digest the file must have.</param>
/// <param name="Format">Disk format.</param>
/// <param name="MinMemory">The least guest memory the image boots with, when the file declares it; a VM with less is a
/// plan error. Null when the image declares no floor (then only <see cref="SpecLimits.MinMemory"/> applies).</param>
public sealed record ImageSpec(string Name, string Path, string Sha256, DiskFormat Format,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    ByteSize? MinMemory = null);

public enum DiskFormat { Qcow2, Raw }
