namespace Hangar.Protocol.Api;

/// <summary>Answer to <c>POST /api/v1/gc</c>: the disk files deleted, as <c>agent:vms/web/disk.gen3.qcow2</c>.</summary>
/// <param name="Bytes">The space they took.</param>
/// <param name="Unanswered">Connected agents that did not report in time (they still collect when they get to it).</param>
public sealed record DiskGcResponse(IReadOnlyList<string> Deleted, long Bytes, IReadOnlyList<string> Unanswered);
