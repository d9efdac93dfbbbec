using Hangar.Protocol.Api;

namespace Hangar.Client;

/// <summary>
/// Puts the watch stream back together: the first line's whole <see cref="FleetStatus"/>, then every
/// <see cref="FleetStatusChange"/> applied on top (changed VMs replaced, gone ones dropped, a full line replacing all).
/// </summary>
public sealed class FleetStatusMerger
{
    private readonly SortedDictionary<string, VmStatus> _vms = new(StringComparer.Ordinal);
    private FleetStatus? _last;

    /// <summary>The first line of the stream, as a full change.</summary>
    public static FleetStatusChange AsChange(FleetStatus status) =>
        new(status.Generation, status.Revision, status.Active, true, status.Vms, [], status.Agents, status.Rollout, status.Orphans);

    /// <summary>Applies one line and returns the whole status it leads to.</summary>
    public FleetStatus Apply(FleetStatusChange change)
    {
        if (change.Full) _vms.Clear();
        foreach (var name in change.Gone) _vms.Remove(name);
        foreach (var vm in change.Vms) _vms[vm.Name] = vm;
        _last = new FleetStatus(change.Generation, change.Revision, change.Active, _vms.Values.ToArray(),
            change.Agents ?? _last?.Agents ?? [], change.Rollout, change.Orphans ?? _last?.Orphans);
        return _last;
    }
}
