using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace Hangar.State.Postgres;

/// <summary>
/// <see cref="IStateStore"/> on a PostgreSQL database, with the SQLite engine's semantics (the contract suite in
/// tests/Hangar.State.Tests runs against both). Several control-plane processes may use one database at once:
/// <list type="bullet">
/// <item>A commit locks <c>generations</c> against other writers (readers go on) before it reads the current number,
///   so of two commits against the same expected generation exactly one succeeds and the other gets
///   <see cref="GenerationConflictException"/>; the primary key on the number backs that up.</item>
/// <item>An event append locks <c>events</c> against other appends until it commits, so event ids become visible in
///   increasing order and a reader that asks for "after id N" never skips one committed later with a smaller id.</item>
/// <item><see cref="ReplaceVmAdminAsync"/> locks <c>vm_admin</c> likewise: two replacements do not interleave.</item>
/// </list>
/// Connections come from Npgsql's pool; there is no lock in this process.
/// </summary>
public sealed class PostgresStateStore : IStateStore
{
    private const string GenerationColumns = "number, created_at, spec_json, message, source, status, reason, rollback_of, changed_vms, confirmed, auto_rollback, confirm_deadline, author, image_digests";

    private readonly NpgsqlDataSource _source;

    private PostgresStateStore(NpgsqlDataSource source) => _source = source;

    /// <summary>Connects to the database <paramref name="location"/> names and migrates it to this code's schema.</summary>
    /// <exception cref="StateStoreException">The server cannot be reached, refuses the login, or holds a newer schema.
    /// The message names the location with its password masked.</exception>
    public static async Task<PostgresStateStore> OpenAsync(StateStoreLocation location, CancellationToken ct)
    {
        return new PostgresStateStore(await PostgresSchema.OpenMigratedAsync(location, ct));
    }

    public Task<GenerationRecord?> GetCurrentGenerationAsync(CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand($"SELECT {GenerationColumns} FROM generations ORDER BY number DESC LIMIT 1", connection);
        return await ReadOneGenerationAsync(cmd, ct);
    }, ct);

    public Task<GenerationRecord?> GetGenerationAsync(long number, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand($"SELECT {GenerationColumns} FROM generations WHERE number = @n", connection);
        cmd.Parameters.Add(Parameter("n", number, NpgsqlDbType.Bigint));
        return await ReadOneGenerationAsync(cmd, ct);
    }, ct);

    public Task<GenerationRecord> CommitGenerationAsync(NewGeneration generation, long expectedCurrent, GenerationStatus previousStatus, string? previousReason, CancellationToken ct) => Run(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        // SHARE ROW EXCLUSIVE conflicts with itself and with every row change, not with reads: commits (and status
        // updates) from other processes wait here, and the MAX below sees everything they committed.
        await ExecuteAsync(connection, "LOCK TABLE generations IN SHARE ROW EXCLUSIVE MODE", ct);
        await using var max = new NpgsqlCommand("SELECT COALESCE(MAX(number), 0) FROM generations", connection);
        var current = (long)(await max.ExecuteScalarAsync(ct))!;
        if (expectedCurrent != current)
            throw new GenerationConflictException(expectedCurrent, current);
        // A generation that failed or was rolled back keeps that status when a newer one supersedes it.
        await using (var previous = new NpgsqlCommand("UPDATE generations SET status = CASE WHEN status IN ('failed', 'rolled-back') THEN status ELSE @s END, reason = COALESCE(@r, reason) WHERE number = @n", connection))
        {
            previous.Parameters.Add(Parameter("s", previousStatus.ToText(), NpgsqlDbType.Text));
            previous.Parameters.Add(Parameter("r", previousReason, NpgsqlDbType.Text));
            previous.Parameters.Add(Parameter("n", current, NpgsqlDbType.Bigint));
            await previous.ExecuteNonQueryAsync(ct);
        }
        var record = StoredGeneration.New(current + 1, generation);
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO generations ({GenerationColumns})
            VALUES (@n, @at, @spec, @msg, @src, @status, NULL, @rb, @changed, @confirmed, @auto, @deadline, @author, NULL)
            """, connection);
        insert.Parameters.Add(Parameter("n", record.Number, NpgsqlDbType.Bigint));
        insert.Parameters.Add(Parameter("at", record.CreatedAt, NpgsqlDbType.TimestampTz));
        insert.Parameters.Add(Parameter("spec", record.SpecJson, NpgsqlDbType.Text));
        insert.Parameters.Add(Parameter("msg", record.Message, NpgsqlDbType.Text));
        insert.Parameters.Add(Parameter("src", record.Source, NpgsqlDbType.Text));
        insert.Parameters.Add(Parameter("status", record.Status.ToText(), NpgsqlDbType.Text));
        insert.Parameters.Add(Parameter("rb", record.RollbackOf, NpgsqlDbType.Bigint));
        insert.Parameters.Add(Parameter("changed", record.ChangedVms, NpgsqlDbType.Text));
        insert.Parameters.Add(Parameter("confirmed", record.Confirmed, NpgsqlDbType.Boolean));
        insert.Parameters.Add(Parameter("auto", record.AutoRollback, NpgsqlDbType.Boolean));
        insert.Parameters.Add(Parameter("deadline", record.ConfirmDeadline, NpgsqlDbType.TimestampTz));
        insert.Parameters.Add(Parameter("author", record.Author, NpgsqlDbType.Text));
        try
        {
            await insert.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Only reachable if another writer skipped the table lock (an older Hangar, a hand-written INSERT).
            throw new GenerationConflictException(expectedCurrent, current + 1);
        }
        await tx.CommitAsync(ct);
        return record;
    }, ct);

    public Task SetGenerationStatusAsync(long number, GenerationStatus status, string? reason, bool confirmed, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("UPDATE generations SET status = @s, reason = @r, confirmed = @c WHERE number = @n", connection);
        cmd.Parameters.Add(Parameter("s", status.ToText(), NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("r", reason, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("c", confirmed, NpgsqlDbType.Boolean));
        cmd.Parameters.Add(Parameter("n", number, NpgsqlDbType.Bigint));
        return await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public Task SetGenerationImageDigestsAsync(long number, string imageDigestsJson, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("UPDATE generations SET image_digests = @d WHERE number = @n", connection);
        cmd.Parameters.Add(Parameter("d", imageDigestsJson, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("n", number, NpgsqlDbType.Bigint));
        return await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public Task<IReadOnlyList<GenerationRecord>> ListGenerationsAsync(CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand($"SELECT {GenerationColumns} FROM generations ORDER BY number", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<GenerationRecord>();
        while (await reader.ReadAsync(ct)) list.Add(ReadGeneration(reader));
        return (IReadOnlyList<GenerationRecord>)list;
    }, ct);

    public Task<IReadOnlyDictionary<string, VmAdminRecord>> GetVmAdminAsync(CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("SELECT name, running, restart_nonce FROM vm_admin", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var map = new Dictionary<string, VmAdminRecord>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
            map[reader.GetString(0)] = new VmAdminRecord(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetBoolean(1), reader.GetInt64(2));
        return (IReadOnlyDictionary<string, VmAdminRecord>)map;
    }, ct);

    public Task SetVmAdminAsync(VmAdminRecord record, CancellationToken ct) => Run(async connection =>
    {
        await UpsertVmAdminAsync(connection, record, ct);
        return true;
    }, ct);

    public Task ReplaceVmAdminAsync(IEnumerable<VmAdminRecord> records, CancellationToken ct) => Run(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Without the lock, two replacements could each delete only the rows they saw and leave a mix of both.
        await ExecuteAsync(connection, "LOCK TABLE vm_admin IN SHARE ROW EXCLUSIVE MODE", ct);
        await ExecuteAsync(connection, "DELETE FROM vm_admin", ct);
        foreach (var record in records) await UpsertVmAdminAsync(connection, record, ct);
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task<FleetAdminRecord> GetFleetAdminAsync(CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("SELECT active, purge_removed FROM fleet_admin WHERE id = 1", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new FleetAdminRecord(reader.GetBoolean(0), reader.GetBoolean(1))
            : new FleetAdminRecord(Active: true, PurgeRemoved: false);
    }, ct);

    public Task SetFleetAdminAsync(FleetAdminRecord record, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO fleet_admin (id, active, purge_removed) VALUES (1, @a, @p) ON CONFLICT (id) DO UPDATE SET active = EXCLUDED.active, purge_removed = EXCLUDED.purge_removed", connection);
        cmd.Parameters.Add(Parameter("a", record.Active, NpgsqlDbType.Boolean));
        cmd.Parameters.Add(Parameter("p", record.PurgeRemoved, NpgsqlDbType.Boolean));
        return await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public Task AppendEventAsync(EventRecord record, CancellationToken ct) => Run(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Ids come from a sequence when the row is inserted, but become visible when it commits: holding the lock
        // until then keeps the two orders the same across processes (see the class comment).
        await ExecuteAsync(connection, "LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE", ct);
        await using var cmd = new NpgsqlCommand("INSERT INTO events (at, kind, vm, message, agent) VALUES (@at, @kind, @vm, @msg, @agent)", connection);
        cmd.Parameters.Add(Parameter("at", StoredGeneration.Milliseconds(record.At), NpgsqlDbType.TimestampTz));
        cmd.Parameters.Add(Parameter("kind", record.Kind, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("vm", record.Vm, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("msg", record.Message, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("agent", record.Agent, NpgsqlDbType.Text));
        await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task AppendEventsAsync(IReadOnlyList<EventRecord> records, CancellationToken ct) => Run(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, "LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE", ct); // as AppendEventAsync
        // One statement per event in one batch (one round trip): the sequence numbers them in list order.
        await using var batch = new NpgsqlBatch(connection);
        foreach (var record in records)
        {
            var cmd = new NpgsqlBatchCommand("INSERT INTO events (at, kind, vm, message, agent) VALUES (@at, @kind, @vm, @msg, @agent)");
            cmd.Parameters.Add(Parameter("at", StoredGeneration.Milliseconds(record.At), NpgsqlDbType.TimestampTz));
            cmd.Parameters.Add(Parameter("kind", record.Kind, NpgsqlDbType.Text));
            cmd.Parameters.Add(Parameter("vm", record.Vm, NpgsqlDbType.Text));
            cmd.Parameters.Add(Parameter("msg", record.Message, NpgsqlDbType.Text));
            cmd.Parameters.Add(Parameter("agent", record.Agent, NpgsqlDbType.Text));
            batch.BatchCommands.Add(cmd);
        }
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task<IReadOnlyList<EventRecord>> ListEventsAsync(long afterId, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return Run(async connection =>
        {
            await using var cmd = new NpgsqlCommand("SELECT id, at, kind, vm, message, agent FROM events WHERE id > @after ORDER BY id LIMIT @limit", connection);
            cmd.Parameters.Add(Parameter("after", afterId, NpgsqlDbType.Bigint));
            cmd.Parameters.Add(Parameter("limit", limit, NpgsqlDbType.Integer));
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var list = new List<EventRecord>();
            while (await reader.ReadAsync(ct))
                list.Add(new EventRecord(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1),
                    reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
            return (IReadOnlyList<EventRecord>)list;
        }, ct);
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private static async Task UpsertVmAdminAsync(NpgsqlConnection connection, VmAdminRecord record, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO vm_admin (name, running, restart_nonce) VALUES (@n, @s, @r) ON CONFLICT (name) DO UPDATE SET running = EXCLUDED.running, restart_nonce = EXCLUDED.restart_nonce", connection);
        cmd.Parameters.Add(Parameter("n", record.Name, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("s", record.Running, NpgsqlDbType.Boolean));
        cmd.Parameters.Add(Parameter("r", record.RestartNonce, NpgsqlDbType.Bigint));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<GenerationRecord?> ReadOneGenerationAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadGeneration(reader) : null;
    }

    private static GenerationRecord ReadGeneration(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), GenerationStatusText.Parse(reader.GetString(5)),
        reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetInt64(7), reader.GetString(8),
        reader.GetBoolean(9), reader.GetBoolean(10),
        reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
        reader.IsDBNull(12) ? null : reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetString(13));

    private static NpgsqlParameter Parameter(string name, object? value, NpgsqlDbType type) => PostgresCommands.Parameter(name, value, type);

    private static Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct) => PostgresCommands.ExecuteAsync(connection, sql, ct);

    private Task<T> Run<T>(Func<NpgsqlConnection, Task<T>> action, CancellationToken ct) => PostgresCommands.RunAsync(_source, action, ct);
}
