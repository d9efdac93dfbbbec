using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.ControlPlane.Replicas;
using Hangar.ControlPlane.Tests.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.State;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Replicas;

/// <summary>
/// Two control planes as replicas in one process: a real SQLite file as their shared store, and PostgreSQL's leader
/// lock, notices and shared reports played in memory (<see cref="FakeReplicaNetwork"/>). The agent is played by hand
/// on one of them. What is checked is the control plane's side: who runs the gate and records the verdict, what a
/// follower learns, and a takeover when the leader loses its lock.
/// </summary>
public sealed class ReplicaFleetTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("hrf-").FullName;
    private readonly FakeReplicaNetwork _network = new();
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(FleetService Fleet, IStateStore Store)> ReplicaAsync(string id)
    {
        var store = await SqliteStateStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        var agentStore = await SqliteAgentStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _owned.Add(store);
        _owned.Add(agentStore);
        var fleet = new FleetService(store, agentStore, NullLogger<FleetService>.Instance,
            replica: new ControlPlaneReplica(id, new FakeLeaderLock(_network, id), new FakeChangeFeed(_network, id), new FakeObservedStore(_network)));
        _owned.Add(fleet);
        await fleet.InitializeAsync(CancellationToken.None);
        return (fleet, store);
    }

    /// <summary>An agent persisted as a joined one is (so the other replica knows it), played by hand on <paramref name="fleet"/>.</summary>
    private static async Task<AgentSession> JoinedAgentAsync(FleetService fleet, string name)
    {
        await fleet.IssueAgentCredentialAsync(name, CancellationToken.None);
        return await PlayedAgent.ConnectAsync(fleet, name);
    }

    private static ApplyRequest File() => new("fleet.yaml", """
        vms:
          web:
            image: tiny
            memory: 128MiB
        """, null, null, false);

    private static async Task<FleetStatus> StatusWhenAsync(FleetService fleet, Func<FleetStatus, bool> done, string what)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            // Woken by the fleet's change signal; leadership is polled (it changes on the election's one-second tick).
            var changed = fleet.WhenChangedAsync(timeout.Token);
            var status = fleet.Status();
            if (done(status)) return status;
            try { await Task.WhenAny(changed, Task.Delay(100, timeout.Token)); }
            catch (OperationCanceledException) { }
            if (timeout.IsCancellationRequested) throw new TimeoutException($"Timed out waiting for {what}; last: {status}");
        }
    }

    private static void ReportHealthy(FleetService fleet, AgentSession agent) =>
        fleet.ObservedReceived(agent, new ObservedStateMessage(1, agent.Desired.Revision,
        [
            new ObservedVm("web", VmPhase.Running, null, HealthState.Healthy, "tcg", 4242, [], null, 0, DateTimeOffset.UtcNow,
                1, agent.Desired.Revision, ImageDigest: "sha256:0123"),
        ]));

    /// <summary>The stored messages of kind <paramref name="kind"/> once the verdict's event is stored too (the journal
    /// stores events after it logs them; polled, it has no signal).</summary>
    private static async Task<string[]> MessagesAsync(IStateStore store, string kind)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            var events = await store.ListEventsAsync(0, 1000, CancellationToken.None);
            if (events.Any(e => e.Message.StartsWith("Rollout of generation 1 succeeded", StringComparison.Ordinal)) || timeout.IsCancellationRequested)
                return events.Where(e => e.Kind == kind).Select(e => e.Message).ToArray();
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task FollowEvents_OnOneReplica_GetsTheEventsAnotherReplicaRecords()
    {
        var (a, _) = await ReplicaAsync("a:1");
        var (b, _) = await ReplicaAsync("b:2");
        await a.ApplyAsync(File(), CancellationToken.None);
        using var timeout = new CancellationTokenSource(Wait);
        await using var onB = b.FollowEventsAsync(0, EventFilter.From(["web"], null, ["operator"]), timeout.Token).GetAsyncEnumerator(timeout.Token);
        await a.SetVmAsync("web", VmOperation.Stop, CancellationToken.None);
        Assert.True(await onB.MoveNextAsync());
        Assert.Equal(("operator", "web", "Stop requested"), (onB.Current.Kind, onB.Current.Vm, onB.Current.Message));

        // b's follower has read everything and waits; b records nothing itself, so only a's notice can wake it.
        var next = onB.MoveNextAsync().AsTask();
        await a.SetVmAsync("web", VmOperation.Start, CancellationToken.None);

        Assert.True(await next.WaitAsync(timeout.Token));
        Assert.Equal(("operator", "web", "Start requested"), (onB.Current.Kind, onB.Current.Vm, onB.Current.Message));
    }

    [Fact]
    public async Task Apply_OnTheFollower_TheLeaderRunsTheGateAndRecordsTheVerdictThatTheFollowerThenShows()
    {
        var (a, storeA) = await ReplicaAsync("a:1");
        await StatusWhenAsync(a, s => s.ControlPlane is { Leader: true }, "a to lead");
        var (b, _) = await ReplicaAsync("b:2");
        await StatusWhenAsync(b, s => s.ControlPlane is { Leader: false, LeaderReplica: "a:1" }, "b to follow a");
        var agent = await JoinedAgentAsync(a, "host-a");
        await StatusWhenAsync(b, s => s.Agents.Any(x => x is { Name: "host-a", Connected: true }), "b to see the agent online on a");

        await b.ApplyAsync(File(), CancellationToken.None);

        var rolling = await StatusWhenAsync(a, s => s.Rollout is { Generation: 1, State: RolloutState.Running } && s.Vms.Single().Agent == "host-a",
            "a to place the VM and run the gate");
        Assert.Equal(["web"], rolling.Rollout!.Waiting);
        Assert.Equal(RolloutState.Running, b.Status().Rollout?.State);
        ReportHealthy(a, agent);
        await StatusWhenAsync(a, s => s.Rollout is { State: RolloutState.Succeeded }, "a's verdict");
        var shown = await StatusWhenAsync(b, s => s.Rollout is { State: RolloutState.Succeeded } && s.Vms.Single().Health == HealthState.Healthy,
            "b to show the verdict and the agent's report");
        Assert.True(shown.Vms.Single().DesiredRevision > 0 && shown.Vms.Single().ObservedRevision >= shown.Vms.Single().DesiredRevision, shown.Vms.Single().ToString());
        Assert.Single(await MessagesAsync(storeA, "rollout"), m => m.StartsWith("Rollout of generation 1 succeeded", StringComparison.Ordinal));
        Assert.Single(await MessagesAsync(storeA, "rollout"), m => m.StartsWith("Rollout of generation 1 started", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Drain_OnTheFollower_IsRefusedNamingTheLeaderAndChangesNothing()
    {
        var (a, _) = await ReplicaAsync("a:1");
        await StatusWhenAsync(a, s => s.ControlPlane is { Leader: true }, "a to lead");
        var (b, _) = await ReplicaAsync("b:2");
        await StatusWhenAsync(b, s => s.ControlPlane is { Leader: false, LeaderReplica: "a:1" }, "b to follow a");
        await JoinedAgentAsync(b, "host-b");
        await StatusWhenAsync(b, s => s.Agents.Any(x => x is { Name: "host-b", Connected: true }), "the agent online on b");

        var refused = await Assert.ThrowsAsync<AgentRequestException>(() => b.DrainAgentAsync("host-b", new AgentDrainRequest(), CancellationToken.None));

        Assert.Equal(AgentRequestError.Conflict, refused.Error);
        Assert.Contains("drains run on the leader (a:1)", refused.Message);
        Assert.False(b.Agent("host-b").Cordoned);
        Assert.Null(b.Agent("host-b").Drain);
    }

    [Fact]
    public async Task Leader_LosesItsLockMidRollout_RecordsNoVerdictAndTheNewLeaderResumesAndDecides()
    {
        var (a, storeA) = await ReplicaAsync("a:1");
        await StatusWhenAsync(a, s => s.ControlPlane is { Leader: true }, "a to lead");
        var (b, _) = await ReplicaAsync("b:2");
        await StatusWhenAsync(b, s => s.ControlPlane?.LeaderReplica == "a:1", "b to follow a");
        var agent = await JoinedAgentAsync(a, "host-a");
        await a.ApplyAsync(File(), CancellationToken.None);
        await StatusWhenAsync(a, s => s.Rollout is { Generation: 1, State: RolloutState.Running }, "a's gate");

        _network.Revoke(); // a's session dies; b takes the lock at its next try
        await StatusWhenAsync(a, s => s.ControlPlane is { Leader: false }, "a to stop leading");
        await StatusWhenAsync(b, s => s.ControlPlane is { Leader: true }, "b to lead");
        await StatusWhenAsync(b, s => s.Rollout is { Generation: 1, State: RolloutState.Running }, "b's resumed gate");
        // The agent still reports to a, which shares it; b's gate decides.
        ReportHealthy(a, agent);

        await StatusWhenAsync(b, s => s.Rollout is { State: RolloutState.Succeeded }, "b's verdict");
        var rollout = await MessagesAsync(storeA, "rollout");
        Assert.Single(rollout, m => m.StartsWith("Rollout of generation 1 succeeded", StringComparison.Ordinal));
        Assert.Contains("Resuming the rollout of generation 1 on becoming the leader", rollout);
        // Two journals write these (a's loss, b's win), so the last two may land in either order.
        var leader = await MessagesAsync(storeA, "leader");
        Assert.Equal("Replica a:1 leads the control planes", leader[0]);
        Assert.Equal(["Replica a:1 stopped leading: its database session holding the leader lock does not answer", "Replica b:2 leads the control planes"],
            leader.Skip(1).Order(StringComparer.Ordinal).ToArray());
        await StatusWhenAsync(a, s => s.Rollout is { State: RolloutState.Succeeded }, "a to learn b's verdict");
    }
}
