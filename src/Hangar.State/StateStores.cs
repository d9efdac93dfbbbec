using Hangar.State.Postgres;
using Hangar.State.Replication;
using Hangar.State.Sqlite;

namespace Hangar.State;

/// <summary>Opens the <see cref="IStateStore"/> (and the <see cref="IAgentStore"/>) a <see cref="StateStoreLocation"/> names.</summary>
public static class StateStores
{
    /// <exception cref="StateStoreException">The database cannot be reached, or is newer than this Hangar.</exception>
    public static async Task<IStateStore> OpenAsync(StateStoreLocation location, CancellationToken ct) => location.Engine switch
    {
        StateStoreEngine.Sqlite => await SqliteStateStore.OpenAsync(location.Target, ct),
        StateStoreEngine.Postgres => await PostgresStateStore.OpenAsync(location, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(location), location.Engine, null),
    };

    /// <summary>The agent store in the same database as <see cref="OpenAsync"/>'s state store (its own connection or pool).</summary>
    /// <exception cref="StateStoreException">The database cannot be reached, or is newer than this Hangar.</exception>
    public static async Task<IAgentStore> OpenAgentStoreAsync(StateStoreLocation location, CancellationToken ct) => location.Engine switch
    {
        StateStoreEngine.Sqlite => await SqliteAgentStore.OpenAsync(location.Target, ct),
        StateStoreEngine.Postgres => await PostgresAgentStore.OpenAsync(location, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(location), location.Engine, null),
    };

    /// <summary>The API token store in the same database as <see cref="OpenAsync"/>'s state store (its own connection or pool).</summary>
    /// <exception cref="StateStoreException">The database cannot be reached, or is newer than this Hangar.</exception>
    public static async Task<IApiTokenStore> OpenApiTokenStoreAsync(StateStoreLocation location, CancellationToken ct) => location.Engine switch
    {
        StateStoreEngine.Sqlite => await SqliteApiTokenStore.OpenAsync(location.Target, ct),
        StateStoreEngine.Postgres => await PostgresApiTokenStore.OpenAsync(location, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(location), location.Engine, null),
    };

    /// <summary>
    /// The leader lock, the change feed, the shared agent reports and the directory of replicas of replica <paramref name="replica"/> on a store that several control
    /// planes share (PostgreSQL); null for SQLite, whose one process always leads (<c>server.lock</c>).
    /// </summary>
    /// <exception cref="StateStoreException">The database cannot be reached, or is newer than this Hangar.</exception>
    public static async Task<(ILeaderLock Lock, IChangeFeed Feed, IObservedStore Observed, IReplicaDirectory Directory)?> OpenReplicationAsync(StateStoreLocation location, string replica,
        CancellationToken ct) => location.Engine switch
    {
        StateStoreEngine.Postgres => (new PostgresLeaderLock(location, replica), new PostgresChangeFeed(location, replica),
            await PostgresObservedStore.OpenAsync(location, ct), await PostgresReplicaDirectory.OpenAsync(location, ct)),
        _ => null,
    };
}
