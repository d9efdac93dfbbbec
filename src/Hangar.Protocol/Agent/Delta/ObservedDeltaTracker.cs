namespace Hangar.Protocol.Agent.Delta;

/// <summary>
/// The agent's side of observed-state reporting: remembers what it last sent on this connection and turns a
/// snapshot of everything it runs into the frames to send — the whole state (in frames) after <see cref="Reset"/>,
/// then only what changed, or nothing (the caller sends a heartbeat when one is due). Not thread-safe: one send loop uses it.
/// </summary>
public sealed class ObservedDeltaTracker
{
    private readonly Dictionary<string, ObservedVm> _sent = new(StringComparer.Ordinal);
    private IReadOnlyList<ObservedOrphan> _orphans = [];
    private DiskGcReport? _diskGc;
    private long _generation;
    private long _revision;
    private bool _full = true;

    /// <summary>A new connection: the next report is whole.</summary>
    public void Reset() => _full = true;

    /// <summary>The frames that bring the control plane from what it was last sent to <paramref name="now"/>; empty when nothing changed.</summary>
    public IReadOnlyList<AgentMessage> Next(ObservedStateMessage now, int perFrame = AgentProtocol.MaxVmsPerFrame)
    {
        var orphans = now.Orphans ?? [];
        if (_full)
        {
            _full = false;
            Remember(now, orphans);
            return AgentFrames.Observed(now, perFrame).ToArray<AgentMessage>();
        }
        var changed = new List<ObservedVm>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vm in now.Vms)
        {
            present.Add(vm.Name);
            if (!_sent.TryGetValue(vm.Name, out var before) || !ObservedVmComparer.Instance.Equals(before, vm)) changed.Add(vm);
        }
        var removed = _sent.Keys.Where(name => !present.Contains(name)).ToArray();
        var orphansChanged = !orphans.SequenceEqual(_orphans);
        var diskGcChanged = now.DiskGc is not null && now.DiskGc != _diskGc && !SameGc(now.DiskGc, _diskGc);
        if (changed.Count == 0 && removed.Length == 0 && !orphansChanged && !diskGcChanged && now.Revision == _revision && now.Generation == _generation)
            return [];
        Remember(now, orphans);
        var delta = new ObservedDeltaMessage(now.Generation, now.Revision, changed, removed, orphansChanged ? orphans.ToArray() : null, diskGcChanged ? now.DiskGc : null);
        return AgentFrames.Observed(delta, perFrame).ToArray<AgentMessage>();
    }

    private static bool SameGc(DiskGcReport a, DiskGcReport? b) =>
        b is not null && a.Request == b.Request && a.Bytes == b.Bytes && a.Deleted.SequenceEqual(b.Deleted);

    private void Remember(ObservedStateMessage now, IReadOnlyList<ObservedOrphan> orphans)
    {
        _sent.Clear();
        foreach (var vm in now.Vms) _sent[vm.Name] = vm;
        _orphans = orphans.ToArray();
        _diskGc = now.DiskGc;
        _generation = now.Generation;
        _revision = now.Revision;
    }
}
