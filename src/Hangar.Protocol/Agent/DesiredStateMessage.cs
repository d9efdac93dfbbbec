using Hangar.Spec;

namespace Hangar.Protocol.Agent;

/// <summary>
/// Control plane → agent: everything this agent should run as of <paramref name="Generation"/>. VMs the agent runs
/// that are not listed are stopped (and, when <paramref name="PurgeRemoved"/> is set, their disks deleted).
/// </summary>
/// <param name="Revision">Grows with every desired state the control plane sends (a generation, or an operator's
/// start/stop/restart). Agents report, per VM, the revision they have acted on, so a client can wait for convergence.</param>
/// <param name="KeepOrphans">Leave running a QEMU the agent finds that no desired VM names (the default stops it).</param>
/// <param name="DiskGc">A request of <c>hangar gc</c>: when it changes (and is not 0) the agent deletes every disk no
/// desired VM uses — old disks kept aside as <c>disk.genN.qcow2</c>, disks of VMs no longer in the fleet (unless their
/// QEMU still runs) — and reports it in <see cref="ObservedStateMessage.DiskGc"/>.</param>
public sealed record DesiredStateMessage(long Generation, long Revision, IReadOnlyList<DesiredVm> Vms, bool PurgeRemoved, bool KeepOrphans = false,
    long DiskGc = 0) : AgentMessage;

/// <summary>One VM an agent should have.</summary>
/// <param name="Spec">The VM as the fleet file declares it.</param>
/// <param name="Image">The file image it boots, when its image is not built in.</param>
/// <param name="Running">Whether it should run now (false after <c>hangar vm stop</c> or <c>hangar down</c>).</param>
/// <param name="RestartNonce">Changes whenever the user asks for a restart; the agent restarts the VM once per change.</param>
public sealed record DesiredVm(VmSpec Spec, ImageSpec? Image, bool Running, long RestartNonce);
