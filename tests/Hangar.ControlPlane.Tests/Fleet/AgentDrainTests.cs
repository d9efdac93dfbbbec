using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Wire;
using Hangar.Protocol.Api;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>
/// <c>hangar agent drain</c>'s decisions, inside the control plane on a real SQLite file, with agents played by hand
/// (their reports written by the test) and a fake clock for the drain's deadlines. Agent a1 runs web and web2
/// (movable) and db (not movable); a2 joins empty.
/// </summary>
public sealed class AgentDrainTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("had-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private SqliteStateStore _store = null!;
    private SqliteAgentStore _agentStore = null!;
    private FleetService _fleet = null!;
    private AgentSession _a1 = null!;
    // What each played agent runs, reported whole each time.
    private readonly Dictionary<string, Dictionary<string, (VmPhase Phase, HealthState Health)>> _runs = new() { ["a1"] = [], ["a2"] = [] };

    public async Task InitializeAsync()
    {
        _store = await SqliteStateStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _agentStore = await SqliteAgentStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _fleet = new FleetService(_store, _agentStore, NullLogger<FleetService>.Instance, _time);
        await _fleet.InitializeAsync(CancellationToken.None);
        _a1 = await PlayedAgent.ConnectAsync(_fleet, "a1");
        await _fleet.ApplyAsync(new ApplyRequest("fleet.yaml", """
            vms:
              web: { image: tiny, placement: { movable: true } }
              web2: { image: tiny, placement: { movable: true } }
              db: { image: tiny }
            """, null, null, false), CancellationToken.None);
        Report(_a1, ("web", VmPhase.Running, HealthState.Healthy), ("web2", VmPhase.Running, HealthState.Healthy), ("db", VmPhase.Running, HealthState.Healthy));
        await WhenAsync(() => _fleet.Status().Rollout?.State == RolloutState.Succeeded);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _store.DisposeAsync();
        await _agentStore.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private void Report(AgentSession agent, params (string Vm, VmPhase Phase, HealthState Health)[] changes)
    {
        var runs = _runs[agent.Name];
        foreach (var (vm, phase, health) in changes) runs[vm] = (phase, health);
        var revision = _fleet.Status().Revision;
        _fleet.ObservedReceived(agent, new ObservedStateMessage(1, revision, runs.Select(r =>
            new ObservedVm(r.Key, r.Value.Phase, null, r.Value.Health, "tcg", r.Value.Phase == VmPhase.Running ? 4242 : null, [], null, 0, null, 1, revision)).ToArray()));
    }

    private WireDesiredVm? Desired(string agent, string vm) => _fleet.DesiredFor(agent).Vms.SingleOrDefault(v => v.Spec.Name == vm);

    /// <summary>Waits, woken by the fleet's change signal, until <paramref name="done"/> holds.</summary>
    private async Task WhenAsync(Func<bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var changed = _fleet.WhenChangedAsync(timeout.Token);
            if (done()) return;
            await changed;
        }
    }

    private async Task<AgentDrainInfo> EndedAsync()
    {
        await WhenAsync(() => _fleet.Agent("a1").Drain is { State: not AgentDrainState.Draining });
        return _fleet.Agent("a1").Drain!;
    }

    [Fact]
    public async Task Drain_MovableVms_EachStopsOnTheOldAgentBeforeItStartsOnTheNewOneAndDbStays()
    {
        var a2 = await PlayedAgent.ConnectAsync(_fleet, "a2");

        var started = await _fleet.DrainAgentAsync("a1", new AgentDrainRequest(), CancellationToken.None);

        Assert.True(started.Cordoned);
        Assert.Equal(AgentDrainState.Draining, started.Drain!.State);
        Assert.Equal(["db"], started.Drain.NotMovable);
        Assert.True((await _agentStore.ListAgentsAsync(CancellationToken.None)).Single(a => a.Name == "a1").Cordoned);
        foreach (var vm in new[] { "web", "web2" })
        {
            // Stopped on a1 first; a2 is not sent it until a1 reports it stopped, so it never runs on two hosts.
            await WhenAsync(() => Desired("a1", vm) is { Running: false });
            Assert.Null(Desired("a2", vm));
            Assert.Equal(DrainMoveState.Stopping, _fleet.Agent("a1").Drain!.Moves.Single(m => m.Vm == vm).State);
            Report(_a1, (vm, VmPhase.Stopped, HealthState.Unknown));
            await WhenAsync(() => Desired("a2", vm) is { Running: true });
            Assert.Equal("a2", _fleet.VmStatus(vm)!.Agent);
            Assert.Equal(DrainMoveState.Starting, _fleet.Agent("a1").Drain!.Moves.Single(m => m.Vm == vm).State);
            Report(a2, (vm, VmPhase.Running, HealthState.Healthy));
            await WhenAsync(() => _fleet.Agent("a1").Drain!.Moves.Single(m => m.Vm == vm).State == DrainMoveState.Moved);
        }

        var done = await EndedAsync();
        Assert.Equal(AgentDrainState.Incomplete, done.State);
        Assert.Equal([("web", "a2"), ("web2", "a2")], done.Moves.Select(m => (m.Vm, m.To)));
        Assert.Equal("Drain of a1 done: moved web → a2, web2 → a2; 1 VM stays on a1: not movable: db", done.Summary("a1"));
        Assert.True(Desired("a1", "db")!.Running);
        var placed = await _agentStore.GetPlacementsAsync(CancellationToken.None);
        Assert.Equal(("a2", "a2", "a1"), (placed["web"], placed["web2"], placed["db"]));
    }

    [Fact]
    public async Task Drain_VmUnhealthyOnTheNewAgent_MovesItBackToItsDiskAndStopsTheDrain()
    {
        var a2 = await PlayedAgent.ConnectAsync(_fleet, "a2");
        await _fleet.DrainAgentAsync("a1", new AgentDrainRequest(), CancellationToken.None);
        await WhenAsync(() => Desired("a1", "web") is { Running: false });
        Report(_a1, ("web", VmPhase.Stopped, HealthState.Unknown));
        await WhenAsync(() => Desired("a2", "web") is { Running: true });

        Report(a2, ("web", VmPhase.Running, HealthState.Unhealthy));

        // Stopped on a2 before it goes back to a1, where its disk is.
        await WhenAsync(() => Desired("a2", "web") is { Running: false });
        Assert.Equal(DrainMoveState.Returning, _fleet.Agent("a1").Drain!.Moves.Single().State);
        Assert.False(Desired("a1", "web")?.Running ?? false);
        Report(a2, ("web", VmPhase.Stopped, HealthState.Unknown));
        await WhenAsync(() => Desired("a1", "web") is { Running: true });
        Report(_a1, ("web", VmPhase.Running, HealthState.Healthy));
        var done = await EndedAsync();

        Assert.Equal(AgentDrainState.Failed, done.State);
        var move = Assert.Single(done.Moves);
        Assert.Equal(DrainMoveState.MovedBack, move.State);
        Assert.Contains("VM web: its health check", move.Reason);
        Assert.StartsWith("VM web did not become healthy on a2 and is back on a1", done.Reason);
        Assert.Equal("a1", (await _agentStore.GetPlacementsAsync(CancellationToken.None))["web"]);
        // The drain stopped: web2 was never touched.
        Assert.True(Desired("a1", "web2")!.Running);
        Assert.Null(Desired("a2", "web2"));
    }

    [Fact]
    public async Task Drain_VmDoesNotStopInTime_StaysWhereItIsAndRunsAgain()
    {
        await PlayedAgent.ConnectAsync(_fleet, "a2");
        await _fleet.DrainAgentAsync("a1", new AgentDrainRequest(TimeSpan.FromSeconds(20)), CancellationToken.None);
        await WhenAsync(() => Desired("a1", "web") is { Running: false });

        _time.Advance(TimeSpan.FromSeconds(21));
        var done = await EndedAsync();

        Assert.Equal(AgentDrainState.Failed, done.State);
        Assert.Equal("it did not stop on a1 within 20s (phase running)", Assert.Single(done.Moves).Reason);
        Assert.Equal(DrainMoveState.Failed, done.Moves[0].State);
        Assert.True(Desired("a1", "web")!.Running);
        Assert.Null(Desired("a2", "web"));
        Assert.Equal("a1", _fleet.VmStatus("web")!.Agent);
    }

    [Fact]
    public async Task Drain_NoOtherAgent_LeavesEachVmWithTheSchedulersReason()
    {
        await _fleet.DrainAgentAsync("a1", new AgentDrainRequest(), CancellationToken.None);
        var done = await EndedAsync();

        Assert.Equal(AgentDrainState.Incomplete, done.State);
        Assert.Empty(done.Moves);
        Assert.Equal("no agent is online and uncordoned (a1: cordoned)", done.Unplaceable["web"]);
        Assert.Equal(["web", "web2"], done.Unplaceable.Keys);
        Assert.True(Desired("a1", "web")!.Running);
        Assert.Contains("3 VMs stay on a1: not movable: db; nowhere to go: web (no agent", done.Summary("a1"));
    }

    [Fact]
    public async Task Uncordon_DuringADrain_EndsItAndTheHeldVmRunsWhereItWas()
    {
        await PlayedAgent.ConnectAsync(_fleet, "a2");
        await _fleet.DrainAgentAsync("a1", new AgentDrainRequest(), CancellationToken.None);
        await WhenAsync(() => Desired("a1", "web") is { Running: false });

        var uncordoned = await _fleet.SetAgentCordonedAsync("a1", false, CancellationToken.None);
        var done = await EndedAsync();

        Assert.False(uncordoned.Cordoned);
        Assert.Equal((AgentDrainState.Cancelled, "the agent was uncordoned"), (done.State, done.Reason));
        await WhenAsync(() => Desired("a1", "web") is { Running: true });
        Assert.Null(Desired("a2", "web"));
    }

    [Fact]
    public async Task Restart_DuringADrain_ShowsItInterruptedAndTheHeldVmRunsOnItsAgentAgain()
    {
        await PlayedAgent.ConnectAsync(_fleet, "a2");
        await _fleet.DrainAgentAsync("a1", new AgentDrainRequest(), CancellationToken.None);
        await WhenAsync(() => Desired("a1", "web") is { Running: false });

        await _fleet.DisposeAsync();
        _fleet = new FleetService(_store, _agentStore, NullLogger<FleetService>.Instance, _time);
        await _fleet.InitializeAsync(CancellationToken.None);

        var a1 = _fleet.Agent("a1");
        Assert.True(a1.Cordoned);
        Assert.Equal(AgentDrainState.Interrupted, a1.Drain!.State);
        Assert.Equal(DrainMoveState.Stopping, Assert.Single(a1.Drain.Moves).State);
        Assert.Contains("run hangar agent drain a1 again", a1.Drain.Reason);
        Assert.True(Desired("a1", "web")!.Running);
        Assert.Equal("a1", _fleet.VmStatus("web")!.Agent);
    }

    [Fact]
    public async Task Initialize_DrainStoredAsUnderWay_MarksItInterrupted()
    {
        // As a control plane killed mid-drain leaves it: the record still says draining.
        await _fleet.IssueAgentCredentialAsync("a1", CancellationToken.None); // a1 persisted, as a joined agent is
        await _agentStore.SaveDrainAsync("a1", System.Text.Json.JsonSerializer.Serialize(new AgentDrainInfo(AgentDrainState.Draining, _time.GetUtcNow(), null,
            TimeSpan.FromMinutes(5), [new DrainMove("web", "a1", "a2", DrainMoveState.Starting)], ["db"], new Dictionary<string, string>()),
            Hangar.Protocol.HangarJson.Info<AgentDrainInfo>()), CancellationToken.None);

        await _fleet.DisposeAsync();
        _fleet = new FleetService(_store, _agentStore, NullLogger<FleetService>.Instance, _time);
        await _fleet.InitializeAsync(CancellationToken.None);

        var drain = _fleet.Agent("a1").Drain!;
        Assert.Equal(AgentDrainState.Interrupted, drain.State);
        Assert.NotNull(drain.EndedAt);
        Assert.Contains("\"state\":\"interrupted\"", (await _agentStore.GetDrainsAsync(CancellationToken.None))["a1"]);
    }

    [Fact]
    public async Task Drain_OfflineAgent_IsRefusedAndNothingChanges()
    {
        _time.Advance(AgentRegistry.OfflineAfter + TimeSpan.FromSeconds(1));

        var refused = await Assert.ThrowsAsync<AgentRequestException>(() => _fleet.DrainAgentAsync("a1", new AgentDrainRequest(), CancellationToken.None));

        Assert.Equal(AgentRequestError.Conflict, refused.Error);
        Assert.StartsWith("Agent a1 is offline: its VMs cannot be stopped there", refused.Message);
        Assert.False(_fleet.Agent("a1").Cordoned);
        Assert.Null(_fleet.Agent("a1").Drain);
    }
}
