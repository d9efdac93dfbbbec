namespace Hangar.State.Replication;

/// <summary>
/// Notices between control-plane replicas on one shared store: each replica publishes what it changed, and hears what
/// the others changed. Only PostgreSQL has one (<c>LISTEN</c>/<c>NOTIFY</c>); SQLite has one process per database.
/// </summary>
public interface IChangeFeed : IAsyncDisposable
{
    /// <summary>Tells the other replicas (not this one) about <paramref name="change"/>.</summary>
    /// <exception cref="StateStoreException">The database cannot be reached.</exception>
    Task PublishAsync(StoreChange change, CancellationToken ct);

    /// <summary>
    /// Calls <paramref name="onChange"/> for every notice from another replica, one at a time, until
    /// <paramref name="ct"/> is cancelled. After every (re)connection it first calls it with a
    /// <see cref="StoreChangeKind.Reset"/> (notices sent while it was not listening are lost). A lost connection is
    /// retried, never thrown.
    /// </summary>
    Task ListenAsync(Func<StoreChange, CancellationToken, Task> onChange, CancellationToken ct);

    /// <summary>Raised (on the listening task) whenever the listening session is lost, with why.</summary>
    event Action<string>? Lost;
}
