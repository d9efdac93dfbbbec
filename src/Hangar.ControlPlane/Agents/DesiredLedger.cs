using Hangar.Protocol.Agent;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// What one agent was last sent, for the next delta: each VM's desired state with the revision at which it last
/// changed (its <see cref="Hangar.Protocol.Api.VmStatus.DesiredRevision"/>), and the revision of the last frame sent
/// (the next delta's base). Guarded by the fleet's gate; reset when a snapshot is sent.
/// </summary>
public sealed class DesiredLedger
{
    public Dictionary<string, (DesiredVm Vm, long Revision)> Vms { get; } = new(StringComparer.Ordinal);

    /// <summary>The revision of the last snapshot or delta sent; -1 before the first snapshot of a connection.</summary>
    public long Revision { get; set; } = -1;

    public bool PurgeRemoved { get; set; }
    public bool KeepOrphans { get; set; }
    public long DiskGc { get; set; }

    /// <summary>The revision at which VM <paramref name="name"/>'s desired state last changed on this agent; 0 when it has none.</summary>
    public long RevisionOf(string name) => Vms.TryGetValue(name, out var entry) ? entry.Revision : 0;
}
