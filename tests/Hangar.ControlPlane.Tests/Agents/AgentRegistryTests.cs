using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.ControlPlane.Tests.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hangar.ControlPlane.Tests.Agents;

/// <summary>
/// Agents as the fleet knows them, on a real SQLite file and a fake clock: joined agents and placements survive a
/// control-plane restart, an agent is known by its credential, a silent one goes offline, cordon and remove.
/// </summary>
public sealed class AgentRegistryTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("har-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private SqliteStateStore _store = null!;
    private SqliteAgentStore _agentStore = null!;
    private FleetService _fleet = null!;

    public Task InitializeAsync() => OpenAsync();

    private async Task OpenAsync()
    {
        var path = Path.Combine(_dir, "state.db");
        _store = await SqliteStateStore.OpenAsync(path, CancellationToken.None);
        _agentStore = await SqliteAgentStore.OpenAsync(path, CancellationToken.None);
        _fleet = new FleetService(_store, _agentStore, NullLogger<FleetService>.Instance, _time);
        await _fleet.InitializeAsync(CancellationToken.None);
    }

    private async Task CloseAsync()
    {
        await _fleet.DisposeAsync();
        await _store.DisposeAsync();
        await _agentStore.DisposeAsync();
    }

    /// <summary>A control-plane restart: everything in memory is gone, the SQLite file stays.</summary>
    private async Task RestartAsync()
    {
        await CloseAsync();
        await OpenAsync();
    }

    public async Task DisposeAsync()
    {
        await CloseAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<string> JoinAsync(string name, Dictionary<string, string>? tokenLabels = null)
    {
        var token = await _fleet.CreateJoinTokenAsync(new JoinTokenRequest(Labels: tokenLabels), CancellationToken.None);
        var (_, credential) = await _fleet.JoinAgentAsync(token.Token, name, new Dictionary<string, string> { ["zone"] = "mine" }, CancellationToken.None);
        return credential;
    }

    private async Task<AgentSession> ConnectAsync(string credential)
    {
        var session = _fleet.AuthenticateAgent(credential) ?? throw new InvalidOperationException("credential refused");
        return await PlayedAgent.ConnectAsync(_fleet, session.Name, session);
    }

    private static ApplyRequest Fleet(params string[] vms) =>
        new("fleet.yaml", "vms:\n" + string.Concat(vms.Select(v => $"  {v}:\n    image: tiny\n    memory: 128MiB\n")), null, null, false);

    [Fact]
    public async Task Join_ThenRestart_AgentIsKnownByItsCredentialWithItsLabels()
    {
        var credential = await JoinAsync("a", new Dictionary<string, string> { ["zone"] = "token" });
        await ConnectAsync(credential);

        await RestartAsync();

        var agent = _fleet.AuthenticateAgent(credential);
        Assert.Equal("a", agent?.Name);
        Assert.Equal("token", agent!.Labels["zone"]); // the token's labels win over the agent's own
        var info = Assert.Single(_fleet.Agents());
        Assert.Equal((AgentState.Offline, 4, 4L << 30, "test"), (info.State, info.Vcpus, info.MemoryBytes, info.Version));
        Assert.Null(_fleet.AuthenticateAgent("hac_" + new string('0', 64)));
        Assert.Null(_fleet.AuthenticateAgent(credential[..^1] + (credential[^1] == '0' ? '1' : '0')));
    }

    [Fact]
    public async Task Join_NameTaken_IsRefusedAndLeavesTheTokenUnused()
    {
        await JoinAsync("a");
        var token = await _fleet.CreateJoinTokenAsync(new JoinTokenRequest(), CancellationToken.None);

        var e = await Assert.ThrowsAsync<AgentRequestException>(() => _fleet.JoinAgentAsync(token.Token, "a", null, CancellationToken.None));
        Assert.Equal(AgentRequestError.Conflict, e.Error);
        Assert.Contains("has joined already", e.Message);
        await _fleet.JoinAgentAsync(token.Token, "b", null, CancellationToken.None);
    }

    [Fact]
    public async Task Join_TokenUsedUp_IsRefusedAndRecordedAsAnEvent()
    {
        var token = await _fleet.CreateJoinTokenAsync(new JoinTokenRequest(Uses: 1), CancellationToken.None);
        await _fleet.JoinAgentAsync(token.Token, "a", null, CancellationToken.None);

        var e = await Assert.ThrowsAsync<AgentRefusedException>(() => _fleet.JoinAgentAsync(token.Token, "b", null, CancellationToken.None));
        Assert.Contains("used 1 of 1", e.Message);
        await CloseAsync(); // writes the journal
        await OpenAsync();
        var events = await _store.ListEventsAsync(0, 100, CancellationToken.None);
        Assert.Contains(events, ev => ev.Kind == "agent.refused" && ev.Message.Contains("Agent b could not join") && ev.Message.Contains("used 1 of 1"));
    }

    [Fact]
    public async Task Agent_SilentPastThreeHeartbeats_IsOfflineAndItsVmsUnknown()
    {
        var agent = await ConnectAsync(await JoinAsync("a"));
        await _fleet.ApplyAsync(Fleet("web"), CancellationToken.None);
        Assert.Equal(AgentState.Online, _fleet.Agent("a").State);
        Assert.Equal(VmPhase.Pending, _fleet.Status().Vms.Single().Phase);

        _time.Advance(AgentRegistry.OfflineAfter - TimeSpan.FromSeconds(1));
        _fleet.AgentHeard(agent);
        _time.Advance(AgentRegistry.OfflineAfter);
        Assert.Equal(AgentState.Online, _fleet.Agent("a").State);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(AgentState.Offline, _fleet.Agent("a").State);
        var vm = _fleet.Status().Vms.Single();
        Assert.Equal((VmPhase.Unknown, "a"), (vm.Phase, vm.Agent));
        Assert.Contains("agent a is offline", vm.Detail);
    }

    [Fact]
    public async Task Restart_FirstAgentBack_GetsOnlyItsOwnVms()
    {
        var a = await JoinAsync("a");
        var b = await JoinAsync("b");
        await ConnectAsync(a);
        await ConnectAsync(b);
        string[] vms = ["v1", "v2", "v3", "v4", "v5", "v6"];
        await _fleet.ApplyAsync(Fleet(vms), CancellationToken.None);
        var onA = _fleet.DesiredFor("a").Vms.Select(v => v.Spec.Name).Order().ToArray();
        var onB = _fleet.DesiredFor("b").Vms.Select(v => v.Spec.Name).Order().ToArray();
        Assert.NotEmpty(onA);
        Assert.NotEmpty(onB);
        Assert.Equal(vms, onA.Concat(onB).Order());

        await RestartAsync();
        await ConnectAsync(a);

        Assert.Equal(onA, _fleet.DesiredFor("a").Vms.Select(v => v.Spec.Name).Order());
        Assert.Equal(onB, _fleet.DesiredFor("b").Vms.Select(v => v.Spec.Name).Order());
        var status = _fleet.Status();
        Assert.All(onB, name => Assert.Equal(VmPhase.Unknown, status.Vms.Single(v => v.Name == name).Phase));
        Assert.Equal(onB, _fleet.Agent("b").Vms);
    }

    [Fact]
    public async Task NewVm_WhileAnAgentIsCordoned_GoesToTheOther()
    {
        await ConnectAsync(await JoinAsync("a"));
        await ConnectAsync(await JoinAsync("b"));
        await _fleet.SetAgentCordonedAsync("b", true, CancellationToken.None);

        await _fleet.ApplyAsync(Fleet("v1", "v2", "v3", "v4", "v5", "v6"), CancellationToken.None);

        Assert.Equal(6, _fleet.DesiredFor("a").Vms.Count);
        Assert.Empty(_fleet.DesiredFor("b").Vms);
        var b = _fleet.Agent("b");
        Assert.True(b.Cordoned);
        await RestartAsync();
        Assert.True(_fleet.Agent("b").Cordoned);
    }

    [Fact]
    public async Task NewVm_WhileItsOnlyAgentIsOffline_WaitsForAnAgent()
    {
        await JoinAsync("a");

        await _fleet.ApplyAsync(Fleet("web"), CancellationToken.None);

        var vm = _fleet.Status().Vms.Single();
        Assert.Equal((VmPhase.Pending, null, "waiting for an agent"), (vm.Phase, vm.Agent, vm.Detail));
    }

    [Fact]
    public async Task Remove_OnlineOrWithVms_IsRefusedUnlessForced_AndRevokesTheCredential()
    {
        var credential = await JoinAsync("a");
        await ConnectAsync(credential);
        await _fleet.ApplyAsync(Fleet("web"), CancellationToken.None);

        var e = await Assert.ThrowsAsync<AgentRequestException>(() => _fleet.RemoveAgentAsync("a", force: false, CancellationToken.None));
        Assert.Equal(AgentRequestError.Conflict, e.Error);
        Assert.Contains("is online and has 1 VM(s) placed on it (web)", e.Message);

        var removed = await _fleet.RemoveAgentAsync("a", force: true, CancellationToken.None);

        Assert.Equal(["web"], removed.Vms);
        Assert.Null(_fleet.AuthenticateAgent(credential));
        Assert.Empty(_fleet.Agents());
        await RestartAsync();
        Assert.Null(_fleet.AuthenticateAgent(credential));
        Assert.Null(_fleet.Status().Vms.Single().Agent);
    }

    [Fact]
    public async Task Agent_UnknownName_IsNotFound()
    {
        var e = Assert.Throws<AgentRequestException>(() => _fleet.Agent("nope"));
        Assert.Equal(AgentRequestError.NotFound, e.Error);
        await Assert.ThrowsAsync<AgentRequestException>(() => _fleet.SetAgentCordonedAsync("nope", true, CancellationToken.None));
    }

    [Fact]
    public async Task OldConnectionEnds_AfterTheAgentReconnected_NewConnectionKeepsItsChannelAndStaysOnline()
    {
        // The old connection's cleanup can run after the agent came back on a new one (a reconnect that raced it):
        // it must not take the new connection's channel, which closed it before.
        var session = await PlayedAgent.ConnectAsync(_fleet, "a1");
        var old = session.Channel!;
        var reconnected = new AgentChannel(System.Net.WebSockets.WebSocket.CreateFromStream(Stream.Null,
            new System.Net.WebSockets.WebSocketCreationOptions { IsServer = true }));
        Assert.Same(old, _fleet.AttachAgentChannel(session, reconnected));

        await _fleet.AgentDisconnectedAsync(session, old);

        Assert.Same(reconnected, session.Channel);
        Assert.Equal(AgentState.Online, _fleet.Agent("a1").State);

        await _fleet.AgentDisconnectedAsync(session, reconnected);
        Assert.Null(session.Channel);
        Assert.Equal(AgentState.Offline, _fleet.Agent("a1").State);
    }
}
