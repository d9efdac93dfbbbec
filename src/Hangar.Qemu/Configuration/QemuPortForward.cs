namespace Hangar.Qemu;

/// <summary>A host port forwarded into the guest by QEMU's user-mode network (<c>hostfwd=</c>).</summary>
/// <param name="Protocol"><c>tcp</c> or <c>udp</c>.</param>
/// <param name="HostAddress">The host address QEMU binds, normally <c>127.0.0.1</c>.</param>
/// <param name="HostPort">Host port, 1..65535.</param>
/// <param name="GuestPort">Guest port, 1..65535.</param>
public sealed record QemuPortForward(string Protocol, string HostAddress, int HostPort, int GuestPort);
