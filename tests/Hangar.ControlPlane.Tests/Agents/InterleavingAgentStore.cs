using Hangar.State;

namespace Hangar.ControlPlane.Tests.Agents;

/// <summary>
/// An <see cref="IAgentStore"/> that lets other callers run between reading a join token and counting its use, as a
/// database reached over a network does (the SQLite store answers so fast that concurrent redeems rarely overlap).
/// </summary>
internal sealed class InterleavingAgentStore(IAgentStore inner) : IAgentStore
{
    public async Task<JoinTokenRecord?> GetJoinTokenAsync(string id, CancellationToken ct)
    {
        var record = await inner.GetJoinTokenAsync(id, ct);
        await Task.Yield();
        return record;
    }

    public Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken ct) => inner.ListAgentsAsync(ct);
    public Task<bool> AddAgentAsync(AgentRecord record, CancellationToken ct) => inner.AddAgentAsync(record, ct);
    public Task SaveAgentAsync(AgentRecord record, CancellationToken ct) => inner.SaveAgentAsync(record, ct);
    public Task<bool> RemoveAgentAsync(string name, CancellationToken ct) => inner.RemoveAgentAsync(name, ct);
    public Task AddJoinTokenAsync(JoinTokenRecord record, CancellationToken ct) => inner.AddJoinTokenAsync(record, ct);
    public Task<bool> TryUseJoinTokenAsync(string id, int usedBefore, CancellationToken ct) => inner.TryUseJoinTokenAsync(id, usedBefore, ct);
    public Task<IReadOnlyDictionary<string, string>> GetPlacementsAsync(CancellationToken ct) => inner.GetPlacementsAsync(ct);
    public Task ReplacePlacementsAsync(IReadOnlyDictionary<string, string> placements, CancellationToken ct) => inner.ReplacePlacementsAsync(placements, ct);
    public Task UpdatePlacementsAsync(IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> removed, CancellationToken ct) =>
        inner.UpdatePlacementsAsync(set, removed, ct);
    public Task<IReadOnlyDictionary<string, string>> GetDrainsAsync(CancellationToken ct) => inner.GetDrainsAsync(ct);
    public Task SaveDrainAsync(string agent, string? drain, CancellationToken ct) => inner.SaveDrainAsync(agent, drain, ct);
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
