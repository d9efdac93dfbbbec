using Hangar.Protocol.Agent.Wire;

namespace Hangar.Protocol.Agent.Delta;

/// <summary>
/// Splits desired and observed states into frames of at most <see cref="AgentProtocol.MaxVmsPerFrame"/> VMs, every
/// frame but the last with <c>more: true</c>. A state with no VM is one frame.
/// </summary>
public static class AgentFrames
{
    public static IEnumerable<DesiredStateMessage> Snapshot(DesiredStateMessage whole, int perFrame = AgentProtocol.MaxVmsPerFrame)
    {
        foreach (var (part, more) in Parts(whole.Vms, perFrame))
            yield return whole with { Vms = part, More = more, Id = NewId() };
    }

    /// <summary>The frames of a delta: its changed VMs first, then its removals, each frame holding at most <paramref name="perFrame"/> entries.</summary>
    public static IEnumerable<DesiredDeltaMessage> Delta(DesiredDeltaMessage whole, int perFrame = AgentProtocol.MaxVmsPerFrame)
    {
        var changed = Parts(whole.Changed, perFrame).ToArray();
        var removed = Parts(whole.Removed, perFrame).ToArray();
        var frames = new List<DesiredDeltaMessage>();
        if (whole.Changed.Count > 0) frames.AddRange(changed.Select(c => whole with { Changed = c.Part, Removed = [], Id = NewId() }));
        if (whole.Removed.Count > 0 || frames.Count == 0) frames.AddRange(removed.Select(r => whole with { Changed = [], Removed = r.Part, Id = NewId() }));
        for (var i = 0; i < frames.Count; i++) yield return frames[i] with { More = i < frames.Count - 1 };
    }

    public static IEnumerable<ObservedStateMessage> Observed(ObservedStateMessage whole, int perFrame = AgentProtocol.MaxVmsPerFrame)
    {
        foreach (var (part, more) in Parts(whole.Vms, perFrame))
            yield return whole with { Vms = part, More = more, Id = NewId() };
    }

    public static IEnumerable<ObservedDeltaMessage> Observed(ObservedDeltaMessage whole, int perFrame = AgentProtocol.MaxVmsPerFrame)
    {
        var frames = new List<ObservedDeltaMessage>();
        if (whole.Changed.Count > 0) frames.AddRange(Parts(whole.Changed, perFrame).Select(c => whole with { Changed = c.Part, Removed = [], Id = NewId() }));
        if (whole.Removed.Count > 0 || frames.Count == 0) frames.AddRange(Parts(whole.Removed, perFrame).Select(r => whole with { Changed = [], Removed = r.Part, Id = NewId() }));
        for (var i = 0; i < frames.Count; i++) yield return frames[i] with { More = i < frames.Count - 1 };
    }

    private static IEnumerable<(IReadOnlyList<T> Part, bool More)> Parts<T>(IReadOnlyList<T> all, int perFrame)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perFrame, 1);
        if (all.Count == 0)
        {
            yield return ([], false);
            yield break;
        }
        for (var start = 0; start < all.Count; start += perFrame)
        {
            var count = Math.Min(perFrame, all.Count - start);
            var part = new T[count];
            for (var i = 0; i < count; i++) part[i] = all[start + i];
            yield return (part, start + count < all.Count);
        }
    }

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];
}
