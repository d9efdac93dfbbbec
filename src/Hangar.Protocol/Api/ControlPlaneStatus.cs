namespace Hangar.Protocol.Api;

/// <summary>
/// The control plane that answered, among the replicas of its store (<c>hangar status</c>, <c>GET /api/v1/vms</c>).
/// </summary>
/// <param name="Replica">Its replica id (<c>hangar server --replica-id</c>, else host and process id).</param>
/// <param name="Leader">Whether it leads: runs rollouts, health gates and placement.</param>
/// <param name="LeaderReplica">The replica that leads, as this one last saw; null while none does.</param>
/// <param name="Replicated">Whether other replicas may share its store (PostgreSQL); false on SQLite, where it always leads.</param>
public sealed record ControlPlaneStatus(string Replica, bool Leader, string? LeaderReplica, bool Replicated);
