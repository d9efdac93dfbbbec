using Microsoft.Data.Sqlite;

namespace Hangar.State.Sqlite;

/// <summary>
/// <see cref="IStateStore"/> on one SQLite file (WAL mode). One connection, guarded by a lock: the control plane's
/// write rate is a handful of rows per apply, and a single connection keeps transactions trivially serialized.
/// </summary>
public sealed class SqliteStateStore : IStateStore
{
    private readonly SqliteDatabase _db;

    private SqliteStateStore(SqliteDatabase database) => _db = database;

    /// <summary>
    /// Opens the database at <paramref name="path"/>, creating it (and its directory, 0700) when missing. The file and
    /// its <c>-wal</c> and <c>-shm</c> companions are private to the owner (0600): the state holds every fleet file.
    /// </summary>
    public static async Task<SqliteStateStore> OpenAsync(string path, CancellationToken ct) => new(await SqliteDatabase.OpenAsync(path, ct));

    public Task<GenerationRecord?> GetCurrentGenerationAsync(CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("SELECT number, created_at, spec_json, message, source, status, reason, rollback_of, changed_vms, confirmed, auto_rollback, confirm_deadline, author, image_digests FROM generations ORDER BY number DESC LIMIT 1");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadGeneration(reader) : null;
    }, ct);

    public Task<GenerationRecord?> GetGenerationAsync(long number, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("SELECT number, created_at, spec_json, message, source, status, reason, rollback_of, changed_vms, confirmed, auto_rollback, confirm_deadline, author, image_digests FROM generations WHERE number = $n");
        cmd.Parameters.AddWithValue("$n", number);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadGeneration(reader) : null;
    }, ct);

    public Task<GenerationRecord> CommitGenerationAsync(NewGeneration generation, long expectedCurrent, GenerationStatus previousStatus, string? previousReason, CancellationToken ct) => Locked(async () =>
    {
        await using var tx = await _db.BeginTransactionAsync(ct);
        await using var max = Command("SELECT COALESCE(MAX(number), 0) FROM generations", tx);
        var current = (long)(await max.ExecuteScalarAsync(ct))!;
        if (expectedCurrent != current)
            throw new GenerationConflictException(expectedCurrent, current);
        // A generation that failed or was rolled back keeps that status when a newer one supersedes it.
        await using (var previous = Command("UPDATE generations SET status = CASE WHEN status IN ('failed', 'rolled-back') THEN status ELSE $s END, reason = COALESCE($r, reason) WHERE number = $n", tx))
        {
            previous.Parameters.AddWithValue("$s", previousStatus.ToText());
            previous.Parameters.AddWithValue("$r", (object?)previousReason ?? DBNull.Value);
            previous.Parameters.AddWithValue("$n", current);
            await previous.ExecuteNonQueryAsync(ct);
        }
        var record = StoredGeneration.New(current + 1, generation);
        await using var insert = Command("""
            INSERT INTO generations (number, created_at, spec_json, message, source, status, reason, rollback_of, changed_vms, confirmed, auto_rollback, confirm_deadline, author)
            VALUES ($n, $at, $spec, $msg, $src, $status, NULL, $rb, $changed, $confirmed, $auto, $deadline, $author)
            """, tx);
        insert.Parameters.AddWithValue("$n", record.Number);
        insert.Parameters.AddWithValue("$at", record.CreatedAt.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$spec", record.SpecJson);
        insert.Parameters.AddWithValue("$msg", (object?)record.Message ?? DBNull.Value);
        insert.Parameters.AddWithValue("$src", record.Source);
        insert.Parameters.AddWithValue("$status", record.Status.ToText());
        insert.Parameters.AddWithValue("$rb", (object?)record.RollbackOf ?? DBNull.Value);
        insert.Parameters.AddWithValue("$changed", record.ChangedVms);
        insert.Parameters.AddWithValue("$confirmed", record.Confirmed ? 1 : 0);
        insert.Parameters.AddWithValue("$auto", record.AutoRollback ? 1 : 0);
        insert.Parameters.AddWithValue("$deadline", (object?)record.ConfirmDeadline?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        insert.Parameters.AddWithValue("$author", (object?)record.Author ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return record;
    }, ct);

    public Task SetGenerationStatusAsync(long number, GenerationStatus status, string? reason, bool confirmed, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("UPDATE generations SET status = $s, reason = $r, confirmed = $c WHERE number = $n");
        cmd.Parameters.AddWithValue("$s", status.ToText());
        cmd.Parameters.AddWithValue("$r", (object?)reason ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$c", confirmed ? 1 : 0);
        cmd.Parameters.AddWithValue("$n", number);
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public Task SetGenerationImageDigestsAsync(long number, string imageDigestsJson, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("UPDATE generations SET image_digests = $d WHERE number = $n");
        cmd.Parameters.AddWithValue("$d", imageDigestsJson);
        cmd.Parameters.AddWithValue("$n", number);
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public Task<IReadOnlyList<GenerationRecord>> ListGenerationsAsync(CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("SELECT number, created_at, spec_json, message, source, status, reason, rollback_of, changed_vms, confirmed, auto_rollback, confirm_deadline, author, image_digests FROM generations ORDER BY number");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<GenerationRecord>();
        while (await reader.ReadAsync(ct)) list.Add(ReadGeneration(reader));
        return (IReadOnlyList<GenerationRecord>)list;
    }, ct);

    public Task<IReadOnlyDictionary<string, VmAdminRecord>> GetVmAdminAsync(CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("SELECT name, running, restart_nonce FROM vm_admin");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var map = new Dictionary<string, VmAdminRecord>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
            map[reader.GetString(0)] = new VmAdminRecord(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1) != 0, reader.GetInt64(2));
        return (IReadOnlyDictionary<string, VmAdminRecord>)map;
    }, ct);

    public Task SetVmAdminAsync(VmAdminRecord record, CancellationToken ct) => Locked(async () =>
    {
        await UpsertVmAdminAsync(record, null, ct);
        return true;
    }, ct);

    public Task ReplaceVmAdminAsync(IEnumerable<VmAdminRecord> records, CancellationToken ct) => Locked(async () =>
    {
        await using var tx = await _db.BeginTransactionAsync(ct);
        await using (var delete = Command("DELETE FROM vm_admin", tx))
            await delete.ExecuteNonQueryAsync(ct);
        foreach (var record in records) await UpsertVmAdminAsync(record, tx, ct);
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task<FleetAdminRecord> GetFleetAdminAsync(CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("SELECT active, purge_removed FROM fleet_admin WHERE id = 1");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new FleetAdminRecord(reader.GetInt64(0) != 0, reader.GetInt64(1) != 0)
            : new FleetAdminRecord(Active: true, PurgeRemoved: false);
    }, ct);

    public Task SetFleetAdminAsync(FleetAdminRecord record, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("INSERT INTO fleet_admin (id, active, purge_removed) VALUES (1, $a, $p) ON CONFLICT(id) DO UPDATE SET active = $a, purge_removed = $p");
        cmd.Parameters.AddWithValue("$a", record.Active ? 1 : 0);
        cmd.Parameters.AddWithValue("$p", record.PurgeRemoved ? 1 : 0);
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public Task AppendEventAsync(EventRecord record, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("INSERT INTO events (at, kind, vm, message, agent) VALUES ($at, $kind, $vm, $msg, $agent)");
        cmd.Parameters.AddWithValue("$at", record.At.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$kind", record.Kind);
        cmd.Parameters.AddWithValue("$vm", (object?)record.Vm ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$msg", record.Message);
        cmd.Parameters.AddWithValue("$agent", (object?)record.Agent ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public Task AppendEventsAsync(IReadOnlyList<EventRecord> records, CancellationToken ct) => Locked(async () =>
    {
        await using var tx = await _db.BeginTransactionAsync(ct);
        await using var cmd = Command("INSERT INTO events (at, kind, vm, message, agent) VALUES ($at, $kind, $vm, $msg, $agent)", tx);
        var at = cmd.Parameters.Add("$at", SqliteType.Integer);
        var kind = cmd.Parameters.Add("$kind", SqliteType.Text);
        var vm = cmd.Parameters.Add("$vm", SqliteType.Text);
        var message = cmd.Parameters.Add("$msg", SqliteType.Text);
        var agent = cmd.Parameters.Add("$agent", SqliteType.Text);
        foreach (var record in records)
        {
            (at.Value, kind.Value, vm.Value, message.Value) = (record.At.ToUnixTimeMilliseconds(), record.Kind, (object?)record.Vm ?? DBNull.Value, record.Message);
            agent.Value = (object?)record.Agent ?? DBNull.Value;
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task<IReadOnlyList<EventRecord>> ListEventsAsync(long afterId, int limit, CancellationToken ct)
    {
        // SQLite reads a negative LIMIT as "no limit"; PostgreSQL refuses it. Neither is what a caller means.
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ListEventsLockedAsync(afterId, limit, ct);
    }

    private Task<IReadOnlyList<EventRecord>> ListEventsLockedAsync(long afterId, int limit, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("SELECT id, at, kind, vm, message, agent FROM events WHERE id > $after ORDER BY id LIMIT $limit");
        cmd.Parameters.AddWithValue("$after", afterId);
        cmd.Parameters.AddWithValue("$limit", limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<EventRecord>();
        while (await reader.ReadAsync(ct))
            list.Add(new EventRecord(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        return (IReadOnlyList<EventRecord>)list;
    }, ct);

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task UpsertVmAdminAsync(VmAdminRecord record, SqliteTransaction? tx, CancellationToken ct)
    {
        await using var cmd = Command("INSERT INTO vm_admin (name, running, restart_nonce) VALUES ($n, $s, $r) ON CONFLICT(name) DO UPDATE SET running = $s, restart_nonce = $r", tx);
        cmd.Parameters.AddWithValue("$n", record.Name);
        cmd.Parameters.AddWithValue("$s", record.Running is { } running ? (running ? 1 : 0) : DBNull.Value);
        cmd.Parameters.AddWithValue("$r", record.RestartNonce);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static GenerationRecord ReadGeneration(SqliteDataReader reader) => new(
        reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), GenerationStatusText.Parse(reader.GetString(5)),
        reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetInt64(7), reader.GetString(8),
        reader.GetInt64(9) != 0, reader.GetInt64(10) != 0,
        reader.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
        reader.IsDBNull(12) ? null : reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetString(13));

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null) => _db.Command(sql, tx);

    private Task<T> Locked<T>(Func<Task<T>> action, CancellationToken ct) => _db.Locked(action, ct);
}
