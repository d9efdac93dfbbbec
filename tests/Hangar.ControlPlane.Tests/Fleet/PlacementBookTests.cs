using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Api;
using Hangar.State;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>What the placement book writes to a real SQLite store: the rows that changed, never the whole fleet again.</summary>
public sealed class PlacementBookTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpb-").FullName;
    private SqliteStateStore _store = null!;
    private RecordingAgentStore _agentStore = null!;
    private FleetService _fleet = null!;

    public async Task InitializeAsync()
    {
        var path = Path.Combine(_dir, "state.db");
        _store = await SqliteStateStore.OpenAsync(path, CancellationToken.None);
        _agentStore = new RecordingAgentStore(await SqliteAgentStore.OpenAsync(path, CancellationToken.None));
        _fleet = new FleetService(_store, _agentStore, NullLogger<FleetService>.Instance);
        await _fleet.InitializeAsync(CancellationToken.None);
        await PlayedAgent.ConnectAsync(_fleet, "a");
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _store.DisposeAsync();
        await _agentStore.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static ApplyRequest Fleet(IEnumerable<int> vms) =>
        new("fleet.yaml", "vms:\n" + string.Concat(vms.Select(v => $"  vm{v}:\n    image: tiny\n    memory: 128MiB\n")), null, null, false);

    [Fact]
    public async Task Apply_AddingAndRemovingVms_WritesOnlyThoseRows()
    {
        await _fleet.ApplyAsync(Fleet(Enumerable.Range(0, 20)), CancellationToken.None);
        Assert.Equal((20, 0), _agentStore.Writes[^1]);

        await _fleet.ApplyAsync(Fleet(Enumerable.Range(1, 20)), CancellationToken.None); // vm0 leaves, vm20 comes

        Assert.Equal((1, 1), _agentStore.Writes[^1]);
        Assert.Equal(0, _agentStore.Replacements);
        var stored = await _agentStore.GetPlacementsAsync(CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 20).Select(v => $"vm{v}").Order(), stored.Keys.Order());
        Assert.All(stored.Values, agent => Assert.Equal("a", agent));
    }

    [Fact]
    public async Task Apply_ChangingVmsThatKeepTheirAgent_WritesNothing()
    {
        await _fleet.ApplyAsync(Fleet(Enumerable.Range(0, 20)), CancellationToken.None);
        var writes = _agentStore.Writes.Count;

        var changed = Fleet(Enumerable.Range(0, 20)) with { Text = Fleet(Enumerable.Range(0, 20)).Text.Replace("128MiB", "192MiB") };
        await _fleet.ApplyAsync(changed, CancellationToken.None);

        Assert.Equal(writes, _agentStore.Writes.Count);
    }

    [Fact]
    public async Task Reconnect_SameHello_WritesNoAgentRowUntilTheAgentLeaves()
    {
        var credential = await _fleet.IssueAgentCredentialAsync("b", CancellationToken.None);
        var session = (await _fleet.AuthenticateAgentAsync(credential, CancellationToken.None))!;
        await PlayedAgent.ConnectAsync(_fleet, "b", session); // its first hello: host, resources
        var first = _agentStore.AgentRowsSaved;

        await _fleet.AgentDisconnectedAsync(session, session.Channel!); // its last heartbeat
        await PlayedAgent.ConnectAsync(_fleet, "b", session); // the same hello again
        await _fleet.AgentDisconnectedAsync(session, session.Channel!);

        Assert.Equal(first + 2, _agentStore.AgentRowsSaved);
        var row = (await _agentStore.ListAgentsAsync(CancellationToken.None)).Single(a => a.Name == "b");
        Assert.Equal(("host-b", 4), (row.HostName, row.Vcpus));
    }

    /// <summary>Notes how many rows each placement write carried (set, removed).</summary>
    private sealed class RecordingAgentStore(IAgentStore inner) : IAgentStore
    {
        public List<(int Set, int Removed)> Writes { get; } = [];
        public int Replacements { get; private set; }

        public Task<IReadOnlyDictionary<string, string>> GetDrainsAsync(CancellationToken ct) => inner.GetDrainsAsync(ct);
        public Task SaveDrainAsync(string agent, string? drain, CancellationToken ct) => inner.SaveDrainAsync(agent, drain, ct);
        public Task UpdatePlacementsAsync(IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> removed, CancellationToken ct)
        {
            lock (Writes) Writes.Add((set.Count, removed.Count));
            return inner.UpdatePlacementsAsync(set, removed, ct);
        }

        public Task ReplacePlacementsAsync(IReadOnlyDictionary<string, string> placements, CancellationToken ct)
        {
            Replacements++;
            lock (Writes) Writes.Add((placements.Count, 0));
            return inner.ReplacePlacementsAsync(placements, ct);
        }

        public Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken ct) => inner.ListAgentsAsync(ct);
        public Task<bool> AddAgentAsync(AgentRecord record, CancellationToken ct) => inner.AddAgentAsync(record, ct);
        public int AgentRowsSaved { get; private set; }
        public Task SaveAgentAsync(AgentRecord record, CancellationToken ct)
        {
            AgentRowsSaved++;
            return inner.SaveAgentAsync(record, ct);
        }
        public Task<bool> RemoveAgentAsync(string name, CancellationToken ct) => inner.RemoveAgentAsync(name, ct);
        public Task AddJoinTokenAsync(JoinTokenRecord record, CancellationToken ct) => inner.AddJoinTokenAsync(record, ct);
        public Task<JoinTokenRecord?> GetJoinTokenAsync(string id, CancellationToken ct) => inner.GetJoinTokenAsync(id, ct);
        public Task<bool> TryUseJoinTokenAsync(string id, int usedBefore, CancellationToken ct) => inner.TryUseJoinTokenAsync(id, usedBefore, ct);
        public Task<IReadOnlyDictionary<string, string>> GetPlacementsAsync(CancellationToken ct) => inner.GetPlacementsAsync(ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
