namespace Hangar.State.Replication;

/// <summary>What changed in an agent's shared report after a point (<see cref="IObservedStore.ReadAsync"/>).</summary>
/// <param name="Replica">The replica that wrote its last report; null when none was written.</param>
/// <param name="AgentReport">The rest of its last report (opaque JSON); null when none was written.</param>
/// <param name="Vms">The VM rows written after the point asked for, in the order they were written.</param>
/// <param name="Seq">The point to ask from next time.</param>
public sealed record ObservedRead(string? Replica, string? AgentReport, IReadOnlyList<ObservedRow> Vms, long Seq);
