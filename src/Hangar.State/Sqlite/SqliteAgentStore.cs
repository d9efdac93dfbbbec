using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Hangar.State.Sqlite;

/// <summary>
/// <see cref="IAgentStore"/> on the control plane's SQLite file (the same file as <see cref="SqliteStateStore"/>, on a
/// connection of its own; WAL and the busy timeout let the two write in turn). Agents write at connect and disconnect,
/// not per heartbeat, so this stays a handful of rows per minute.
/// </summary>
public sealed class SqliteAgentStore : IAgentStore
{
    private readonly SqliteDatabase _db;

    private SqliteAgentStore(SqliteDatabase database) => _db = database;

    /// <summary>Opens (and migrates) the database at <paramref name="path"/>, creating it private when missing.</summary>
    public static async Task<SqliteAgentStore> OpenAsync(string path, CancellationToken ct) => new(await SqliteDatabase.OpenAsync(path, ct));

    private const string AgentColumns = "name, credential_hash, labels, vcpus, memory_bytes, version, host_name, accelerator, joined_at, last_heartbeat, cordoned, recipient";

    public Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command($"SELECT {AgentColumns} FROM agents ORDER BY name");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<AgentRecord>();
        while (await reader.ReadAsync(ct))
            list.Add(new AgentRecord(reader.GetString(0), reader.GetString(1), ReadLabels(reader.GetString(2)), reader.GetInt32(3), reader.GetInt64(4),
                reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                reader.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)), reader.GetInt64(10) != 0)
                { Recipient = reader.IsDBNull(11) ? null : reader.GetString(11) });
        return (IReadOnlyList<AgentRecord>)list;
    }, ct);

    public Task<bool> AddAgentAsync(AgentRecord record, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = AgentCommand($"INSERT INTO agents ({AgentColumns}) VALUES ($n, $h, $l, $c, $m, $v, $host, $a, $j, $hb, $cord, $rcp) ON CONFLICT(name) DO NOTHING", record);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task SaveAgentAsync(AgentRecord record, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = AgentCommand($"""
            INSERT INTO agents ({AgentColumns}) VALUES ($n, $h, $l, $c, $m, $v, $host, $a, $j, $hb, $cord, $rcp)
            ON CONFLICT(name) DO UPDATE SET credential_hash = $h, labels = $l, vcpus = $c, memory_bytes = $m, version = $v,
                host_name = $host, accelerator = $a, joined_at = $j, last_heartbeat = $hb, cordoned = $cord, recipient = $rcp
            """, record);
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public Task<bool> RemoveAgentAsync(string name, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("DELETE FROM agents WHERE name = $n");
        cmd.Parameters.AddWithValue("$n", name);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task AddJoinTokenAsync(JoinTokenRecord record, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("INSERT INTO join_tokens (id, secret_hash, created_at, expires_at, uses, used, labels) VALUES ($id, $h, $c, $e, $u, $used, $l)");
        cmd.Parameters.AddWithValue("$id", record.Id);
        cmd.Parameters.AddWithValue("$h", record.SecretHash);
        cmd.Parameters.AddWithValue("$c", record.CreatedAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$e", record.ExpiresAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$u", record.Uses);
        cmd.Parameters.AddWithValue("$used", record.Used);
        cmd.Parameters.AddWithValue("$l", WriteLabels(record.Labels));
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public Task<JoinTokenRecord?> GetJoinTokenAsync(string id, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("SELECT id, secret_hash, created_at, expires_at, uses, used, labels FROM join_tokens WHERE id = $id");
        cmd.Parameters.AddWithValue("$id", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new JoinTokenRecord(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetInt32(4), reader.GetInt32(5), ReadLabels(reader.GetString(6)));
    }, ct);

    public Task<bool> TryUseJoinTokenAsync(string id, int usedBefore, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("UPDATE join_tokens SET used = used + 1 WHERE id = $id AND used = $used AND used < uses");
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$used", usedBefore);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task<IReadOnlyDictionary<string, string>> GetPlacementsAsync(CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("SELECT vm, agent FROM vm_placement");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) map[reader.GetString(0)] = reader.GetString(1);
        return (IReadOnlyDictionary<string, string>)map;
    }, ct);

    public Task ReplacePlacementsAsync(IReadOnlyDictionary<string, string> placements, CancellationToken ct) => Locked(async () =>
    {
        await using var tx = await _db.BeginTransactionAsync(ct);
        await using (var delete = Command("DELETE FROM vm_placement", tx))
            await delete.ExecuteNonQueryAsync(ct);
        foreach (var (vm, agent) in placements)
        {
            await using var insert = Command("INSERT INTO vm_placement (vm, agent) VALUES ($vm, $agent)", tx);
            insert.Parameters.AddWithValue("$vm", vm);
            insert.Parameters.AddWithValue("$agent", agent);
            await insert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task UpdatePlacementsAsync(IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> removed, CancellationToken ct) => Locked(async () =>
    {
        await using var tx = await _db.BeginTransactionAsync(ct);
        // One prepared statement each, rebound per row: SQLite has no array parameter.
        await using (var upsert = Command("INSERT INTO vm_placement (vm, agent) VALUES ($vm, $agent) ON CONFLICT(vm) DO UPDATE SET agent = excluded.agent", tx))
        {
            var vm = upsert.Parameters.Add("$vm", SqliteType.Text);
            var agent = upsert.Parameters.Add("$agent", SqliteType.Text);
            foreach (var (name, on) in set)
            {
                (vm.Value, agent.Value) = (name, on);
                await upsert.ExecuteNonQueryAsync(ct);
            }
        }
        await using (var delete = Command("DELETE FROM vm_placement WHERE vm = $vm", tx))
        {
            var vm = delete.Parameters.Add("$vm", SqliteType.Text);
            foreach (var name in removed)
            {
                vm.Value = name;
                await delete.ExecuteNonQueryAsync(ct);
            }
        }
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task<IReadOnlyDictionary<string, string>> GetDrainsAsync(CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command("SELECT agent, drain FROM agent_drains");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) map[reader.GetString(0)] = reader.GetString(1);
        return (IReadOnlyDictionary<string, string>)map;
    }, ct);

    public Task SaveDrainAsync(string agent, string? drain, CancellationToken ct) => Locked(async () =>
    {
        await using var cmd = Command(drain is null ? "DELETE FROM agent_drains WHERE agent = $a"
            : "INSERT INTO agent_drains (agent, drain) VALUES ($a, $d) ON CONFLICT(agent) DO UPDATE SET drain = $d");
        cmd.Parameters.AddWithValue("$a", agent);
        if (drain is not null) cmd.Parameters.AddWithValue("$d", drain);
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private SqliteCommand AgentCommand(string sql, AgentRecord record)
    {
        var cmd = Command(sql);
        cmd.Parameters.AddWithValue("$n", record.Name);
        cmd.Parameters.AddWithValue("$h", record.CredentialHash);
        cmd.Parameters.AddWithValue("$l", WriteLabels(record.Labels));
        cmd.Parameters.AddWithValue("$c", record.Vcpus);
        cmd.Parameters.AddWithValue("$m", record.MemoryBytes);
        cmd.Parameters.AddWithValue("$v", record.Version);
        cmd.Parameters.AddWithValue("$host", record.HostName);
        cmd.Parameters.AddWithValue("$a", (object?)record.Accelerator ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$j", record.JoinedAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$hb", (object?)record.LastHeartbeat?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$cord", record.Cordoned ? 1 : 0);
        cmd.Parameters.AddWithValue("$rcp", (object?)record.Recipient ?? DBNull.Value);
        return cmd;
    }

    private static string WriteLabels(IReadOnlyDictionary<string, string> labels) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(labels.ToDictionary(), StringComparer.Ordinal), StateJsonContext.Default.SortedDictionaryStringString);

    private static IReadOnlyDictionary<string, string> ReadLabels(string json) =>
        JsonSerializer.Deserialize(json, StateJsonContext.Default.DictionaryStringString) ?? new Dictionary<string, string>();

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null) => _db.Command(sql, tx);

    private Task<T> Locked<T>(Func<Task<T>> action, CancellationToken ct) => _db.Locked(action, ct);
}
