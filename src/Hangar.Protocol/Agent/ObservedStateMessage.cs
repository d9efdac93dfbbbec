using System.Text.Json.Serialization;
namespace Hangar.Protocol.Agent;

/// <summary>
/// Agent → control plane, first after every connect (then <see cref="ObservedDeltaMessage"/>s): everything the agent runs, as of the desired state it last received (<paramref name="Revision"/>).
/// A VM the agent does not list is not on that agent: not created, or stopped and let go of after it was removed.
/// </summary>
/// <param name="DiskGc">What the agent deleted for the last disk collection request it handled, if any.</param>
/// <param name="More">The report continues in the next frame (split at <see cref="AgentProtocol.MaxVmsPerFrame"/> VMs);
/// VMs not listed in any frame of it are not on the agent.</param>
public sealed record ObservedStateMessage(long Generation, long Revision, IReadOnlyList<ObservedVm> Vms, IReadOnlyList<ObservedOrphan>? Orphans = null,
    DiskGcReport? DiskGc = null, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool More = false) : AgentMessage;

/// <summary>A QEMU the agent found running in its runtime directory that its desired state does not name.</summary>
/// <param name="Action">Stopping or stopped (the fleet's orphan policy is <c>stop</c>), or kept.</param>
public sealed record ObservedOrphan(string Name, int Pid, OrphanAction Action);

/// <summary>What an agent sees of one VM.</summary>
/// <param name="Phase">Where the VM is in its lifecycle.</param>
/// <param name="Detail">A short human line about the current phase ("assembling image tiny", "restart in 4s").</param>
/// <param name="Accelerator">"kvm" or "tcg", as QEMU was started.</param>
/// <param name="ImageDigest">The sha256 of the image the running QEMU booted, as this host resolved it.</param>
/// <param name="ConsoleTail">The last lines of the serial console, while the VM is unhealthy, failed or exited.</param>
/// <param name="Revision">The desired-state revision this VM has been brought to (see <see cref="DesiredStateMessage.Revision"/>).</param>
/// <param name="Restarts">How many times the agent restarted the VM after it exited on its own or became unhealthy.</param>
/// <param name="HealthDetail">What the health check last saw, in words ("the guest refused a connection to port 80").</param>
/// <param name="BackoffCause">Why the VM waits to be restarted, while it is in <see cref="VmPhase.Backoff"/> (or stopping for it).</param>
/// <param name="Adopted">The running QEMU was found running by this agent (after an agent restart), not started by it.</param>
/// <param name="Guest">What the guest agent in the running VM reports (OS, host name, addresses); null while none answers. Since version 5.</param>
/// <param name="BalloonBytes">The guest's memory as its balloon leaves it (<c>balloon</c> on the wire), for a running VM with a balloon; null otherwise. Since version 8.</param>
/// <param name="Confinement">How the running QEMU is confined, in words ("seccomp sandbox, uid 1879048192 gid 1879048192"); null for none known (a QEMU an older agent started). Since version 9.</param>
public sealed record ObservedVm(
    string Name,
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
    long Revision,
    IReadOnlyList<string>? ConsoleTail = null,
    string? ImageDigest = null,
    string? HealthDetail = null,
    RestartCause? BackoffCause = null,
    bool Adopted = false,
    ObservedGuest? Guest = null,
    [property: JsonPropertyName("balloon"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? BalloonBytes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Confinement = null);

/// <summary>Why the agent restarts a VM that it did not stop itself.</summary>
public enum RestartCause
{
    /// <summary>QEMU exited: the guest powered off or QEMU died.</summary>
    Exited,
    /// <summary>Its health check failed and the check says <c>restart: true</c>.</summary>
    Unhealthy,
}
