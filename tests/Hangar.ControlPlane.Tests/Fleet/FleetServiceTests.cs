using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Api;
using Hangar.State;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>The fleet service on a real SQLite file, with no agent connected (nothing runs; generations still move).</summary>
public sealed class FleetServiceTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfs-").FullName;
    private SqliteStateStore _store = null!;
    private SqliteAgentStore _agentStore = null!;
    private FleetService _fleet = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteStateStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _agentStore = await SqliteAgentStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _fleet = new FleetService(_store, _agentStore, NullLogger<FleetService>.Instance);
        await _fleet.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _store.DisposeAsync();
        await _agentStore.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static ApplyRequest File(string memory, long? expect = null) => new("fleet.yaml", $"""
        vms:
          web:
            image: tiny
            memory: {memory}
        """, null, null, false, expect);

    [Fact]
    public async Task Apply_SameFileTwice_CommitsOneGeneration()
    {
        var first = await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);
        var second = await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);
        Assert.True(first.Changed);
        Assert.False(second.Changed);
        Assert.Equal(1, second.Generation);
        Assert.Single(await _store.ListGenerationsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Apply_NewGuestVmSortedFirst_TheExistingVmKeepsItsSshPortAndTheSameFileCommitsNothing()
    {
        static ApplyRequest Guests(string vms) => new("fleet.yaml", "vms:\n" + vms, null, null, false, null);
        await _fleet.ApplyAsync(Guests("  m: { image: debian-12 }\n"), CancellationToken.None);
        var grown = Guests("  a: { image: debian-12 }\n  m: { image: debian-12 }\n");

        var second = await _fleet.ApplyAsync(grown, CancellationToken.None);
        var third = await _fleet.ApplyAsync(grown, CancellationToken.None);

        Assert.Equal((true, false, 2L), (second.Changed, third.Changed, third.Generation));
        var ssh = _fleet.Status().Vms.ToDictionary(v => v.Name, v => v.Ssh);
        Assert.Equal(new SshAccess(2223, null, true), ssh["m"]);
        Assert.Equal(new SshAccess(2224, null, true), ssh["a"]);
    }

    [Fact]
    public async Task Apply_ExpectGenerationConcurrently_ExactlyOneWins()
    {
        await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);
        var attempts = new[] { "160MiB", "192MiB", "224MiB" }
            .Select(m => Task.Run(() => _fleet.ApplyAsync(File(m, expect: 1), CancellationToken.None))).ToArray();
        var results = await Task.WhenAll(attempts.Select(async t =>
        {
            try { return (Ok: true, Error: (Exception?)null, Response: (ApplyResponse?)await t); }
            catch (GenerationConflictException e) { return (Ok: false, Error: e, Response: (ApplyResponse?)null); }
        }));
        Assert.Single(results, r => r.Ok);
        Assert.Equal(2, results.Count(r => !r.Ok));
        Assert.Equal(2, (await _store.ListGenerationsAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Apply_ConcurrentWithoutExpectation_AreSerialized()
    {
        await Task.WhenAll(new[] { "160MiB", "192MiB", "224MiB" }.Select(m => Task.Run(() => _fleet.ApplyAsync(File(m), CancellationToken.None))));
        var generations = await _store.ListGenerationsAsync(CancellationToken.None);
        Assert.Equal([1L, 2L, 3L], generations.Select(g => g.Number).ToArray());
        Assert.Equal(generations.Count - 1, generations.Count(g => g.Status == GenerationStatus.Superseded));
    }

    [Fact]
    public async Task Rollback_ToFirst_CommitsNewGenerationWithItsContent()
    {
        await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);
        await _fleet.ApplyAsync(File("256MiB"), CancellationToken.None);
        var rollback = await _fleet.RollbackAsync(new RollbackRequest(1, null), CancellationToken.None);
        Assert.Equal(3, rollback.Generation);
        var first = await _store.GetGenerationAsync(1, CancellationToken.None);
        var third = await _store.GetGenerationAsync(3, CancellationToken.None);
        Assert.Equal(first!.SpecJson, third!.SpecJson);
        Assert.Equal(1, third.RollbackOf);
        Assert.Equal(GenerationStatus.RolledBack, (await _store.GetGenerationAsync(2, CancellationToken.None))!.Status);
        var diff = await _fleet.DiffAsync(1, 3, CancellationToken.None);
        Assert.All(diff.Plan, p => Assert.Equal(PlanAction.Unchanged, p.Action));
    }

    [Fact]
    public async Task Rollback_NothingApplied_ExplainsWhy()
    {
        var error = await Assert.ThrowsAsync<RollbackTargetException>(() => _fleet.RollbackAsync(new RollbackRequest(null, null), CancellationToken.None));

        Assert.Equal("Nothing was applied yet, so there is nothing to roll back to.", error.Message);
        Assert.Empty(await _store.ListGenerationsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Rollback_ToAGenerationThatDoesNotExist_ExplainsWhyAndCommitsNothing()
    {
        await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<RollbackTargetException>(() => _fleet.RollbackAsync(new RollbackRequest(7, null), CancellationToken.None));

        Assert.Equal("There is no generation 7.", error.Message);
        Assert.Single(await _store.ListGenerationsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Rollback_ToTheCurrentGeneration_ExplainsWhyAndCommitsNothing()
    {
        await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);
        await _fleet.ApplyAsync(File("256MiB"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<RollbackTargetException>(() => _fleet.RollbackAsync(new RollbackRequest(2, null), CancellationToken.None));

        Assert.Equal("Generation 2 is already current.", error.Message);
        Assert.Equal(2, (await _store.ListGenerationsAsync(CancellationToken.None)).Count);
    }
}
