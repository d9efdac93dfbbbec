using System.Text.Json.Serialization;
namespace Hangar.Protocol.Agent;

/// <summary>
/// Agent → control plane: what changed in the agent's observed state since its last report on this connection (a full
/// <see cref="ObservedStateMessage"/> first, then deltas; reports on one connection arrive in order, so no base is needed).
/// A report with no change is not sent: a <see cref="HeartbeatMessage"/> says the agent is alive.
/// </summary>
/// <param name="Revision">The desired-state revision the agent has now (it changes with every desired state applied, even
/// one that changed none of the VMs listed here).</param>
/// <param name="Changed">VMs whose observed state changed, whole.</param>
/// <param name="Removed">VMs the agent no longer has (stopped and let go of after their removal).</param>
/// <param name="Orphans">The agent's orphans, whole, when they changed; null when unchanged.</param>
/// <param name="DiskGc">The report of a disk collection handled since the last report; null when none.</param>
/// <param name="More">The report continues in the next frame; the control plane applies each frame as it comes.</param>
public sealed record ObservedDeltaMessage(long Generation, long Revision, IReadOnlyList<ObservedVm> Changed, IReadOnlyList<string> Removed,
    IReadOnlyList<ObservedOrphan>? Orphans = null, DiskGcReport? DiskGc = null, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool More = false) : AgentMessage;
