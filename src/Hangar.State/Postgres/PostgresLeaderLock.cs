using Hangar.State.Replication;
using Npgsql;

namespace Hangar.State.Postgres;

/// <summary>
/// <see cref="ILeaderLock"/> as a PostgreSQL session advisory lock, held on a connection of its own (not pooled, so
/// closing it ends the session). The database releases a session's locks when the session ends: a replica killed with
/// SIGKILL loses its lead as soon as PostgreSQL sees the socket close, with no lease to run out. The holder's replica
/// id is its session's <c>application_name</c>, so any replica can tell who leads (<c>pg_locks</c> joined with
/// <c>pg_stat_activity</c>).
/// </summary>
public sealed class PostgresLeaderLock : ILeaderLock
{
    /// <summary>"Leader" in ASCII; not the migrations' key (<c>0x48616e676172</c>).</summary>
    public const long LockKey = 0x4c6561646572;

    private const string LeaderPrefix = "hangar-leader ";
    internal const string ReplicaPrefix = "hangar-replica ";

    private readonly StateStoreLocation _location;
    private readonly string _replica;
    private NpgsqlConnection? _held;

    public PostgresLeaderLock(StateStoreLocation location, string replica)
    {
        if (location.Engine != StateStoreEngine.Postgres) throw new ArgumentException($"Not a PostgreSQL location: {location}", nameof(location));
        _location = location;
        _replica = replica;
    }

    /// <summary>A connection string for a session of its own named <paramref name="applicationName"/>.</summary>
    internal static string SessionOf(StateStoreLocation location, string applicationName) =>
        new NpgsqlConnectionStringBuilder(location.Target) { Pooling = false, ApplicationName = applicationName, KeepAlive = 5 }.ConnectionString;

    public async Task<bool> TryAcquireAsync(CancellationToken ct)
    {
        if (_held is not null) return await StillHeldAsync(ct);
        var connection = new NpgsqlConnection(SessionOf(_location, LeaderPrefix + _replica));
        try
        {
            await connection.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection);
            if (await cmd.ExecuteScalarAsync(ct) is true)
            {
                _held = connection;
                return true;
            }
        }
        catch (NpgsqlException e)
        {
            await connection.DisposeAsync();
            throw new StateStoreException("Could not try the leader lock.", e);
        }
        await connection.DisposeAsync();
        return false;
    }

    public async Task<bool> StillHeldAsync(CancellationToken ct)
    {
        if (_held is not { } connection) return false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await using var cmd = new NpgsqlCommand("SELECT 1", connection);
            await cmd.ExecuteScalarAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // The session is gone, or does not answer: the lock may be someone else's by now.
            await ReleaseAsync();
            return false;
        }
    }

    public async Task ReleaseAsync()
    {
        var connection = _held;
        _held = null;
        if (connection is not null) await connection.DisposeAsync();
    }

    public Task<string?> HolderAsync(CancellationToken ct) => QueryAsync(async connection =>
    {
        // A bigint advisory key shows in pg_locks as its high half (classid) and low half (objid), objsubid 1.
        await using var cmd = new NpgsqlCommand($"""
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.classid = {LockKey >> 32} AND l.objid = {LockKey & 0xffffffff} AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, connection);
        return await cmd.ExecuteScalarAsync(ct) is string name && name.StartsWith(LeaderPrefix, StringComparison.Ordinal) ? name[LeaderPrefix.Length..] : null;
    }, ct);

    public Task<IReadOnlySet<string>> LiveReplicasAsync(CancellationToken ct) => QueryAsync<IReadOnlySet<string>>(async connection =>
    {
        await using var cmd = new NpgsqlCommand("SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'hangar-replica %'", connection);
        var live = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) live.Add(reader.GetString(0)[ReplicaPrefix.Length..]);
        return live;
    }, ct);

    private async Task<T> QueryAsync<T>(Func<NpgsqlConnection, Task<T>> query, CancellationToken ct)
    {
        try
        {
            // A short-lived session of its own, not the lock's: a query never waits behind a check of the lock.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_location.Target) { ApplicationName = "hangar" }.ConnectionString);
            await connection.OpenAsync(ct);
            return await query(connection);
        }
        catch (NpgsqlException e) { throw new StateStoreException("Could not read who leads the control planes.", e); }
    }

    public ValueTask DisposeAsync() => new(ReleaseAsync());
}
