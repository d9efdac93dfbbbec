using Microsoft.Data.Sqlite;

namespace Hangar.State.Sqlite;

/// <summary>
/// One connection to the control plane's SQLite file, as each SQLite store holds it: created private, migrated to this
/// code's schema (<see cref="SqliteSchema"/>), used by one operation at a time, driver errors as
/// <see cref="StateStoreException"/>. Two stores on one file each have their own; WAL and the busy timeout let them
/// write in turn.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock = new(1, 1);

    private SqliteDatabase(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens the database at <paramref name="path"/>, creating it (and its directory) private when missing, and migrates it.</summary>
    public static async Task<SqliteDatabase> OpenAsync(string path, CancellationToken ct)
    {
        CreatePrivate(Path.GetFullPath(path));
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            await connection.OpenAsync(ct);
            await SqliteSchema.MigrateAsync(connection, ct);
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync();
            throw new StateStoreException($"Could not open the state database {path}.", e);
        }
        return new SqliteDatabase(connection);
    }

    /// <summary>
    /// SQLite creates a database 0644 less the umask, and its <c>-wal</c> and <c>-shm</c> files with the database's
    /// mode. An empty file is an empty database, so creating it here with the final mode gives all three that mode
    /// from their first byte. Files an older version created open to others are made private.
    /// </summary>
    private static void CreatePrivate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, OwnerOnly | UnixFileMode.UserExecute);
        using (new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        {
        }
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
                File.SetUnixFileMode(file, OwnerOnly);
        }
    }

    public SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    public async Task<SqliteTransaction> BeginTransactionAsync(CancellationToken ct) =>
        (SqliteTransaction)await _connection.BeginTransactionAsync(ct);

    /// <summary>Runs <paramref name="action"/> alone on the connection.</summary>
    public async Task<T> Locked<T>(Func<Task<T>> action, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try { return await action(); }
        catch (SqliteException e) { throw new StateStoreException("A state database operation failed.", e); }
        finally { _lock.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync();
        try { await _connection.DisposeAsync(); }
        finally { _lock.Release(); }
    }
}
