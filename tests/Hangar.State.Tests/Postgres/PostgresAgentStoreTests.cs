using Hangar.State.Postgres;
using Hangar.Testing;

namespace Hangar.State.Tests.Postgres;

/// <summary>The <see cref="AgentStoreContract"/> on a real PostgreSQL: two stores are two connection pools, as two
/// control-plane processes would have.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAgentStoreTests(PostgresCluster cluster) : AgentStoreContract
{
    private string? _connectionString;

    private async Task<StateStoreLocation> LocationAsync() =>
        new(StateStoreEngine.Postgres, _connectionString ??= await cluster.CreateDatabaseAsync());

    protected override async Task<IAgentStore> OpenAsync() => await PostgresAgentStore.OpenAsync(await LocationAsync(), None);

    protected override Task DeleteAsync() => Task.CompletedTask; // the cluster and its databases go at the end of the run

    [Fact]
    public async Task OpenAgentStore_PostgresLocation_SharesTheDatabaseWithTheStateStore()
    {
        var location = await LocationAsync();
        await using var state = await StateStores.OpenAsync(location, None);
        await using var agents = await StateStores.OpenAgentStoreAsync(location, None);
        await state.SetFleetAdminAsync(new FleetAdminRecord(Active: false, PurgeRemoved: true), None);

        await agents.ReplacePlacementsAsync(new Dictionary<string, string> { ["web"] = "a" }, None);

        Assert.IsType<PostgresAgentStore>(agents);
        Assert.Equal("a", (await Store.GetPlacementsAsync(None))["web"]);
        Assert.Equal(new FleetAdminRecord(false, true), await state.GetFleetAdminAsync(None));
    }

    [Fact]
    public async Task Open_NoServer_ThrowsStateStoreExceptionWithoutThePassword()
    {
        var nowhere = Directory.CreateTempSubdirectory("hangar-nopg-").FullName;
        try
        {
            var location = StateStoreLocation.Parse($"postgres:Host={nowhere};Username=hangar;Password=hunter2;Database=x;Timeout=5");

            var error = await Assert.ThrowsAsync<StateStoreException>(() => PostgresAgentStore.OpenAsync(location, None));

            Assert.Contains("Password=***", error.Message);
            Assert.DoesNotContain("hunter2", error.ToString());
        }
        finally
        {
            Directory.Delete(nowhere);
        }
    }
}
