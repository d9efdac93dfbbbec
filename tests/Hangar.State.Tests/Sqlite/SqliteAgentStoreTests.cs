using Hangar.State.Sqlite;

namespace Hangar.State.Tests.Sqlite;

public sealed class SqliteAgentStoreTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("has-").FullName, "state.db");
    private SqliteAgentStore _store = null!;
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);

    public async Task InitializeAsync() => _store = await SqliteAgentStore.OpenAsync(_path, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
    }

    private static AgentRecord Agent(string name, string hash) => new(name, hash, new Dictionary<string, string> { ["zone"] = "a" }, 4, 8L << 30,
        "1.2.3", "host-" + name, "kvm", T0, T0.AddSeconds(5), Cordoned: false);

    [Fact]
    public async Task Agents_AddedAndSaved_AreReadBackAfterReopen()
    {
        Assert.True(await _store.AddAgentAsync(Agent("a", "h1"), CancellationToken.None));
        await _store.SaveAgentAsync(Agent("a", "h1") with { Cordoned = true, Vcpus = 16 }, CancellationToken.None);
        await _store.DisposeAsync();
        _store = await SqliteAgentStore.OpenAsync(_path, CancellationToken.None);

        var agent = Assert.Single(await _store.ListAgentsAsync(CancellationToken.None));
        Assert.Equal(("a", "h1", 16, 8L << 30, true, "a"), (agent.Name, agent.CredentialHash, agent.Vcpus, agent.MemoryBytes, agent.Cordoned, agent.Labels["zone"]));
        Assert.Equal(T0.AddSeconds(5), agent.LastHeartbeat);
    }

    [Fact]
    public async Task AddAgent_NameTaken_ReturnsFalseAndKeepsTheFirst()
    {
        await _store.AddAgentAsync(Agent("a", "h1"), CancellationToken.None);

        Assert.False(await _store.AddAgentAsync(Agent("a", "h2"), CancellationToken.None));
        Assert.Equal("h1", Assert.Single(await _store.ListAgentsAsync(CancellationToken.None)).CredentialHash);
    }

    [Fact]
    public async Task RemoveAgent_DeletesItsRow()
    {
        await _store.AddAgentAsync(Agent("a", "h1"), CancellationToken.None);

        Assert.True(await _store.RemoveAgentAsync("a", CancellationToken.None));
        Assert.False(await _store.RemoveAgentAsync("a", CancellationToken.None));
        Assert.Empty(await _store.ListAgentsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task TryUseJoinToken_CountsUsesUpToTheLimit_AndRefusesAStaleCount()
    {
        await _store.AddJoinTokenAsync(new JoinTokenRecord("t1", "hash", T0, T0.AddHours(1), 2, 0, new Dictionary<string, string>()), CancellationToken.None);

        Assert.True(await _store.TryUseJoinTokenAsync("t1", 0, CancellationToken.None));
        Assert.False(await _store.TryUseJoinTokenAsync("t1", 0, CancellationToken.None)); // someone else used it first
        Assert.True(await _store.TryUseJoinTokenAsync("t1", 1, CancellationToken.None));
        Assert.False(await _store.TryUseJoinTokenAsync("t1", 2, CancellationToken.None)); // used up
        var token = await _store.GetJoinTokenAsync("t1", CancellationToken.None);
        Assert.Equal((2, 2, T0.AddHours(1)), (token!.Uses, token.Used, token.ExpiresAt));
        Assert.Null(await _store.GetJoinTokenAsync("t2", CancellationToken.None));
    }

    [Fact]
    public async Task ReplacePlacements_KeepsExactlyTheNewMap()
    {
        await _store.ReplacePlacementsAsync(new Dictionary<string, string> { ["web"] = "a", ["db"] = "b" }, CancellationToken.None);
        await _store.ReplacePlacementsAsync(new Dictionary<string, string> { ["web"] = "b" }, CancellationToken.None);

        var placements = await _store.GetPlacementsAsync(CancellationToken.None);
        Assert.Equal("b", Assert.Single(placements).Value);
        Assert.Equal("web", placements.Keys.Single());
    }
}
