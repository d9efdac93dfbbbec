using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Api;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>
/// Placement as plans and applies show it, on a real SQLite file with agents played by hand (4 vCPUs and 4 GiB each):
/// where each VM goes, moves, and a VM that cannot be placed failing the plan and the apply.
/// </summary>
public sealed class PlacementPlanTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpp-").FullName;
    private SqliteStateStore _store = null!;
    private SqliteAgentStore _agentStore = null!;
    private FleetService _fleet = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteStateStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _agentStore = await SqliteAgentStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _fleet = new FleetService(_store, _agentStore, NullLogger<FleetService>.Instance);
        await _fleet.InitializeAsync(CancellationToken.None);
        await PlayedAgent.ConnectAsync(_fleet, "a1");
        await PlayedAgent.ConnectAsync(_fleet, "a2");
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _store.DisposeAsync();
        await _agentStore.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static ApplyRequest File(string vms) => new("fleet.yaml", "vms:\n" + vms, null, null, false);

    [Fact]
    public void Plan_NewVms_ShowsTheAgentOfEach()
    {
        var plan = _fleet.Plan(File("  web: { image: tiny, placement: { host: a2 } }\n  db: { image: tiny }\n"));

        Assert.Empty(plan.Problems);
        Assert.Equal([("db", "a1"), ("web", "a2")], plan.Plan.Select(e => (e.Vm, e.Agent!)));
    }

    [Fact]
    public async Task Apply_UnplaceableVm_IsRefusedWithTheReasonAndCommitsNothing()
    {
        var file = File("  big: { image: tiny, memory: 8GiB }\n");

        var plan = _fleet.Plan(file);
        var refused = await Assert.ThrowsAsync<UnplaceableException>(() => _fleet.ApplyAsync(file, CancellationToken.None));

        const string reason = "vms.big: cannot be placed: no agent with 8GiB memory free (a1: 4GiB free, a2: 4GiB free)";
        Assert.Equal([reason], plan.Problems);
        Assert.Equal(reason, Assert.Single(plan.Plan).Unplaceable is { } why ? $"vms.big: cannot be placed: {why}" : null);
        Assert.Equal([reason], refused.Problems);
        Assert.Equal(0, _fleet.Status().Generation);
    }

    [Fact]
    public async Task Plan_ChangedPin_IsAMoveAndTheOldAgentIsSentTheVmStopped()
    {
        await _fleet.ApplyAsync(File("  web: { image: tiny, placement: { host: a1 } }\n"), CancellationToken.None);
        var moved = File("  web: { image: tiny, placement: { host: a2 } }\n");

        var entry = Assert.Single(_fleet.Plan(moved).Plan);
        await _fleet.ApplyAsync(moved, CancellationToken.None);

        Assert.Equal((PlanAction.Move, "a1", "a2"), (entry.Action, entry.From, entry.Agent));
        Assert.Contains("agent: a1 → a2 — starts afresh from its image there; its disk stays on a1", entry.Changes);
        Assert.True(Assert.Single(_fleet.DesiredFor("a2").Vms).Running);
        Assert.False(Assert.Single(_fleet.DesiredFor("a1").Vms).Running);
    }

    [Fact]
    public async Task Plan_SameFileAgain_KeepsEveryVmWhereItIs()
    {
        var file = File("  v1: { image: tiny }\n  v2: { image: tiny }\n  v3: { image: tiny }\n");
        await _fleet.ApplyAsync(file, CancellationToken.None);
        var placed = _fleet.Status().Vms.ToDictionary(v => v.Name, v => v.Agent);
        await PlayedAgent.ConnectAsync(_fleet, "a0"); // an empty agent that sorts first

        var plan = _fleet.Plan(file);

        Assert.False(plan.HasChanges);
        Assert.All(plan.Plan, e => Assert.Equal((PlanAction.Unchanged, placed[e.Vm]), (e.Action, e.Agent)));
    }

    [Fact]
    public async Task SetAgentLabels_NewLabel_IsPersistedAndPlacesTheNextPlan()
    {
        var file = File("  ml: { image: tiny, placement: { labels: { gpu: 'true' } } }\n");
        Assert.Equal(["vms.ml: cannot be placed: no agent with label gpu=true (a1: no gpu, a2: no gpu)"], _fleet.Plan(file).Problems);

        var info = await _fleet.SetAgentLabelsAsync("a2", new AgentLabelsRequest(new Dictionary<string, string> { ["gpu"] = "true" }, []), CancellationToken.None);

        Assert.Equal("true", info.Labels["gpu"]);
        Assert.Equal("true", (await _agentStore.ListAgentsAsync(CancellationToken.None)).Single(a => a.Name == "a2").Labels["gpu"]);
        Assert.Equal("a2", Assert.Single(_fleet.Plan(file).Plan).Agent);

        await _fleet.SetAgentLabelsAsync("a2", new AgentLabelsRequest(new Dictionary<string, string>(), ["gpu"]), CancellationToken.None);
        Assert.NotEmpty(_fleet.Plan(file).Problems);
    }
}
