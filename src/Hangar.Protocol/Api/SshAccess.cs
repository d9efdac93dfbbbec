namespace Hangar.Protocol.Api;

/// <summary>Where a guest's sshd is reached: a host port on the loopback of the VM's agent host, and the user to log in as.</summary>
/// <param name="Port">The host port forwarded to guest port 22 (automatic from settings.sshPorts, or the file's own).</param>
/// <param name="User">The first user of the VM's <c>guest</c>; null when it declares none.</param>
/// <param name="Automatic">Whether Hangar assigned the port (it stays the VM's across restarts and generations).</param>
public sealed record SshAccess(int Port, string? User, bool Automatic);
