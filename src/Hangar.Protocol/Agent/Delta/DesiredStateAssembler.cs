using Hangar.Protocol.Agent.Wire;

namespace Hangar.Protocol.Agent.Delta;

/// <summary>
/// The agent's side of desired-state delivery: puts snapshot frames together, applies deltas to the desired state
/// it has, and detects a delta that does not follow from it (lost or out of order), which is answered by a resync.
/// Not thread-safe: one connection's reader feeds it.
/// <code>
///  in sync ──desired.delta, base = have──► in sync (applied)
///     │  └──desired.delta, base ≠ have──► awaiting snapshot (resync sent once; deltas ignored)
///     └──────────────── desired (all frames) ◄──────────┘   (a snapshot is always taken, in either state)
/// </code>
/// </summary>
public sealed class DesiredStateAssembler(DesiredStateMessage current)
{
    private List<WireDesiredVm>? _snapshotVms;
    private DesiredStateMessage? _snapshotHead;
    private DesiredDeltaMessage? _deltaHead;
    private List<WireDesiredVm>? _deltaChanged;
    private List<string>? _deltaRemoved;
    private bool _awaitingSnapshot;

    /// <summary>The whole desired state as of the last snapshot or delta applied.</summary>
    public DesiredStateMessage Current { get; private set; } = current;

    /// <summary>Whether deltas are being ignored until a snapshot arrives.</summary>
    public bool AwaitingSnapshot => _awaitingSnapshot;

    /// <summary>Starts a new connection: frames of a snapshot or delta cut short by the last one are dropped.</summary>
    public void Reset()
    {
        _snapshotHead = null; _snapshotVms = null;
        _deltaHead = null; _deltaChanged = null; _deltaRemoved = null;
        _awaitingSnapshot = false;
    }

    public DesiredStep Receive(DesiredStateMessage frame)
    {
        _deltaHead = null; _deltaChanged = null; _deltaRemoved = null;
        if (_snapshotHead is null || _snapshotHead.Revision != frame.Revision)
        {
            _snapshotHead = frame;
            _snapshotVms = [];
        }
        _snapshotVms!.AddRange(frame.Vms);
        if (frame.More) return DesiredStep.Waiting;
        Current = frame with { Vms = _snapshotVms.ToArray(), More = false };
        _snapshotHead = null; _snapshotVms = null;
        _awaitingSnapshot = false;
        return new DesiredStep.Apply(Current, null);
    }

    public DesiredStep Receive(DesiredDeltaMessage frame)
    {
        if (_awaitingSnapshot) return DesiredStep.Waiting;
        if (_deltaHead is null)
        {
            if (frame.BaseRevision != Current.Revision)
                return Gap($"A delta from revision {frame.BaseRevision} to {frame.Revision} arrived, but this agent has revision {Current.Revision}.");
            _deltaHead = frame;
            _deltaChanged = [];
            _deltaRemoved = [];
        }
        else if (_deltaHead.Revision != frame.Revision || _deltaHead.BaseRevision != frame.BaseRevision)
        {
            return Gap($"A delta to revision {_deltaHead.Revision} was cut short by one to revision {frame.Revision}.");
        }
        _deltaChanged!.AddRange(frame.Changed);
        _deltaRemoved!.AddRange(frame.Removed);
        if (frame.More) return DesiredStep.Waiting;

        var touched = new HashSet<string>(StringComparer.Ordinal);
        var removed = new HashSet<string>(_deltaRemoved, StringComparer.Ordinal);
        var changed = new Dictionary<string, WireDesiredVm>(StringComparer.Ordinal);
        foreach (var vm in _deltaChanged) changed[vm.Spec.Name] = vm;
        var vms = new List<WireDesiredVm>(Current.Vms.Count + changed.Count);
        foreach (var vm in Current.Vms)
        {
            var name = vm.Spec.Name;
            if (removed.Contains(name)) { touched.Add(name); continue; }
            if (changed.Remove(name, out var replacement)) { vms.Add(replacement); touched.Add(name); }
            else vms.Add(vm);
        }
        foreach (var vm in _deltaChanged)
            if (changed.Remove(vm.Spec.Name, out var added)) { vms.Add(added); touched.Add(vm.Spec.Name); }
        Current = new DesiredStateMessage(frame.Generation, frame.Revision, vms.ToArray(), frame.PurgeRemoved, frame.KeepOrphans, frame.DiskGc);
        _deltaHead = null; _deltaChanged = null; _deltaRemoved = null;
        return new DesiredStep.Apply(Current, touched);
    }

    private DesiredStep.Resync Gap(string reason)
    {
        _deltaHead = null; _deltaChanged = null; _deltaRemoved = null;
        _awaitingSnapshot = true;
        return new DesiredStep.Resync(Current.Revision, reason);
    }
}
