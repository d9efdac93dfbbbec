using Hangar.State.Replication;
using Npgsql;
using NpgsqlTypes;
using static Hangar.State.Postgres.PostgresCommands;

namespace Hangar.State.Postgres;

/// <summary><see cref="IReplicaDirectory"/> in tables <c>replicas</c> and <c>image_copies</c> (PostgreSQL migration 6).</summary>
public sealed class PostgresReplicaDirectory : IReplicaDirectory
{
    private readonly NpgsqlDataSource _source;

    private PostgresReplicaDirectory(NpgsqlDataSource source) => _source = source;

    public static async Task<PostgresReplicaDirectory> OpenAsync(StateStoreLocation location, CancellationToken ct) =>
        new(await PostgresSchema.OpenMigratedAsync(location, ct));

    public Task RegisterAsync(ReplicaRecord replica, CancellationToken ct) => RunAsync(_source, async connection =>
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO replicas (id, url, fingerprint, secret_hash, started_at) VALUES (@id, @url, @fp, @secret, @at)
            ON CONFLICT (id) DO UPDATE SET url = excluded.url, fingerprint = excluded.fingerprint, secret_hash = excluded.secret_hash, started_at = excluded.started_at
            """, connection);
        cmd.Parameters.Add(Parameter("id", replica.Id, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("url", replica.Url, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("fp", replica.Fingerprint, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("secret", replica.SecretHash, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("at", replica.StartedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz));
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public Task<IReadOnlyList<ReplicaRecord>> ListAsync(CancellationToken ct) => RunAsync<IReadOnlyList<ReplicaRecord>>(_source, async connection =>
    {
        await using var cmd = new NpgsqlCommand("SELECT id, url, fingerprint, secret_hash, started_at FROM replicas ORDER BY id", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<ReplicaRecord>();
        while (await reader.ReadAsync(ct))
            rows.Add(new ReplicaRecord(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4)));
        return rows;
    }, ct);

    public Task ReplaceImagesAsync(string replica, IReadOnlyList<ImageCopy> images, CancellationToken ct) => RunAsync(_source, async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var delete = new NpgsqlCommand("DELETE FROM image_copies WHERE replica = @r", connection))
        {
            delete.Parameters.Add(Parameter("r", replica, NpgsqlDbType.Text));
            await delete.ExecuteNonQueryAsync(ct);
        }
        if (images.Count > 0) await InsertAsync(connection, replica, images, ct);
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task AddImageAsync(ImageCopy copy, CancellationToken ct) => RunAsync(_source, async connection =>
    {
        await InsertAsync(connection, copy.Replica, [copy], ct);
        return true;
    }, ct);

    private static async Task InsertAsync(NpgsqlConnection connection, string replica, IReadOnlyList<ImageCopy> images, CancellationToken ct)
    {
        await using var insert = new NpgsqlCommand("""
            INSERT INTO image_copies (sha256, replica, size_bytes) SELECT d, @r, s FROM unnest(@d, @s) AS v(d, s)
            ON CONFLICT (sha256, replica) DO UPDATE SET size_bytes = excluded.size_bytes
            """, connection);
        insert.Parameters.Add(Parameter("r", replica, NpgsqlDbType.Text));
        insert.Parameters.Add(Parameter("d", images.Select(i => i.Sha256).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
        insert.Parameters.Add(Parameter("s", images.Select(i => i.SizeBytes).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint));
        await insert.ExecuteNonQueryAsync(ct);
    }

    public Task RemoveImagesAsync(string replica, IReadOnlyList<string> sha256, CancellationToken ct) => RunAsync(_source, async connection =>
    {
        await using var cmd = new NpgsqlCommand("DELETE FROM image_copies WHERE replica = @r AND sha256 = ANY(@d)", connection);
        cmd.Parameters.Add(Parameter("r", replica, NpgsqlDbType.Text));
        cmd.Parameters.Add(Parameter("d", sha256.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
        await cmd.ExecuteNonQueryAsync(ct);
        return true;
    }, ct);

    public Task<IReadOnlyList<ImageCopy>> ListImagesAsync(CancellationToken ct) => RunAsync<IReadOnlyList<ImageCopy>>(_source, async connection =>
    {
        await using var cmd = new NpgsqlCommand("SELECT sha256, replica, size_bytes FROM image_copies ORDER BY sha256, replica", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<ImageCopy>();
        while (await reader.ReadAsync(ct)) rows.Add(new ImageCopy(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        return rows;
    }, ct);

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
