namespace Hangar.Protocol.Agent.Wire;

/// <summary>An HTTP health check: <c>GET Path</c> on a guest port through its forward.</summary>
/// <param name="Status">The status codes that count as healthy.</param>
public sealed record WireHttpCheck(int GuestPort, string Path, IReadOnlyList<WireStatusRange> Status);
