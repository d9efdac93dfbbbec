using Npgsql;
using NpgsqlTypes;

namespace Hangar.State.Postgres;

/// <summary>What every PostgreSQL store does with a command: typed parameters, statements without results, and one
/// connection from the pool per operation with driver errors as <see cref="StateStoreException"/>.</summary>
internal static class PostgresCommands
{
    public static NpgsqlParameter Parameter(string name, object? value, NpgsqlDbType type) =>
        new(name, type) { Value = value ?? DBNull.Value };

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<T> RunAsync<T>(NpgsqlDataSource source, Func<NpgsqlConnection, Task<T>> action, CancellationToken ct)
    {
        try
        {
            await using var connection = await source.OpenConnectionAsync(ct);
            return await action(connection);
        }
        catch (NpgsqlException e) { throw new StateStoreException("A state database operation failed.", e); }
    }
}
