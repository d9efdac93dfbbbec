using Hangar.State.Replication;
using Npgsql;

namespace Hangar.State.Postgres;

/// <summary>
/// <see cref="IChangeFeed"/> on PostgreSQL's <c>LISTEN</c>/<c>NOTIFY</c> (channel <see cref="Channel"/>): notices are
/// delivered to the listeners connected when the sending transaction commits, in commit order. The listening session
/// is a connection of its own named <c>hangar-replica ID</c> (which is also how <see cref="PostgresLeaderLock"/> tells
/// which replicas are alive); when it is lost it is opened again after a second, and a
/// <see cref="StoreChangeKind.Reset"/> tells the listener to reload everything, since notices sent meanwhile are gone.
/// </summary>
public sealed class PostgresChangeFeed(StateStoreLocation location, string replica) : IChangeFeed
{
    public const string Channel = "hangar_changes";

    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);
    private readonly NpgsqlDataSource _publish = NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(location.Target) { ApplicationName = "hangar" }.ConnectionString);

    /// <summary>Raised (on the listening task) whenever the listening session is lost, with why.</summary>
    public event Action<string>? Lost;

    public async Task PublishAsync(StoreChange change, CancellationToken ct)
    {
        try
        {
            await using var connection = await _publish.OpenConnectionAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT pg_notify(@c, @p)", connection);
            cmd.Parameters.AddWithValue("c", Channel);
            cmd.Parameters.AddWithValue("p", change.ToPayload());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (NpgsqlException e) { throw new StateStoreException($"Could not tell the other control planes about a change ({change.Kind}).", e); }
    }

    public async Task ListenAsync(Func<StoreChange, CancellationToken, Task> onChange, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ListenOnceAsync(onChange, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or StateStoreException or System.IO.IOException or TimeoutException)
            {
                Lost?.Invoke(e.Message);
            }
            try { await Task.Delay(Reconnect, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task ListenOnceAsync(Func<StoreChange, CancellationToken, Task> onChange, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(PostgresLeaderLock.SessionOf(location, PostgresLeaderLock.ReplicaPrefix + replica));
        await connection.OpenAsync(ct);
        var received = System.Threading.Channels.Channel.CreateUnbounded<StoreChange>(new() { SingleReader = true, SingleWriter = true });
        connection.Notification += (_, e) =>
        {
            if (StoreChange.Parse(e.Payload) is { } change && change.Replica != replica) received.Writer.TryWrite(change);
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection)) await listen.ExecuteNonQueryAsync(ct);
        // Listening from here on: whatever changed before is read by the reload this asks for.
        await onChange(new StoreChange(StoreChangeKind.Reset, replica), ct);
        while (true)
        {
            // Notices arrive while the session waits; an idle session is checked so that a dead one is noticed.
            if (!await connection.WaitAsync(Idle, ct))
                await using (var ping = new NpgsqlCommand("SELECT 1", connection)) await ping.ExecuteNonQueryAsync(ct);
            while (received.Reader.TryRead(out var change)) await onChange(change, ct);
        }
    }

    public ValueTask DisposeAsync() => _publish.DisposeAsync();
}
