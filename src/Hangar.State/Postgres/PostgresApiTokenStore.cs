using Npgsql;
using NpgsqlTypes;

namespace Hangar.State.Postgres;

/// <summary>
/// <see cref="IApiTokenStore"/> on a PostgreSQL database (the same one as <see cref="PostgresStateStore"/>, on a pool of
/// its own), with the SQLite engine's semantics. Every operation is one statement, so replicas sharing the database see
/// a revoked token gone at once.
/// </summary>
public sealed class PostgresApiTokenStore : IApiTokenStore
{
    private const string Columns = "id, secret_hash, role, name, created_at, expires_at";

    private readonly NpgsqlDataSource _source;

    private PostgresApiTokenStore(NpgsqlDataSource source) => _source = source;

    /// <summary>Connects to the database <paramref name="location"/> names and migrates it to this code's schema.</summary>
    /// <exception cref="StateStoreException">The server cannot be reached, refuses the login, or holds a newer schema.</exception>
    public static async Task<PostgresApiTokenStore> OpenAsync(StateStoreLocation location, CancellationToken ct) =>
        new(await PostgresSchema.OpenMigratedAsync(location, ct));

    public Task<bool> AddApiTokenAsync(ApiTokenRecord record, CancellationToken ct) => PostgresCommands.RunAsync(_source, async connection =>
    {
        await using var cmd = new NpgsqlCommand($"INSERT INTO api_tokens ({Columns}) VALUES (@id, @h, @r, @n, @c, @e) ON CONFLICT (id) DO NOTHING", connection);
        cmd.Parameters.Add(PostgresCommands.Parameter("id", record.Id, NpgsqlDbType.Text));
        cmd.Parameters.Add(PostgresCommands.Parameter("h", record.SecretHash, NpgsqlDbType.Text));
        cmd.Parameters.Add(PostgresCommands.Parameter("r", record.Role, NpgsqlDbType.Text));
        cmd.Parameters.Add(PostgresCommands.Parameter("n", record.Name, NpgsqlDbType.Text));
        cmd.Parameters.Add(PostgresCommands.Parameter("c", StoredGeneration.Milliseconds(record.CreatedAt), NpgsqlDbType.TimestampTz));
        cmd.Parameters.Add(PostgresCommands.Parameter("e", record.ExpiresAt is { } e ? StoredGeneration.Milliseconds(e) : null, NpgsqlDbType.TimestampTz));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task<ApiTokenRecord?> GetApiTokenAsync(string id, CancellationToken ct) => PostgresCommands.RunAsync(_source, async connection =>
    {
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM api_tokens WHERE id = @id", connection);
        cmd.Parameters.Add(PostgresCommands.Parameter("id", id, NpgsqlDbType.Text));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }, ct);

    public Task<IReadOnlyList<ApiTokenRecord>> ListApiTokensAsync(CancellationToken ct) => PostgresCommands.RunAsync(_source, async connection =>
    {
        // COLLATE "C": byte order, as SQLite sorts text, whatever the database's locale.
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM api_tokens ORDER BY created_at, id COLLATE \"C\"", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ApiTokenRecord>();
        while (await reader.ReadAsync(ct)) list.Add(Read(reader));
        return (IReadOnlyList<ApiTokenRecord>)list;
    }, ct);

    public Task<bool> RemoveApiTokenAsync(string id, CancellationToken ct) => PostgresCommands.RunAsync(_source, async connection =>
    {
        await using var cmd = new NpgsqlCommand("DELETE FROM api_tokens WHERE id = @id", connection);
        cmd.Parameters.Add(PostgresCommands.Parameter("id", id, NpgsqlDbType.Text));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private static ApiTokenRecord Read(NpgsqlDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4),
        reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
}
