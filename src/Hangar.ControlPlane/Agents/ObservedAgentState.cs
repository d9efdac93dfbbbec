using Hangar.Protocol.Agent;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// What one agent last reported, built up from its reports on a connection: a whole <see cref="ObservedStateMessage"/>
/// (possibly in several frames) then <see cref="ObservedDeltaMessage"/>s. Kept in memory only; guarded by the fleet's gate.
/// Applying a frame costs what the frame carries, never the agent's or the fleet's size.
/// </summary>
public sealed class ObservedAgentState
{
    private readonly Dictionary<string, ObservedVm> _vms = new(StringComparer.Ordinal);
    private HashSet<string>? _wholeSeen; // the names of a whole report being received in frames

    /// <summary>Whether the agent has reported at all (since the control plane started).</summary>
    public bool Reported { get; private set; }

    /// <summary>The desired-state revision the agent last said it has.</summary>
    public long Revision { get; private set; } = -1;

    public long Generation { get; private set; }
    public IReadOnlyList<ObservedOrphan> Orphans { get; private set; } = [];
    public DiskGcReport? DiskGc { get; private set; }
    public IReadOnlyDictionary<string, ObservedVm> Vms => _vms;
    public int Count => _vms.Count;

    public ObservedVm? Find(string name) => _vms.GetValueOrDefault(name);

    /// <summary>A new connection: a whole report cut short by the last one does not count.</summary>
    public void BeginConnection() => _wholeSeen = null;

    /// <summary>Applies one frame of a whole report; returns each VM it changed as (before, after), after null for a VM gone.</summary>
    public IReadOnlyList<(ObservedVm? Before, ObservedVm? After)> Apply(ObservedStateMessage frame)
    {
        var changes = new List<(ObservedVm?, ObservedVm?)>(frame.Vms.Count);
        _wholeSeen ??= new HashSet<string>(StringComparer.Ordinal);
        foreach (var vm in frame.Vms)
        {
            _wholeSeen.Add(vm.Name);
            changes.Add((_vms.GetValueOrDefault(vm.Name), vm));
            _vms[vm.Name] = vm;
        }
        Take(frame.Generation, frame.Revision, frame.Orphans ?? [], frame.DiskGc);
        if (!frame.More)
        {
            foreach (var name in _vms.Keys.Where(n => !_wholeSeen.Contains(n)).ToArray())
            {
                changes.Add((_vms[name], null));
                _vms.Remove(name);
            }
            _wholeSeen = null;
        }
        return changes;
    }

    /// <summary>Applies one frame of a delta; returns each VM it changed as (before, after), after null for a VM gone.</summary>
    public IReadOnlyList<(ObservedVm? Before, ObservedVm? After)> Apply(ObservedDeltaMessage frame)
    {
        var changes = new List<(ObservedVm?, ObservedVm?)>(frame.Changed.Count + frame.Removed.Count);
        foreach (var vm in frame.Changed)
        {
            changes.Add((_vms.GetValueOrDefault(vm.Name), vm));
            _vms[vm.Name] = vm;
        }
        foreach (var name in frame.Removed)
            if (_vms.Remove(name, out var before)) changes.Add((before, null));
        Take(frame.Generation, frame.Revision, frame.Orphans ?? Orphans, frame.DiskGc ?? DiskGc);
        return changes;
    }

    private void Take(long generation, long revision, IReadOnlyList<ObservedOrphan> orphans, DiskGcReport? diskGc)
    {
        Reported = true;
        Generation = generation;
        Revision = revision;
        Orphans = orphans;
        DiskGc = diskGc;
    }
}
