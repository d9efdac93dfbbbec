namespace Hangar.Protocol.Agent;

/// <summary>What an agent deleted for a disk collection request (<see cref="DesiredStateMessage.DiskGc"/>).</summary>
/// <param name="Request">The request this answers.</param>
/// <param name="Deleted">The files deleted, relative to the agent's home (<c>vms/web/disk.gen3.qcow2</c>).</param>
/// <param name="Bytes">The space they took on the host.</param>
public sealed record DiskGcReport(long Request, IReadOnlyList<string> Deleted, long Bytes);
