using System.Text.Json.Serialization;
using Hangar.Protocol.Agent.Wire;

namespace Hangar.Protocol.Agent;

/// <summary>
/// Control plane → agent: what changed in this agent's desired state since revision <paramref name="BaseRevision"/>,
/// the last revision this agent was sent (a full <see cref="DesiredStateMessage"/> or a delta). An agent whose desired
/// state is not at <paramref name="BaseRevision"/> (a delta was lost, or arrived out of order) applies nothing and
/// answers <see cref="ResyncMessage"/>; the control plane then sends a full snapshot. Like a Kubernetes watch with
/// resourceVersion: the base is what the receiver must have, the revision is what it has after applying.
/// </summary>
/// <param name="Changed">VMs added or changed, whole (never a field-level patch).</param>
/// <param name="Removed">Names of VMs no longer desired on this agent.</param>
/// <param name="More">This delta continues in the next frame (same base and revision): the agent applies it once the
/// frame with <c>more: false</c> has arrived, so a delta of many VMs never needs one large frame.</param>
public sealed record DesiredDeltaMessage(long Generation, long BaseRevision, long Revision, IReadOnlyList<WireDesiredVm> Changed, IReadOnlyList<string> Removed,
    bool PurgeRemoved, bool KeepOrphans = false, long DiskGc = 0, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool More = false) : AgentMessage;
