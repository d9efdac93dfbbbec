namespace Hangar.Protocol.Agent.Delta;

/// <summary>What an agent does with a desired-state frame, as <see cref="DesiredStateAssembler"/> decides.</summary>
public abstract record DesiredStep
{
    private DesiredStep() { }

    /// <summary>Nothing yet: more frames of the same snapshot or delta follow, or deltas are ignored until a snapshot comes.</summary>
    public sealed record Wait : DesiredStep;

    /// <summary>Act on <paramref name="State"/>, the agent's whole desired state now. <paramref name="Changed"/> names
    /// the VMs a delta added, changed or removed; null after a snapshot (every VM is brought to its revision).</summary>
    public sealed record Apply(DesiredStateMessage State, IReadOnlySet<string>? Changed) : DesiredStep;

    /// <summary>A delta did not follow from the revision the agent has: ask for a snapshot (<see cref="ResyncMessage"/>).</summary>
    public sealed record Resync(long HaveRevision, string Reason) : DesiredStep;

    internal static readonly Wait Waiting = new();
}
