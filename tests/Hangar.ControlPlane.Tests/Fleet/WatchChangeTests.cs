using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Api;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>Watch lines when agents come and go: they carry the agent list and that agent's VMs, not the whole fleet.</summary>
public sealed class WatchChangeTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwc-").FullName;
    private SqliteStateStore _store = null!;
    private SqliteAgentStore _agentStore = null!;
    private FleetService _fleet = null!;

    public async Task InitializeAsync()
    {
        var path = Path.Combine(_dir, "state.db");
        _store = await SqliteStateStore.OpenAsync(path, CancellationToken.None);
        _agentStore = await SqliteAgentStore.OpenAsync(path, CancellationToken.None);
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

    [Fact]
    public async Task AgentLeavesAndAnotherComes_LinesListTheAgentsAndOnlyTheLeaversVms()
    {
        var a = await PlayedAgent.ConnectAsync(_fleet, "a");
        await PlayedAgent.ConnectAsync(_fleet, "b");
        var text = "vms:\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"  vm{i}:\n    image: tiny\n    memory: 128MiB\n"));
        await _fleet.ApplyAsync(new ApplyRequest("fleet.yaml", text, null, null, false), CancellationToken.None);
        using var watch = _fleet.SubscribeChanges();
        Assert.True(_fleet.Changes(watch).Full);
        var onA = _fleet.Status().Vms.Where(v => v.Agent == "a").Select(v => v.Name).Order().ToArray();
        Assert.InRange(onA.Length, 1, 9);

        await _fleet.AgentDisconnectedAsync(a, a.Channel!);
        var left = _fleet.Changes(watch);
        await PlayedAgent.ConnectAsync(_fleet, "c");
        var came = _fleet.Changes(watch);

        Assert.False(left.Full);
        Assert.Equal(onA, left.Vms.Select(v => v.Name));
        Assert.Equal(["a", "b"], left.Agents!.Select(x => x.Name));
        Assert.False(came.Full);
        Assert.Empty(came.Vms); // c has no VMs: every VM keeps its agent
        Assert.Equal(["a", "b", "c"], came.Agents!.Select(x => x.Name));
        Assert.Null(_fleet.Changes(watch).Agents); // nothing since
    }
}
