namespace Hangar.Protocol.Api;

/// <summary>
/// Every line of <c>GET /api/v1/watch</c> after the first (which is a whole <see cref="FleetStatus"/>): the VMs whose
/// status changed since the previous line, whole, so that a line costs the VMs that changed, not the fleet.
/// </summary>
/// <param name="Full">The line lists every VM (after a new generation, or an agent that came or went): a client
/// replaces what it holds. Otherwise it updates the VMs listed and drops those in <paramref name="Gone"/>.</param>
/// <param name="Vms">The VMs that changed (all of them when <paramref name="Full"/>).</param>
/// <param name="Gone">VMs no longer in the status at all (removed from the fleet and let go of by their agent).</param>
/// <param name="Agents">The agents, on a full line only (null otherwise: unchanged).</param>
/// <param name="Orphans">The orphans now (a short list, sent whole).</param>
public sealed record FleetStatusChange(long Generation, long Revision, bool Active, bool Full, IReadOnlyList<VmStatus> Vms, IReadOnlyList<string> Gone,
    IReadOnlyList<AgentStatus>? Agents = null, RolloutInfo? Rollout = null, IReadOnlyList<OrphanInfo>? Orphans = null);
