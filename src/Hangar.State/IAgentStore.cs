namespace Hangar.State;

/// <summary>
/// Durable rows about agents: who has joined (and with which credential, stored as a hash), the join tokens that
/// let them, and where each VM was placed. A separate interface from <see cref="IStateStore"/> so that an engine can
/// add it on its own; both have it (<see cref="Sqlite.SqliteAgentStore"/>, <see cref="Postgres.PostgresAgentStore"/>,
/// opened by <see cref="StateStores.OpenAgentStoreAsync"/>). It stores; the control plane decides.
/// </summary>
public interface IAgentStore : IAsyncDisposable
{
    /// <summary>Every agent that has joined and was not removed, by name.</summary>
    Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken ct);

    /// <summary>Inserts a new agent; false (and nothing written) when one of that name exists.</summary>
    Task<bool> AddAgentAsync(AgentRecord record, CancellationToken ct);

    /// <summary>Writes an agent's row, inserting it when missing.</summary>
    Task SaveAgentAsync(AgentRecord record, CancellationToken ct);

    /// <summary>Deletes an agent (and so its credential); false when there was none.</summary>
    Task<bool> RemoveAgentAsync(string name, CancellationToken ct);

    Task AddJoinTokenAsync(JoinTokenRecord record, CancellationToken ct);

    Task<JoinTokenRecord?> GetJoinTokenAsync(string id, CancellationToken ct);

    /// <summary>
    /// Counts one use of token <paramref name="id"/> if it still has <paramref name="usedBefore"/> uses (compare and
    /// swap, so two agents racing for the last use cannot both get it). False when another use came first.
    /// </summary>
    Task<bool> TryUseJoinTokenAsync(string id, int usedBefore, CancellationToken ct);

    /// <summary>The agent each VM was placed on, by VM name.</summary>
    Task<IReadOnlyDictionary<string, string>> GetPlacementsAsync(CancellationToken ct);

    /// <summary>Replaces every placement in one transaction.</summary>
    Task ReplacePlacementsAsync(IReadOnlyDictionary<string, string> placements, CancellationToken ct);

    /// <summary>
    /// Changes only the placements named, in one transaction: each VM of <paramref name="set"/> is put on its agent
    /// (inserted or updated), each VM of <paramref name="removed"/> forgotten; every other row stays as it is. So a
    /// change costs the VMs it touches, not the fleet (a 100,000-VM fleet is 100,000 rows).
    /// </summary>
    Task UpdatePlacementsAsync(IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> removed, CancellationToken ct);

    /// <summary>The last drain of each agent that had one (<c>hangar agent drain</c>), as the control plane wrote it (opaque JSON), by agent name.</summary>
    Task<IReadOnlyDictionary<string, string>> GetDrainsAsync(CancellationToken ct);

    /// <summary>Writes the drain of <paramref name="agent"/> (replacing the one before); null deletes it.</summary>
    Task SaveDrainAsync(string agent, string? drain, CancellationToken ct);
}

/// <summary>An agent that joined the control plane.</summary>
/// <param name="CredentialHash">SHA-256 (hex) of the agent's credential; the credential itself is never stored.</param>
/// <param name="Vcpus">CPUs its host reported at its last connect (0 before the first).</param>
/// <param name="MemoryBytes">Memory its host reported at its last connect (0 before the first).</param>
/// <param name="LastHeartbeat">When it was last heard from, as written at connect and disconnect.</param>
/// <param name="Cordoned">Gets no new VMs (<c>hangar agent cordon</c>).</param>
public sealed record AgentRecord(
    string Name,
    string CredentialHash,
    IReadOnlyDictionary<string, string> Labels,
    int Vcpus,
    long MemoryBytes,
    string Version,
    string HostName,
    string? Accelerator,
    DateTimeOffset JoinedAt,
    DateTimeOffset? LastHeartbeat,
    bool Cordoned)
{
    /// <summary>The agent's age recipient (<c>age1…</c>, its own key, sent in hello): secrets for its VMs are
    /// encrypted to it. Null before its first hello with one.</summary>
    public string? Recipient { get; init; }
}

/// <summary>A join token, by its public id; the secret part is kept only as a hash.</summary>
/// <param name="Uses">How many agents may join with it.</param>
/// <param name="Used">How many have.</param>
/// <param name="Labels">Labels every agent that joins with it gets.</param>
public sealed record JoinTokenRecord(
    string Id,
    string SecretHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int Uses,
    int Used,
    IReadOnlyDictionary<string, string> Labels);
