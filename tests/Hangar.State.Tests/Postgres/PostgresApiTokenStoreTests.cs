using Hangar.State.Postgres;
using Hangar.Testing;

namespace Hangar.State.Tests.Postgres;

/// <summary>The <see cref="ApiTokenStoreContract"/> on a real PostgreSQL: two stores are two connection pools, as two
/// control-plane replicas would have.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresApiTokenStoreTests(PostgresCluster cluster) : ApiTokenStoreContract
{
    private string? _connectionString;

    protected override async Task<IApiTokenStore> OpenAsync() =>
        await StateStores.OpenApiTokenStoreAsync(new StateStoreLocation(StateStoreEngine.Postgres, _connectionString ??= await cluster.CreateDatabaseAsync()), None);

    protected override Task DeleteAsync() => Task.CompletedTask; // the cluster and its databases go at the end of the run

    [Fact]
    public void OpenApiTokenStore_PostgresLocation_IsThePostgresEngine() => Assert.IsType<PostgresApiTokenStore>(Store);
}
