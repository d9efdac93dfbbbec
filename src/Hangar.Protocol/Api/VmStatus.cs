using Hangar.Protocol.Agent;

namespace Hangar.Protocol.Api;

/// <summary>
/// One VM as the API reports it: desired settings from the current generation joined with what its agent observes.
/// Field names are stable: scripts read them through <c>--output json</c>.
/// </summary>
/// <param name="Removed">The VM is no longer in the fleet: its agent still reports it while stopping it (its desired
/// settings are then empty).</param>
/// <param name="DesiredRevision">The revision at which what is asked of this VM last changed (a new generation that
/// changed it, a start, stop or restart); the VM has converged once <paramref name="ObservedRevision"/> reaches it.
/// Revisions that changed nothing for a VM are not sent to its agent (since protocol version 3).</param>
/// <param name="Ssh">How to log into the guest over SSH (<c>hangar ssh</c>); null when the VM forwards no host port to
/// guest port 22.</param>
/// <param name="Interfaces">The VM's declared network interfaces; null for the default single user-mode NIC.</param>
/// <param name="VsockCid">The guest context id of its vsock device; null for none.</param>
/// <param name="Shares">The VM's virtiofs shares; null for none.</param>
/// <param name="Balloon">The VM's memory balloon; null for none.</param>
/// <param name="Confinement">How its running QEMU is confined (seccomp sandbox, its user); null while none runs or it is not known.</param>
/// <param name="Guest">What the guest agent in the running VM says: its OS, host name and IP addresses; null while none answers.</param>
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
    long ObservedRevision,
    IReadOnlyList<string>? ConsoleTail = null,
    string? HealthDetail = null,
    RestartCause? BackoffCause = null,
    bool Removed = false,
    long DesiredRevision = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    SshAccess? Ssh = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    ObservedGuest? Guest = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? HostKey = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    int? Vnc = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<VmInterfaceInfo>? Interfaces = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    long? VsockCid = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<VmShareInfo>? Shares = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    VmBalloonInfo? Balloon = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Confinement = null);

/// <summary>Body of <c>GET /api/v1/vms</c> and of each line of <c>GET /api/v1/watch</c>.</summary>
/// <param name="Revision">The last desired-state revision taken; each VM has converged when its ObservedRevision reaches its own DesiredRevision.</param>
/// <param name="Rollout">The current or last rollout of a generation through the health gate.</param>
/// <param name="Orphans">QEMUs that agents found running but no generation names.</param>
/// <param name="ControlPlane">The replica that answered and which one leads.</param>
public sealed record FleetStatus(long Generation, long Revision, bool Active, IReadOnlyList<VmStatus> Vms, IReadOnlyList<AgentStatus> Agents,
    RolloutInfo? Rollout = null, IReadOnlyList<OrphanInfo>? Orphans = null, ControlPlaneStatus? ControlPlane = null);

/// <summary>
/// A generation's way through the health gate. <paramref name="State"/> is <c>running</c> (waiting for
/// <paramref name="Waiting"/> to be healthy until <paramref name="Deadline"/>), <c>succeeded</c> or <c>failed</c>
/// (with <paramref name="Reason"/>), or <c>cancelled</c> (by <c>hangar down</c>). After an automatic rollback this is the
/// rollout of the rollback generation; the failed generation's reason is in <c>GET /api/v1/generations</c>.
/// <paramref name="Waiting"/> names at most <see cref="MaxWaitingListed"/> of the <paramref name="WaitingCount"/> VMs waited for.
/// </summary>
public sealed record RolloutInfo(long Generation, RolloutState State, string? Reason, DateTimeOffset? Deadline, IReadOnlyList<string> Waiting, int WaitingCount = 0)
{
    /// <summary>Most VM names <see cref="Waiting"/> lists, so that a status line does not grow with the fleet.</summary>
    public const int MaxWaitingListed = 20;
}

/// <summary>A QEMU an agent found running that no generation names; <paramref name="Action"/> is <c>stopped</c> or <c>kept</c>.</summary>
public sealed record OrphanInfo(string Agent, string Name, int Pid, OrphanAction Action);

/// <summary>An agent known to the control plane.</summary>
public sealed record AgentStatus(string Name, string HostName, bool Connected, string? Accelerator, DateTimeOffset? LastSeen);
