using Hangar.State.Sqlite;
using Microsoft.Data.Sqlite;

namespace Hangar.State.Tests.Sqlite;

/// <summary>The <see cref="StateStoreContract"/> on SQLite, and what only a file has: its modes.</summary>
public sealed class SqliteStateStoreTests : StateStoreContract
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("hss-").FullName, "state.db");

    protected override async Task<IStateStore> OpenAsync() => await SqliteStateStore.OpenAsync(_path, None);

    protected override async Task SetSchemaVersionAsync(int version)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"PRAGMA user_version = {version}";
        await cmd.ExecuteNonQueryAsync();
    }

    protected override Task DeleteAsync()
    {
        Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
        return Task.CompletedTask;
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task OpenAsync_NewDatabase_ItAndItsWalFilesAreOwnerOnly()
    {
        await Store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_path));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_path + "-wal"));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_path + "-shm"));
    }

    [Fact]
    public async Task OpenAsync_NewDirectory_IsCreatedOwnerOnly()
    {
        var path = Path.Combine(Path.GetDirectoryName(_path)!, "control-plane", "state.db");

        await using (await SqliteStateStore.OpenAsync(path, None))
        {
            Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }
    }

    [Fact]
    public async Task OpenAsync_DatabaseOpenToOthers_IsMadePrivateAndKeepsItsData()
    {
        await Store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);
        await Store.DisposeAsync();
        File.SetUnixFileMode(_path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Store = await SqliteStateStore.OpenAsync(_path, None);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_path));
        Assert.Equal("{1}", (await Store.GetCurrentGenerationAsync(None))!.SpecJson);
    }
}
