using System.Text.Json.Serialization;

namespace Hangar.Protocol.Agent.Wire;

/// <summary>
/// A VM's declaration as the agent protocol carries it (the <c>spec</c> of a desired VM). Its own record, not the
/// fleet file's <c>VmSpec</c>, so that the fleet file can change without changing the protocol: a field is added here
/// only with a new <see cref="AgentProtocol.Version"/> (or as an optional field older peers may ignore).
/// </summary>
/// <param name="Name">The VM's name.</param>
/// <param name="Image">The image's name: <c>tiny</c> (built in) or the name of the desired VM's <see cref="WireDesiredVm.Image"/>.</param>
/// <param name="Vcpu">Virtual CPUs.</param>
/// <param name="MemoryBytes">Guest memory in bytes (<c>memory</c> on the wire).</param>
/// <param name="DiskBytes">Size of the VM's own disk in bytes, null for none or the image's size (<c>disk</c> on the wire).</param>
/// <param name="KernelArgs">Extra kernel command-line arguments.</param>
/// <param name="Forwards">Port forwards from the host's loopback to the guest.</param>
/// <param name="Autostart">As the fleet file declares it; the agent follows <see cref="WireDesiredVm.Running"/>.</param>
/// <param name="Restart">What to do when the VM exits on its own.</param>
/// <param name="Health">How to tell the guest is up; null means "running is healthy".</param>
/// <param name="SshPort">The host port Hangar assigned for SSH (its forward is one of <paramref name="Forwards"/>); null for none. Since version 4.</param>
/// <param name="Guest">What the guest is told at boot (cloud-init seed); null for no <c>guest</c> mapping. Since version 4.</param>
/// <param name="Credentials">The systemd credentials handed to the guest at each start; null for none. Since version 5.</param>
/// <param name="Identity">The VM's SSH host key (public line and the private key's ciphertext); null for none. Since version 6.</param>
/// <param name="VncPort">The host port of the VM's VNC display on 127.0.0.1; null for none. Since version 6.</param>
/// <param name="Volumes">The VM's named volumes; null for none. Since version 6.</param>
/// <param name="Interfaces">The VM's network interfaces in guest order; null for the default single user-mode NIC. Since version 7.</param>
/// <param name="VsockCid">The guest context id of the VM's vsock device; null for none. Since version 7.</param>
/// <param name="Shares">The host directories the guest mounts over virtiofs; null for none. Since version 8.</param>
/// <param name="Balloon">True for a virtio memory balloon; null for none. Since version 8.</param>
public sealed record WireVm(
    string Name,
    string Image,
    int Vcpu,
    [property: JsonPropertyName("memory")] long MemoryBytes,
    [property: JsonPropertyName("disk")] long? DiskBytes,
    string? KernelArgs,
    IReadOnlyList<WireForward> Forwards,
    bool Autostart,
    WireRestartPolicy Restart,
    WireHealthCheck? Health,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WireGuest? Guest = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SshPort = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WireCredential>? Credentials = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WireIdentity? Identity = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? VncPort = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WireVolume>? Volumes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WireInterface>? Interfaces = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? VsockCid = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WireShare>? Shares = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Balloon = null);
