using Hangar.State.Postgres;
using Hangar.Testing;
using Npgsql;

namespace Hangar.State.Tests.Postgres;

/// <summary>The <see cref="StateStoreContract"/> on a real PostgreSQL, and what only a server has: concurrent
/// processes mid-transaction, migrations racing, a server that is not there.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStateStoreTests(PostgresCluster cluster) : StateStoreContract
{
    private string? _connectionString;

    protected override async Task<IStateStore> OpenAsync()
    {
        _connectionString ??= await cluster.CreateDatabaseAsync();
        return await PostgresStateStore.OpenAsync(new StateStoreLocation(StateStoreEngine.Postgres, _connectionString), None);
    }

    protected override async Task SetSchemaVersionAsync(int version) =>
        await ExecuteAsync($"UPDATE schema_version SET version = {version}");

    protected override Task DeleteAsync() => Task.CompletedTask; // the cluster and its databases go at the end of the run

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Commit_WhileAnotherProcessIsMidCommit_WaitsForItThenConflicts()
    {
        await Store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);
        // Another control plane, half-way through committing generation 2 under the same lock the store takes.
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("""
            LOCK TABLE generations IN SHARE ROW EXCLUSIVE MODE;
            INSERT INTO generations (number, created_at, spec_json, source, status, changed_vms, confirmed, auto_rollback)
            VALUES (2, now(), '{2}', 'other', 'active', '[]', true, false)
            """, connection))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var commit = Store.CommitGenerationAsync(Gen("{mine}"), 1, GenerationStatus.Superseded, null, None);
        await tx.CommitAsync();

        var error = await Assert.ThrowsAsync<GenerationConflictException>(() => commit);
        Assert.Equal((1L, 2L), (error.Expected, error.Actual));
        Assert.Equal("{2}", (await Store.GetCurrentGenerationAsync(None))!.SpecJson);
    }

    [Fact]
    public async Task Open_SeveralProcessesOnAnEmptyDatabase_AllMigrateOnce()
    {
        var location = new StateStoreLocation(StateStoreEngine.Postgres, await cluster.CreateDatabaseAsync());

        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresStateStore.OpenAsync(location, None))));

        await stores[0].CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);
        Assert.Equal("{1}", (await stores[3].GetCurrentGenerationAsync(None))!.SpecJson);
        foreach (var store in stores) await store.DisposeAsync();
    }

    [Fact]
    public async Task Open_NoServer_ThrowsStateStoreExceptionWithoutThePassword()
    {
        var nowhere = Directory.CreateTempSubdirectory("hangar-nopg-").FullName;
        try
        {
            var location = StateStoreLocation.Parse($"postgres:Host={nowhere};Username=hangar;Password=hunter2;Database=x;Timeout=5");

            var error = await Assert.ThrowsAsync<StateStoreException>(() => PostgresStateStore.OpenAsync(location, None));

            Assert.StartsWith("Could not open the state database postgres:", error.Message);
            Assert.Contains("Password=***", error.Message);
            Assert.DoesNotContain("hunter2", error.ToString());
            Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        }
        finally
        {
            Directory.Delete(nowhere);
        }
    }

    [Fact]
    public async Task Operation_SessionKilledByTheServer_ThrowsStateStoreExceptionThenRecovers()
    {
        await Store.SetFleetAdminAsync(new FleetAdminRecord(true, true), None); // leaves one idle session in the pool
        await ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");

        var error = await Assert.ThrowsAsync<StateStoreException>(() => Store.GetFleetAdminAsync(None));

        Assert.Equal("A state database operation failed.", error.Message);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        Assert.Equal(new FleetAdminRecord(true, true), await Store.GetFleetAdminAsync(None));
    }
}
