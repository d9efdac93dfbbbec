using System.Text.Json.Serialization;
using Hangar.Protocol.Agent.Wire;

namespace Hangar.Protocol.Agent;

/// <summary>
/// Control plane → agent, on every connection and when the agent asks (<see cref="ResyncMessage"/>): everything this agent should run as of <paramref name="Generation"/>. VMs the agent runs
/// that are not listed are stopped (and, when <paramref name="PurgeRemoved"/> is set, their disks deleted).
/// </summary>
/// <param name="Vms">The VMs, in the protocol's own records (<see cref="WireMapping"/> makes them from the fleet file's).</param>
/// <param name="Revision">Grows with every desired state the control plane sends (a generation, or an operator's
/// start/stop/restart). Agents report, per VM, the revision they have acted on, so a client can wait for convergence.</param>
/// <param name="KeepOrphans">Leave running a QEMU the agent finds that no desired VM names (the default stops it).</param>
/// <param name="DiskGc">A request of <c>hangar gc</c>: when it changes (and is not 0) the agent deletes every disk no
/// desired VM uses — old disks kept aside as <c>disk.genN.qcow2</c>, disks of VMs no longer in the fleet (unless their
/// QEMU still runs) — and reports it in <see cref="ObservedStateMessage.DiskGc"/>.</param>
/// <param name="More">The snapshot continues in the next frame (same revision, more VMs): the agent acts on it once the
/// frame without <c>more</c> has arrived (it is written only when true). Snapshots are split at <see cref="AgentProtocol.MaxVmsPerFrame"/> VMs.</param>
public sealed record DesiredStateMessage(long Generation, long Revision, IReadOnlyList<WireDesiredVm> Vms, bool PurgeRemoved, bool KeepOrphans = false,
    long DiskGc = 0, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool More = false) : AgentMessage;
