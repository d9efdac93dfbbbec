using Hangar.State.Sqlite;

namespace Hangar.State.Tests.Sqlite;

/// <summary>The <see cref="ApiTokenStoreContract"/> on SQLite: tokens in the same file as the state.</summary>
public sealed class SqliteApiTokenStoreTests : ApiTokenStoreContract
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("hat-").FullName, "state.db");

    protected override async Task<IApiTokenStore> OpenAsync() => await StateStores.OpenApiTokenStoreAsync(StateStoreLocation.Sqlite(_path), None);

    protected override Task DeleteAsync()
    {
        Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void OpenApiTokenStore_SqliteLocation_IsTheSqliteEngine() => Assert.IsType<SqliteApiTokenStore>(Store);
}
