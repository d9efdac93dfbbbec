namespace Hangar.Protocol.Agent.Delta;

/// <summary>
/// Whether two <see cref="ObservedVm"/>s say the same thing: the record's own equality compares its lists by
/// reference, and every snapshot builds new lists.
/// </summary>
public sealed class ObservedVmComparer : IEqualityComparer<ObservedVm>
{
    public static readonly ObservedVmComparer Instance = new();

    public bool Equals(ObservedVm? x, ObservedVm? y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x is null || y is null) return false;
        return x with { Forwards = [], ConsoleTail = null } == y with { Forwards = [], ConsoleTail = null }
            && x.Forwards.SequenceEqual(y.Forwards, StringComparer.Ordinal)
            && (x.ConsoleTail ?? []).SequenceEqual(y.ConsoleTail ?? [], StringComparer.Ordinal);
    }

    public int GetHashCode(ObservedVm obj) => HashCode.Combine(obj.Name, obj.Phase, obj.Revision, obj.Pid);
}
