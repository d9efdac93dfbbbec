namespace Hangar.Protocol.Api;

/// <summary>
/// An agent as <c>GET /api/v1/agents</c> reports it: its state, what it joined with, what its host reported at its
/// last connect, and what the control plane placed on it.
/// </summary>
/// <param name="State">Online (connected and heard from within three heartbeats) or offline.</param>
/// <param name="Cordoned">Gets no new VMs (<c>hangar agent cordon</c>); the VMs it has stay.</param>
/// <param name="Vcpus">CPUs of its host (0 until it first connected).</param>
/// <param name="MemoryBytes">Memory of its host in bytes (0 until it first connected).</param>
/// <param name="AllocatedVcpus">Sum of the vCPUs of the VMs placed on it.</param>
/// <param name="AllocatedMemoryBytes">Sum of the memory of the VMs placed on it.</param>
/// <param name="Vms">The VMs placed on it, by name.</param>
/// <param name="LastHeartbeat">When anything last came from it.</param>
/// <param name="Drain">Its drain (<c>hangar agent drain</c>): the one under way, or the last one; null when it had none.</param>
public sealed record AgentInfo(
    string Name,
    AgentState State,
    bool Cordoned,
    IReadOnlyDictionary<string, string> Labels,
    string HostName,
    string? Accelerator,
    string Version,
    int Vcpus,
    long MemoryBytes,
    int AllocatedVcpus,
    long AllocatedMemoryBytes,
    IReadOnlyList<string> Vms,
    DateTimeOffset JoinedAt,
    DateTimeOffset? LastHeartbeat,
    AgentDrainInfo? Drain = null)
{
    /// <summary>Its age recipient (<c>age1…</c>): list it in a secrets recipients file for the VMs it runs to get their secrets.</summary>
    public string? Recipient { get; init; }
}

/// <summary>Whether an agent is reachable now (JSON: <c>online</c>, <c>offline</c>).</summary>
public enum AgentState
{
    /// <summary>Connected, and heard from within three heartbeat intervals.</summary>
    Online,
    /// <summary>Not connected, or silent for longer; its VMs show phase <c>unknown</c> and are not moved.</summary>
    Offline,
}

/// <summary>Body of <c>POST /api/v1/tokens</c>.</summary>
/// <param name="Ttl">How long the token can be used (default 1 hour).</param>
/// <param name="Uses">How many agents may join with it (default 1).</param>
/// <param name="Labels">Labels each agent that joins with it gets.</param>
public sealed record JoinTokenRequest(TimeSpan? Ttl = null, int? Uses = null, IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>Answer of <c>POST /api/v1/tokens</c>: the token, shown this once (the server keeps only its hash).</summary>
public sealed record JoinTokenResponse(string Token, string Id, DateTimeOffset ExpiresAt, int Uses, IReadOnlyDictionary<string, string> Labels);
