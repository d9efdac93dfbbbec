using Microsoft.Data.Sqlite;

namespace Hangar.State.Sqlite;

/// <summary><see cref="IApiTokenStore"/> on the control plane's SQLite file, on a connection of its own.</summary>
public sealed class SqliteApiTokenStore : IApiTokenStore
{
    private const string Columns = "id, secret_hash, role, name, created_at, expires_at";

    private readonly SqliteDatabase _db;

    private SqliteApiTokenStore(SqliteDatabase database) => _db = database;

    /// <summary>Opens (and migrates) the database at <paramref name="path"/>, creating it private when missing.</summary>
    public static async Task<SqliteApiTokenStore> OpenAsync(string path, CancellationToken ct) => new(await SqliteDatabase.OpenAsync(path, ct));

    public Task<bool> AddApiTokenAsync(ApiTokenRecord record, CancellationToken ct) => _db.Locked(async () =>
    {
        await using var cmd = _db.Command($"INSERT INTO api_tokens ({Columns}) VALUES ($id, $h, $r, $n, $c, $e) ON CONFLICT(id) DO NOTHING");
        cmd.Parameters.AddWithValue("$id", record.Id);
        cmd.Parameters.AddWithValue("$h", record.SecretHash);
        cmd.Parameters.AddWithValue("$r", record.Role);
        cmd.Parameters.AddWithValue("$n", (object?)record.Name ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$c", record.CreatedAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$e", (object?)record.ExpiresAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public Task<ApiTokenRecord?> GetApiTokenAsync(string id, CancellationToken ct) => _db.Locked(async () =>
    {
        await using var cmd = _db.Command($"SELECT {Columns} FROM api_tokens WHERE id = $id");
        cmd.Parameters.AddWithValue("$id", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }, ct);

    public Task<IReadOnlyList<ApiTokenRecord>> ListApiTokensAsync(CancellationToken ct) => _db.Locked(async () =>
    {
        await using var cmd = _db.Command($"SELECT {Columns} FROM api_tokens ORDER BY created_at, id");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ApiTokenRecord>();
        while (await reader.ReadAsync(ct)) list.Add(Read(reader));
        return (IReadOnlyList<ApiTokenRecord>)list;
    }, ct);

    public Task<bool> RemoveApiTokenAsync(string id, CancellationToken ct) => _db.Locked(async () =>
    {
        await using var cmd = _db.Command("DELETE FROM api_tokens WHERE id = $id");
        cmd.Parameters.AddWithValue("$id", id);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }, ct);

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private static ApiTokenRecord Read(SqliteDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
}
