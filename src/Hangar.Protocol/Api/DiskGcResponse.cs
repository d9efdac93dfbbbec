namespace Hangar.Protocol.Api;

/// <summary>Answer to <c>POST /api/v1/gc</c>: the disk files deleted, as <c>agent:vms/web/disk.gen3.qcow2</c>.</summary>
/// <param name="Bytes">The space they took.</param>
/// <param name="Unanswered">Connected agents that did not report in time (they still collect when they get to it).</param>
/// <param name="Images">Images deleted from the control plane's image store because no VM of the current generation
/// uses them, as <c>sha256:…</c>; null from servers that predate the store.</param>
/// <param name="ImageBytes">The space those images took.</param>
public sealed record DiskGcResponse(IReadOnlyList<string> Deleted, long Bytes, IReadOnlyList<string> Unanswered,
    IReadOnlyList<string>? Images = null, long ImageBytes = 0);
