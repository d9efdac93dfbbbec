namespace Hangar.State.Replication;

/// <summary>
/// What agents report, shared between the replicas of one store: the replica an agent is connected to writes each
/// report (the VMs it changed), and the others read what changed after the last point they read. A write costs the
/// VMs in the report, a read the rows written since the last one; never the fleet. PostgreSQL only.
/// </summary>
public interface IObservedStore : IAsyncDisposable
{
    /// <summary>Writes <paramref name="report"/> and, in the same transaction, notifies the other replicas
    /// (<see cref="StoreChangeKind.Observed"/>, naming the agent).</summary>
    /// <exception cref="StateStoreException">The database cannot be reached.</exception>
    Task WriteAsync(ObservedReport report, CancellationToken ct);

    /// <summary>The rows of <paramref name="agent"/> written after <paramref name="afterSeq"/> (0: all of them).</summary>
    /// <exception cref="StateStoreException">The database cannot be reached.</exception>
    Task<ObservedRead> ReadAsync(string agent, long afterSeq, CancellationToken ct);
}
