using Hangar.State.Sqlite;

namespace Hangar.State.Tests.Sqlite;

/// <summary>The <see cref="AgentStoreContract"/> on SQLite: agents in the same file as the state, two stores on one file
/// as two processes would be.</summary>
public sealed class SqliteAgentStoreTests : AgentStoreContract
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("has-").FullName, "state.db");

    protected override async Task<IAgentStore> OpenAsync() => await SqliteAgentStore.OpenAsync(_path, None);

    protected override Task DeleteAsync()
    {
        Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task OpenAgentStore_SqliteLocation_UsesThatFile()
    {
        await Store.AddAgentAsync(new AgentRecord("a", "h1", new Dictionary<string, string>(), 1, 1, "v", "host", null, DateTimeOffset.UnixEpoch, null, false), None);

        await using var opened = await StateStores.OpenAgentStoreAsync(StateStoreLocation.Sqlite(_path), None);

        Assert.IsType<SqliteAgentStore>(opened);
        Assert.Equal("a", Assert.Single(await opened.ListAgentsAsync(None)).Name);
    }
}
