using Hangar.Protocol.Agent;

namespace Hangar.Protocol.Api;

/// <summary>
/// One VM as the API reports it: desired settings from the current generation joined with what its agent observes.
/// Field names are stable: scripts read them through <c>--output json</c>.
/// </summary>
public sealed record VmStatus(
    string Name,
    string Image,
    int Vcpu,
    string Memory,
    bool DesiredRunning,
    string? Agent,
    VmPhase Phase,
    string? Detail,
    HealthState Health,
    string? Accelerator,
    int? Pid,
    IReadOnlyList<string> Forwards,
    string? LastError,
    int Restarts,
    DateTimeOffset? StartedAt,
    long Generation,
    long ObservedRevision);

/// <summary>Body of <c>GET /api/v1/vms</c> and of each line of <c>GET /api/v1/watch</c>.</summary>
/// <param name="Revision">The current desired-state revision; a VM whose ObservedRevision equals it has converged.</param>
public sealed record FleetStatus(long Generation, long Revision, bool Active, IReadOnlyList<VmStatus> Vms, IReadOnlyList<AgentStatus> Agents);

/// <summary>An agent known to the control plane.</summary>
public sealed record AgentStatus(string Name, string HostName, bool Connected, string? Accelerator, DateTimeOffset? LastSeen);
