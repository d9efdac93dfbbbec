namespace Hangar.State.Tests;

/// <summary>
/// What every <see cref="IStateStore"/> engine promises, run once per engine by a subclass (SQLite, PostgreSQL).
/// Each test gets an empty database of its own; <see cref="OpenAsync"/> called again opens a second store on the same
/// database, as a second control-plane process would.
/// </summary>
public abstract class StateStoreContract : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected IStateStore Store { get; set; } = null!;

    /// <summary>Opens a store on this test's database (creating the database on the first call).</summary>
    protected abstract Task<IStateStore> OpenAsync();

    /// <summary>Writes <paramref name="version"/> as the database's schema version behind the store's back.</summary>
    protected abstract Task SetSchemaVersionAsync(int version);

    /// <summary>Deletes this test's database; the stores are disposed already.</summary>
    protected abstract Task DeleteAsync();

    public async Task InitializeAsync() => Store = await OpenAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DeleteAsync();
    }

    protected static NewGeneration Gen(string spec, DateTimeOffset? deadline = null) => new(spec, null, "test", "[]", null, true, deadline);

    private async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await OpenAsync();
    }

    [Fact]
    public async Task GetCurrentGeneration_NothingApplied_IsNull()
    {
        Assert.Null(await Store.GetCurrentGenerationAsync(None));
        Assert.Empty(await Store.ListGenerationsAsync(None));
        Assert.Null(await Store.GetGenerationAsync(1, None));
    }

    [Fact]
    public async Task Commit_WithoutDeadline_IsActiveAndConfirmed()
    {
        var first = await Store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);

        Assert.Equal((1L, GenerationStatus.Active, true), (first.Number, first.Status, first.Confirmed));
    }

    [Fact]
    public async Task Commit_MarksPreviousAndAppends()
    {
        await Store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);
        var second = await Store.CommitGenerationAsync(Gen("{2}", DateTimeOffset.UtcNow.AddMinutes(1)), 1, GenerationStatus.Superseded, null, None);
        Assert.Equal(2, second.Number);
        Assert.Equal(GenerationStatus.RollingOut, second.Status);
        Assert.False(second.Confirmed);
        var all = await Store.ListGenerationsAsync(None);
        Assert.Equal([GenerationStatus.Superseded, GenerationStatus.RollingOut], all.Select(g => g.Status).ToArray());
    }

    [Fact]
    public async Task Commit_ReturnsTheRecordAsStored()
    {
        var generation = new NewGeneration("{\"vms\":{}}", "why", "cli", "[\"web\"]", RollbackOf: 7, AutoRollback: false,
            ConfirmDeadline: DateTimeOffset.UtcNow.AddMinutes(5), Author: "ops");

        var committed = await Store.CommitGenerationAsync(generation, 0, GenerationStatus.Superseded, null, None);

        Assert.Equal(committed, await Store.GetGenerationAsync(1, None));
        Assert.Equal(committed, await Store.GetCurrentGenerationAsync(None));
        Assert.Equal(("{\"vms\":{}}", "why", "cli", "[\"web\"]", 7L, false, "ops"),
            (committed.SpecJson, committed.Message, committed.Source, committed.ChangedVms, committed.RollbackOf, committed.AutoRollback, committed.Author));
        Assert.Equal(generation.ConfirmDeadline!.Value.ToUnixTimeMilliseconds(), committed.ConfirmDeadline!.Value.ToUnixTimeMilliseconds());
        Assert.InRange(committed.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Commit_WrongExpectedGeneration_ThrowsAndWritesNothing()
    {
        await Store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);
        var error = await Assert.ThrowsAsync<GenerationConflictException>(() =>
            Store.CommitGenerationAsync(Gen("{2}"), 0, GenerationStatus.Superseded, null, None));
        Assert.Equal((0L, 1L), (error.Expected, error.Actual));
        Assert.Single(await Store.ListGenerationsAsync(None));
        Assert.Equal(GenerationStatus.Active, (await Store.GetCurrentGenerationAsync(None))!.Status);
    }

    [Fact]
    public async Task Commit_PreviousFailed_KeepsItsStatusAndReasonUnlessGiven()
    {
        await Store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);
        await Store.SetGenerationStatusAsync(1, GenerationStatus.Failed, "web did not boot", confirmed: false, None);
        await Store.CommitGenerationAsync(Gen("{2}"), 1, GenerationStatus.Superseded, null, None);
        await Store.CommitGenerationAsync(Gen("{3}"), 2, GenerationStatus.RolledBack, "rolled back to 1", None);

        var all = await Store.ListGenerationsAsync(None);

        Assert.Equal([(1L, GenerationStatus.Failed, "web did not boot"), (2L, GenerationStatus.RolledBack, "rolled back to 1"), (3L, GenerationStatus.Active, null)],
            all.Select(g => (g.Number, g.Status, g.Reason)).ToArray());
    }

    [Fact]
    public async Task Commit_TwoStoresRacingForTheSameGeneration_ExactlyOneWins()
    {
        await using var other = await OpenAsync();
        const int rounds = 15;
        for (var expected = 0L; expected < rounds; expected++)
        {
            var e = expected;
            var outcomes = await Task.WhenAll(
                Task.Run(() => AttemptAsync(Store, e)),
                Task.Run(() => AttemptAsync(other, e)));

            Assert.Equal(e + 1, Assert.Single(outcomes.OfType<GenerationRecord>()).Number);
            Assert.Equal(e + 1, Assert.Single(outcomes.OfType<GenerationConflictException>()).Actual);
        }
        var all = await other.ListGenerationsAsync(None);
        Assert.Equal(Enumerable.Range(1, rounds).Select(n => (long)n), all.Select(g => g.Number));
        Assert.Equal(rounds - 1, all.Count(g => g.Status == GenerationStatus.Superseded));
    }

    private static async Task<object> AttemptAsync(IStateStore store, long expected)
    {
        try
        {
            return await store.CommitGenerationAsync(Gen($"{{{expected}}}"), expected, GenerationStatus.Superseded, null, None);
        }
        catch (GenerationConflictException e)
        {
            return e;
        }
    }

    [Fact]
    public async Task SetGenerationStatus_SetsStatusReasonAndConfirmed()
    {
        await Store.CommitGenerationAsync(Gen("{1}", DateTimeOffset.UtcNow.AddMinutes(1)), 0, GenerationStatus.Superseded, null, None);

        await Store.SetGenerationStatusAsync(1, GenerationStatus.Active, null, confirmed: true, None);

        var current = (await Store.GetCurrentGenerationAsync(None))!;
        Assert.Equal((GenerationStatus.Active, null, true), (current.Status, current.Reason, current.Confirmed));
    }

    [Fact]
    public async Task SetGenerationStatus_MissingGeneration_ChangesNothing()
    {
        await Store.SetGenerationStatusAsync(9, GenerationStatus.Failed, "no", confirmed: false, None);

        Assert.Empty(await Store.ListGenerationsAsync(None));
    }

    [Fact]
    public async Task SetGenerationImageDigests_IsReadBack()
    {
        await Store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);

        await Store.SetGenerationImageDigestsAsync(1, "{\"tiny\":\"sha256:ab\"}", None);

        Assert.Equal("{\"tiny\":\"sha256:ab\"}", (await Store.GetGenerationAsync(1, None))!.ImageDigests);
    }

    [Fact]
    public async Task VmAdmin_SetUpsertsAndReplaceReplacesAll()
    {
        Assert.Empty(await Store.GetVmAdminAsync(None));
        await Store.SetVmAdminAsync(new VmAdminRecord("web", null, 0), None);
        await Store.SetVmAdminAsync(new VmAdminRecord("db", true, 1), None);
        await Store.SetVmAdminAsync(new VmAdminRecord("web", false, 2), None);
        Assert.Equal([new VmAdminRecord("db", true, 1), new VmAdminRecord("web", false, 2)],
            (await Store.GetVmAdminAsync(None)).Values.OrderBy(r => r.Name, StringComparer.Ordinal));

        await Store.ReplaceVmAdminAsync([new VmAdminRecord("cache", null, 4)], None);

        Assert.Equal([new VmAdminRecord("cache", null, 4)], (await Store.GetVmAdminAsync(None)).Values);
    }

    [Fact]
    public async Task FleetAdmin_NeverSet_IsActiveWithoutPurge_ThenKeepsTheLastWrite()
    {
        Assert.Equal(new FleetAdminRecord(Active: true, PurgeRemoved: false), await Store.GetFleetAdminAsync(None));

        await Store.SetFleetAdminAsync(new FleetAdminRecord(false, true), None);
        await Store.SetFleetAdminAsync(new FleetAdminRecord(false, false), None);

        Assert.Equal(new FleetAdminRecord(false, false), await Store.GetFleetAdminAsync(None));
    }

    [Fact]
    public async Task ListEvents_AfterAndLimit_OldestFirstInMilliseconds()
    {
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 5; i++)
            await Store.AppendEventAsync(new EventRecord(0, at.AddSeconds(i), "kind", i % 2 == 0 ? $"vm{i}" : null, $"m{i}"), None);

        var all = await Store.ListEventsAsync(0, 100, None);
        var page = await Store.ListEventsAsync(all[1].Id, 2, None);

        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], all.Select(e => e.Message));
        Assert.Equal(all.Select(e => e.Id).Order(), all.Select(e => e.Id));
        Assert.Equal(5, all.Select(e => e.Id).Distinct().Count());
        Assert.Equal(["m2", "m3"], page.Select(e => e.Message));
        Assert.Equal((DateTimeOffset.FromUnixTimeMilliseconds(at.AddSeconds(2).ToUnixTimeMilliseconds()), "kind", "vm2"), (page[0].At, page[0].Kind, page[0].Vm));
        Assert.Null(page[1].Vm);
        Assert.Empty(await Store.ListEventsAsync(all[^1].Id, 10, None));
    }

    [Fact]
    public async Task AppendEvents_WithAndWithoutAnAgent_KeepTheirAgent()
    {
        await Store.AppendEventAsync(new EventRecord(0, DateTimeOffset.UtcNow, "agent.joined", null, "one", "lab1"), None);
        await Store.AppendEventsAsync([
            new EventRecord(0, DateTimeOffset.UtcNow, "vm.started", "web", "two", "lab2"),
            new EventRecord(0, DateTimeOffset.UtcNow, "generation", null, "three"),
        ], None);

        var events = await Store.ListEventsAsync(0, 10, None);

        Assert.Equal([("one", "lab1"), ("two", "lab2"), ("three", (string?)null)], events.Select(e => (e.Message, e.Agent)));
    }

    [Fact]
    public async Task AppendEvents_ManyAtOnce_FollowEarlierEventsInListOrder()
    {
        await Store.AppendEventAsync(new EventRecord(0, DateTimeOffset.UtcNow, "first", null, "before"), None);
        var batch = Enumerable.Range(0, 1500).Select(i => new EventRecord(0, DateTimeOffset.UtcNow, "vm.started", i % 3 == 0 ? null : $"vm{i}", $"m{i}")).ToArray();

        await Store.AppendEventsAsync(batch, None);
        await Store.AppendEventsAsync([], None);

        var all = await Store.ListEventsAsync(0, 2000, None);
        Assert.Equal(["before", .. batch.Select(e => e.Message)], all.Select(e => e.Message));
        Assert.Equal(all.Select(e => e.Id).Order(), all.Select(e => e.Id));
        Assert.Equal(1501, all.Select(e => e.Id).Distinct().Count());
        Assert.Equal(batch.Select(e => e.Vm), all.Skip(1).Select(e => e.Vm));
    }

    [Fact]
    public async Task ListEvents_LimitBelowOne_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListEventsAsync(0, 0, None));
    }

    [Fact]
    public async Task AppendEvent_TwoStoresAtOnce_AFollowerSeesEveryEventOnceInIdOrder()
    {
        await using var other = await OpenAsync();
        const int each = 40;
        var writers = Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < each; i++) await Store.AppendEventAsync(new EventRecord(0, DateTimeOffset.UtcNow, "a", null, $"a{i}"), None); }),
            Task.Run(async () => { for (var i = 0; i < each; i++) await other.AppendEventAsync(new EventRecord(0, DateTimeOffset.UtcNow, "b", null, $"b{i}"), None); }));
        // The follower reads as `hangar events --follow` does: pages after the last id it saw, while both write.
        var seen = new List<EventRecord>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (seen.Count < 2 * each && !timeout.IsCancellationRequested)
            seen.AddRange(await Store.ListEventsAsync(seen.Count == 0 ? 0 : seen[^1].Id, 7, None));
        await writers;

        Assert.Equal(await other.ListEventsAsync(0, 1000, None), seen);
        Assert.Equal(2 * each, seen.Select(e => e.Message).Distinct().Count());
    }

    [Fact]
    public async Task Reopen_KeepsGenerationsEventsAndOperatorState()
    {
        await Store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, None);
        await Store.SetVmAdminAsync(new VmAdminRecord("web", false, 3), None);
        await Store.SetFleetAdminAsync(new FleetAdminRecord(false, true), None);
        await Store.AppendEventAsync(new EventRecord(0, DateTimeOffset.UtcNow, "k", "web", "m"), None);
        await Store.SetGenerationStatusAsync(1, GenerationStatus.Failed, "why", confirmed: false, None);

        await ReopenAsync();

        var generation = (await Store.GetCurrentGenerationAsync(None))!;
        Assert.Equal(("{1}", GenerationStatus.Failed, "why"), (generation.SpecJson, generation.Status, generation.Reason));
        Assert.Equal(new VmAdminRecord("web", false, 3), (await Store.GetVmAdminAsync(None))["web"]);
        Assert.Equal(new FleetAdminRecord(false, true), await Store.GetFleetAdminAsync(None));
        Assert.Single(await Store.ListEventsAsync(0, 10, None));
    }

    [Fact]
    public async Task Open_SchemaNewerThanThisCode_RefusesAndSaysToUpgrade()
    {
        await Store.DisposeAsync();
        await SetSchemaVersionAsync(999);

        var error = await Assert.ThrowsAsync<StateStoreException>(OpenAsync);

        Assert.Contains("schema version 999, newer than this Hangar knows", error.Message);
        Assert.Contains("upgrade Hangar", error.Message);
    }
}
