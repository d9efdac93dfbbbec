namespace Hangar.State.Replication;

/// <summary>
/// The lock whose holder leads the control-plane replicas of one store (runs rollouts, health gates and placement).
/// It is held by a database session, so a replica that dies (even by SIGKILL) loses it as soon as the database sees its
/// connection close.
/// </summary>
public interface ILeaderLock : IAsyncDisposable
{
    /// <summary>Tries once to take the lock; true when this replica holds it now (also when it held it already).</summary>
    Task<bool> TryAcquireAsync(CancellationToken ct);

    /// <summary>Whether the lock is still held: its session answers. False (and the session closed) once it does not.</summary>
    Task<bool> StillHeldAsync(CancellationToken ct);

    /// <summary>Lets go of the lock (closes its session).</summary>
    Task ReleaseAsync();

    /// <summary>The replica that holds the lock, or null when none does.</summary>
    Task<string?> HolderAsync(CancellationToken ct);

    /// <summary>The replicas whose change feed is connected to the database now (see <see cref="IChangeFeed"/>).</summary>
    Task<IReadOnlySet<string>> LiveReplicasAsync(CancellationToken ct);
}
