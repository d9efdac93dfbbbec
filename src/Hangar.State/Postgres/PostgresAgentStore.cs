using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Hangar.State.Postgres;

/// <summary>
/// <see cref="IAgentStore"/> on a PostgreSQL database (the same one as <see cref="PostgresStateStore"/>, on a
/// connection pool of its own), with the SQLite engine's semantics: the contract suite in tests/Hangar.State.Tests
/// runs against both. Several control-plane processes may use one database at once:
/// <list type="bullet">
/// <item><see cref="TryUseJoinTokenAsync"/> is one <c>UPDATE … WHERE used = @before AND used &lt; uses</c>: a second
///   update of the same row waits for the first to commit, then re-checks its condition against the committed row
///   (read committed), so of two joins racing for the last use exactly one gets it.</item>
/// <item>Agent names and credential hashes are unique by their keys; <see cref="AddAgentAsync"/> inserts with
///   <c>ON CONFLICT (name) DO NOTHING</c>, so of two agents joining under one name exactly one is added.</item>
/// <item><see cref="ReplacePlacementsAsync"/> locks <c>vm_placement</c> against other writers until it commits: two
///   replacements do not interleave into a mix of both.</item>
/// </list>
/// Connections come from Npgsql's pool; there is no lock in this process.
/// </summary>
public sealed class PostgresAgentStore : IAgentStore
{
    private const string AgentColumns = "name, credential_hash, labels, vcpus, memory_bytes, version, host_name, accelerator, joined_at, last_heartbeat, cordoned, recipient";
    private const string AgentValues = "@n, @h, @l, @c, @m, @v, @host, @a, @j, @hb, @cord, @rcp";

    private readonly NpgsqlDataSource _source;

    private PostgresAgentStore(NpgsqlDataSource source) => _source = source;

    /// <summary>Connects to the database <paramref name="location"/> names and migrates it to this code's schema.</summary>
    /// <exception cref="StateStoreException">The server cannot be reached, refuses the login, or holds a newer schema.
    /// The message names the location with its password masked.</exception>
    public static async Task<PostgresAgentStore> OpenAsync(StateStoreLocation location, CancellationToken ct)
    {
        return new PostgresAgentStore(await PostgresSchema.OpenMigratedAsync(location, ct));
    }

    public Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken ct) => Run(async connection =>
    {
        // COLLATE "C": byte order, as SQLite sorts text, whatever the database's locale.
        await using var cmd = new NpgsqlCommand($"SELECT {AgentColumns} FROM agents ORDER BY name COLLATE \"C\"", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<AgentRecord>();
        while (await reader.ReadAsync(ct))
            list.Add(new AgentRecord(reader.GetString(0), reader.GetString(1), ReadLabels(reader.GetString(2)), reader.GetInt32(3), reader.GetInt64(4),
                reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9), reader.GetBoolean(10))
                { Recipient = reader.IsDBNull(11) ? null : reader.GetString(11) });
        return (IReadOnlyList<AgentRecord>)list;
    }, ct);

    public Task<bool> AddAgentAsync(AgentRecord record, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = AgentCommand($"INSERT INTO agents ({AgentColumns}) VALUES ({AgentValues}) ON CONFLICT (name) DO NOTHING", record, connection);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task SaveAgentAsync(AgentRecord record, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = AgentCommand($"""
            INSERT INTO agents ({AgentColumns}) VALUES ({AgentValues})
            ON CONFLICT (name) DO UPDATE SET credential_hash = EXCLUDED.credential_hash, labels = EXCLUDED.labels,
                vcpus = EXCLUDED.vcpus, memory_bytes = EXCLUDED.memory_bytes, version = EXCLUDED.version,
                host_name = EXCLUDED.host_name, accelerator = EXCLUDED.accelerator, joined_at = EXCLUDED.joined_at,
                last_heartbeat = EXCLUDED.last_heartbeat, cordoned = EXCLUDED.cordoned, recipient = EXCLUDED.recipient
            """, record, connection);
        return await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public Task<bool> RemoveAgentAsync(string name, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("DELETE FROM agents WHERE name = @n", connection);
        cmd.Parameters.Add(Parameter("n", name, NpgsqlDbType.Text));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task AddJoinTokenAsync(JoinTokenRecord record, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO join_tokens (id, secret_hash, created_at, expires_at, uses, used, labels) VALUES (@id, @h, @c, @e, @u, @used, @l)", connection);
        cmd.Parameters.Add(Parameter("id", record.Id, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("h", record.SecretHash, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("c", StoredGeneration.Milliseconds(record.CreatedAt), NpgsqlDbType.TimestampTz));
        cmd.Parameters.Add(Parameter("e", StoredGeneration.Milliseconds(record.ExpiresAt), NpgsqlDbType.TimestampTz));
        cmd.Parameters.Add(Parameter("u", record.Uses, NpgsqlDbType.Integer));
        cmd.Parameters.Add(Parameter("used", record.Used, NpgsqlDbType.Integer));
        cmd.Parameters.Add(Parameter("l", WriteLabels(record.Labels), NpgsqlDbType.Text));
        return await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public Task<JoinTokenRecord?> GetJoinTokenAsync(string id, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("SELECT id, secret_hash, created_at, expires_at, uses, used, labels FROM join_tokens WHERE id = @id", connection);
        cmd.Parameters.Add(Parameter("id", id, NpgsqlDbType.Text));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new JoinTokenRecord(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt32(4), reader.GetInt32(5), ReadLabels(reader.GetString(6)));
    }, ct);

    public Task<bool> TryUseJoinTokenAsync(string id, int usedBefore, CancellationToken ct) => Run(async connection =>
    {
        // One statement, so no transaction of ours sits between the check and the write (see the class comment).
        await using var cmd = new NpgsqlCommand("UPDATE join_tokens SET used = used + 1 WHERE id = @id AND used = @used AND used < uses", connection);
        cmd.Parameters.Add(Parameter("id", id, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("used", usedBefore, NpgsqlDbType.Integer));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task<IReadOnlyDictionary<string, string>> GetPlacementsAsync(CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("SELECT vm, agent FROM vm_placement", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) map[reader.GetString(0)] = reader.GetString(1);
        return (IReadOnlyDictionary<string, string>)map;
    }, ct);

    public Task ReplacePlacementsAsync(IReadOnlyDictionary<string, string> placements, CancellationToken ct) => Run(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Without the lock, two replacements could each delete only the rows they saw and leave a mix of both.
        await ExecuteAsync(connection, "LOCK TABLE vm_placement IN SHARE ROW EXCLUSIVE MODE", ct);
        await ExecuteAsync(connection, "DELETE FROM vm_placement", ct);
        await using var insert = new NpgsqlCommand("INSERT INTO vm_placement (vm, agent) SELECT * FROM unnest(@vms, @agents)", connection);
        insert.Parameters.Add(Parameter("vms", placements.Keys.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
        insert.Parameters.Add(Parameter("agents", placements.Values.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
        await insert.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task UpdatePlacementsAsync(IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> removed, CancellationToken ct) => Run(async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The same lock as a replacement: an update never lands in the middle of one.
        await ExecuteAsync(connection, "LOCK TABLE vm_placement IN SHARE ROW EXCLUSIVE MODE", ct);
        if (set.Count > 0)
        {
            await using var upsert = new NpgsqlCommand(
                "INSERT INTO vm_placement (vm, agent) SELECT * FROM unnest(@vms, @agents) ON CONFLICT (vm) DO UPDATE SET agent = excluded.agent", connection);
            upsert.Parameters.Add(Parameter("vms", set.Keys.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
            upsert.Parameters.Add(Parameter("agents", set.Values.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
            await upsert.ExecuteNonQueryAsync(ct);
        }
        if (removed.Count > 0)
        {
            await using var delete = new NpgsqlCommand("DELETE FROM vm_placement WHERE vm = ANY(@vms)", connection);
            delete.Parameters.Add(Parameter("vms", removed.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
            await delete.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task<IReadOnlyDictionary<string, string>> GetDrainsAsync(CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand("SELECT agent, drain FROM agent_drains", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) map[reader.GetString(0)] = reader.GetString(1);
        return (IReadOnlyDictionary<string, string>)map;
    }, ct);

    public Task SaveDrainAsync(string agent, string? drain, CancellationToken ct) => Run(async connection =>
    {
        await using var cmd = new NpgsqlCommand(drain is null ? "DELETE FROM agent_drains WHERE agent = @a"
            : "INSERT INTO agent_drains (agent, drain) VALUES (@a, @d) ON CONFLICT (agent) DO UPDATE SET drain = EXCLUDED.drain", connection);
        cmd.Parameters.Add(Parameter("a", agent, NpgsqlDbType.Text));
        if (drain is not null) cmd.Parameters.Add(Parameter("d", drain, NpgsqlDbType.Text));
        return await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private static NpgsqlCommand AgentCommand(string sql, AgentRecord record, NpgsqlConnection connection)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.Add(Parameter("n", record.Name, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("h", record.CredentialHash, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("l", WriteLabels(record.Labels), NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("c", record.Vcpus, NpgsqlDbType.Integer));
        cmd.Parameters.Add(Parameter("m", record.MemoryBytes, NpgsqlDbType.Bigint));
        cmd.Parameters.Add(Parameter("v", record.Version, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("host", record.HostName, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("a", record.Accelerator, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("j", StoredGeneration.Milliseconds(record.JoinedAt), NpgsqlDbType.TimestampTz));
        cmd.Parameters.Add(Parameter("hb", record.LastHeartbeat is { } heartbeat ? StoredGeneration.Milliseconds(heartbeat) : null, NpgsqlDbType.TimestampTz));
        cmd.Parameters.Add(Parameter("cord", record.Cordoned, NpgsqlDbType.Boolean));
        cmd.Parameters.Add(Parameter("rcp", record.Recipient, NpgsqlDbType.Text));
        return cmd;
    }

    // The same JSON as SqliteAgentStore writes: keys in ordinal order.
    private static string WriteLabels(IReadOnlyDictionary<string, string> labels) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(labels.ToDictionary(), StringComparer.Ordinal), StateJsonContext.Default.SortedDictionaryStringString);

    private static IReadOnlyDictionary<string, string> ReadLabels(string json) =>
        JsonSerializer.Deserialize(json, StateJsonContext.Default.DictionaryStringString) ?? new Dictionary<string, string>();

    private static NpgsqlParameter Parameter(string name, object? value, NpgsqlDbType type) => PostgresCommands.Parameter(name, value, type);

    private static Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct) => PostgresCommands.ExecuteAsync(connection, sql, ct);

    private Task<T> Run<T>(Func<NpgsqlConnection, Task<T>> action, CancellationToken ct) => PostgresCommands.RunAsync(_source, action, ct);
}
