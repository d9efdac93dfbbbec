namespace Hangar.State.Tests;

/// <summary>
/// What every <see cref="IAgentStore"/> engine promises, run once per engine by a subclass (SQLite, PostgreSQL).
/// Each test gets an empty database of its own; <see cref="OpenAsync"/> called again opens a second store on the same
/// database, as a second control-plane process would.
/// </summary>
public abstract class AgentStoreContract : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);

    protected IAgentStore Store { get; set; } = null!;

    /// <summary>Opens an agent store on this test's database (creating the database on the first call).</summary>
    protected abstract Task<IAgentStore> OpenAsync();

    /// <summary>Deletes this test's database; the stores are disposed already.</summary>
    protected abstract Task DeleteAsync();

    public async Task InitializeAsync() => Store = await OpenAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DeleteAsync();
    }

    private static AgentRecord Agent(string name, string hash) => new(name, hash, new Dictionary<string, string> { ["zone"] = "a" }, 4, 8L << 30,
        "1.2.3", "host-" + name, "kvm", T0, T0.AddSeconds(5), Cordoned: false);

    private static JoinTokenRecord Token(string id, int uses) => new(id, "hash-" + id, T0, T0.AddHours(1), uses, 0, new Dictionary<string, string>());

    [Fact]
    public async Task Agents_AddedAndSaved_AreReadBackAfterReopen()
    {
        Assert.True(await Store.AddAgentAsync(Agent("a", "h1"), None));
        await Store.SaveAgentAsync(Agent("a", "h1") with { Cordoned = true, Vcpus = 16, Recipient = "age1recipient" }, None);
        await Store.DisposeAsync();
        Store = await OpenAsync();

        var agent = Assert.Single(await Store.ListAgentsAsync(None));
        Assert.Equal(("a", "h1", 16, 8L << 30, true, "a"), (agent.Name, agent.CredentialHash, agent.Vcpus, agent.MemoryBytes, agent.Cordoned, agent.Labels["zone"]));
        Assert.Equal(("1.2.3", "host-a", "kvm", T0, T0.AddSeconds(5)), (agent.Version, agent.HostName, agent.Accelerator, agent.JoinedAt, agent.LastHeartbeat));
        Assert.Equal("age1recipient", agent.Recipient);
    }

    [Fact]
    public async Task Agents_NullsAndInstants_RoundTripAtMillisecondPrecision()
    {
        var joined = T0.AddTicks(1234567); // 123.4567 ms past T0: the stores keep whole milliseconds
        await Store.SaveAgentAsync(Agent("a", "h1") with { Accelerator = null, LastHeartbeat = null, JoinedAt = joined, Labels = new Dictionary<string, string>() }, None);

        var agent = Assert.Single(await Store.ListAgentsAsync(None));

        Assert.Equal(((string?)null, (DateTimeOffset?)null, T0.AddMilliseconds(123), 0), (agent.Accelerator, agent.LastHeartbeat, agent.JoinedAt, agent.Labels.Count));
        Assert.Null(agent.Recipient);
    }

    [Fact]
    public async Task ListAgents_IsInOrdinalNameOrder()
    {
        foreach (var name in new[] { "b", "B", "a", "a-2", "A" })
            await Store.AddAgentAsync(Agent(name, "h-" + name), None);

        Assert.Equal(["A", "B", "a", "a-2", "b"], (await Store.ListAgentsAsync(None)).Select(a => a.Name).ToArray());
    }

    [Fact]
    public async Task AddAgent_NameTaken_ReturnsFalseAndKeepsTheFirst()
    {
        await Store.AddAgentAsync(Agent("a", "h1"), None);

        Assert.False(await Store.AddAgentAsync(Agent("a", "h2"), None));
        Assert.Equal("h1", Assert.Single(await Store.ListAgentsAsync(None)).CredentialHash);
    }

    [Fact]
    public async Task AddAgent_CredentialOfAnotherAgent_IsRefused()
    {
        await Store.AddAgentAsync(Agent("a", "h1"), None);

        await Assert.ThrowsAsync<StateStoreException>(() => Store.AddAgentAsync(Agent("b", "h1"), None));
        Assert.Equal("a", Assert.Single(await Store.ListAgentsAsync(None)).Name);
    }

    [Fact]
    public async Task RemoveAgent_DeletesItsRow()
    {
        await Store.AddAgentAsync(Agent("a", "h1"), None);

        Assert.True(await Store.RemoveAgentAsync("a", None));
        Assert.False(await Store.RemoveAgentAsync("a", None));
        Assert.Empty(await Store.ListAgentsAsync(None));
    }

    [Fact]
    public async Task JoinToken_IsReadBackAsWritten()
    {
        await Store.AddJoinTokenAsync(new JoinTokenRecord("t1", "hash", T0, T0.AddHours(1), 3, 1, new Dictionary<string, string> { ["zone"] = "b", ["gpu"] = "true" }), None);

        var token = await Store.GetJoinTokenAsync("t1", None);

        Assert.Equal(("t1", "hash", T0, T0.AddHours(1), 3, 1), (token!.Id, token.SecretHash, token.CreatedAt, token.ExpiresAt, token.Uses, token.Used));
        Assert.Equal([("gpu", "true"), ("zone", "b")], token.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => (l.Key, l.Value)).ToArray());
        await Assert.ThrowsAsync<StateStoreException>(() => Store.AddJoinTokenAsync(Token("t1", 1), None));
    }

    [Fact]
    public async Task TryUseJoinToken_CountsUsesUpToTheLimit_AndRefusesAStaleCount()
    {
        await Store.AddJoinTokenAsync(Token("t1", 2), None);

        Assert.True(await Store.TryUseJoinTokenAsync("t1", 0, None));
        Assert.False(await Store.TryUseJoinTokenAsync("t1", 0, None)); // someone else used it first
        Assert.True(await Store.TryUseJoinTokenAsync("t1", 1, None));
        Assert.False(await Store.TryUseJoinTokenAsync("t1", 2, None)); // used up
        Assert.False(await Store.TryUseJoinTokenAsync("t2", 0, None)); // no such token
        var token = await Store.GetJoinTokenAsync("t1", None);
        Assert.Equal((2, 2, T0.AddHours(1)), (token!.Uses, token.Used, token.ExpiresAt));
        Assert.Null(await Store.GetJoinTokenAsync("t2", None));
    }

    [Fact]
    public async Task TryUseJoinToken_TwoStoresRacingForOneUse_ExactlyOneWins()
    {
        await using var other = await OpenAsync();
        const int rounds = 16;
        for (var round = 0; round < rounds; round++)
        {
            // Odd rounds: the token's last use. Even rounds: one of two uses, both joins having read "0 used", as in
            // JoinTokens.RedeemAsync; the loser must read the token again rather than both counting from 0.
            var id = $"t{round}";
            await Store.AddJoinTokenAsync(Token(id, uses: round % 2 == 1 ? 1 : 2), None);

            var outcomes = await Task.WhenAll(
                Task.Run(() => Store.TryUseJoinTokenAsync(id, 0, None)),
                Task.Run(() => other.TryUseJoinTokenAsync(id, 0, None)));

            Assert.Single(outcomes, won => won);
            Assert.Equal(1, (await other.GetJoinTokenAsync(id, None))!.Used);
        }
    }

    [Fact]
    public async Task AddAgent_TwoStoresRacingForOneName_ExactlyOneIsAdded()
    {
        await using var other = await OpenAsync();

        var outcomes = await Task.WhenAll(
            Task.Run(() => Store.AddAgentAsync(Agent("a", "h1"), None)),
            Task.Run(() => other.AddAgentAsync(Agent("a", "h2"), None)));

        Assert.Single(outcomes, added => added);
        var agent = Assert.Single(await other.ListAgentsAsync(None));
        Assert.Equal(outcomes[0] ? "h1" : "h2", agent.CredentialHash);
    }

    [Fact]
    public async Task SaveDrain_ReplacesTheAgentsLastDrain_AndNullDeletesIt_AcrossReopen()
    {
        await Store.SaveDrainAsync("a", "{\"state\":\"draining\"}", None);
        await Store.SaveDrainAsync("a", "{\"state\":\"drained\"}", None);
        await Store.SaveDrainAsync("b", "{\"state\":\"failed\"}", None);
        await Store.SaveDrainAsync("c", "{}", None);
        await Store.SaveDrainAsync("c", null, None);
        await Store.SaveDrainAsync("never", null, None);

        await using var reopened = await OpenAsync();
        var drains = await reopened.GetDrainsAsync(None);
        Assert.Equal(["a", "b"], drains.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("{\"state\":\"drained\"}", drains["a"]);
        Assert.Equal("{\"state\":\"failed\"}", drains["b"]);
    }

    [Fact]
    public async Task ReplacePlacements_KeepsExactlyTheNewMap()
    {
        await Store.ReplacePlacementsAsync(new Dictionary<string, string> { ["web"] = "a", ["db"] = "b" }, None);
        await Store.ReplacePlacementsAsync(new Dictionary<string, string> { ["web"] = "b" }, None);

        var placements = await Store.GetPlacementsAsync(None);
        Assert.Equal("b", Assert.Single(placements).Value);
        Assert.Equal("web", placements.Keys.Single());
        await Store.ReplacePlacementsAsync(new Dictionary<string, string>(), None);
        Assert.Empty(await Store.GetPlacementsAsync(None));
    }

    [Fact]
    public async Task ReplacePlacements_TwoStoresReplacingAtOnce_LeaveOneMapWhole()
    {
        await using var other = await OpenAsync();
        var mine = Enumerable.Range(0, 50).ToDictionary(i => $"vm{i}", _ => "a");
        var theirs = Enumerable.Range(25, 50).ToDictionary(i => $"vm{i}", _ => "b");
        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(
                Task.Run(() => Store.ReplacePlacementsAsync(mine, None)),
                Task.Run(() => other.ReplacePlacementsAsync(theirs, None)));

            var placements = await Store.GetPlacementsAsync(None);
            Assert.True(Same(placements, mine) || Same(placements, theirs), $"a mix of both: {placements.Count} rows");
        }
    }

    [Fact]
    public async Task UpdatePlacements_ChangesOnlyTheNamedVms_AndKeepsEveryOtherRow()
    {
        await Store.ReplacePlacementsAsync(new Dictionary<string, string> { ["web"] = "a", ["db"] = "b", ["cache"] = "a" }, None);

        await Store.UpdatePlacementsAsync(new Dictionary<string, string> { ["db"] = "c", ["new"] = "b" }, ["cache", "never-placed"], None);

        var placements = await Store.GetPlacementsAsync(None);
        Assert.True(Same(placements, new Dictionary<string, string> { ["web"] = "a", ["db"] = "c", ["new"] = "b" }),
            string.Join(", ", placements.Select(p => $"{p.Key}={p.Value}")));
        await Store.UpdatePlacementsAsync(new Dictionary<string, string>(), [], None);
        Assert.Equal(3, (await Store.GetPlacementsAsync(None)).Count);
    }

    [Fact]
    public async Task UpdatePlacements_OfManyVms_IsOneTransactionThatAnotherStoreSeesWhole()
    {
        await using var other = await OpenAsync();
        var many = Enumerable.Range(0, 2000).ToDictionary(i => $"vm{i}", i => $"a{i % 7}");

        await Store.UpdatePlacementsAsync(many, [], None);
        await Store.UpdatePlacementsAsync(new Dictionary<string, string> { ["vm1"] = "moved" }, many.Keys.Where(k => k.EndsWith('5')).ToArray(), None);

        var seen = await other.GetPlacementsAsync(None);
        Assert.Equal(1800, seen.Count);
        Assert.Equal("moved", seen["vm1"]);
        Assert.Equal("a2", seen["vm2"]);
        Assert.DoesNotContain("vm15", seen.Keys);
    }

    private static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);
}
