namespace Hangar.Protocol.Api;

/// <summary>Body of <c>POST /api/v1/vms/NAME/balloon</c>: the memory to leave the running guest, such as <c>512MiB</c>
/// (from 16 MiB to the VM's memory); null to only read the balloon.</summary>
public sealed record VmBalloonRequest(string? Target);
