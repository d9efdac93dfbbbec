using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// The fleet as <c>hangar status</c> shows it: every VM of the current generation with what its agent observes,
/// VMs still reported after they left the fleet, the agents, the rollout and orphans. Built under the fleet's gate,
/// so one status is one consistent picture. One VM's status (<see cref="Vm"/>) costs that VM: its agent is found
/// through placement, its report and desired revision by name.
/// </summary>
internal sealed class FleetStatusView(FleetState state, AgentRegistry agents)
{
    public FleetStatus Status()
    {
        lock (state.Gate)
        {
            var (vms, agentStatus, orphans) = Whole();
            return new FleetStatus(state.CurrentGeneration, state.Revision, state.FleetAdmin.Active, vms, agentStatus, state.Rollout, orphans,
                new ControlPlaneStatus(state.Replicas.Id, state.Replicas.IsLeader, state.Replicas.Leader, state.Replicas.IsShared));
        }
    }

    /// <summary>What changed for the holder of <paramref name="subscription"/> since its last call, as one watch line.</summary>
    public FleetStatusChange Changes(ChangeSubscription subscription)
    {
        var (all, names) = subscription.Take();
        var agentsChanged = subscription.TakeAgents();
        lock (state.Gate)
        {
            if (all)
            {
                var (vms, agentStatus, orphans) = Whole();
                return new FleetStatusChange(state.CurrentGeneration, state.Revision, state.FleetAdmin.Active, true, vms, [], agentStatus, state.Rollout, orphans);
            }
            var changed = new List<VmStatus>(names.Count);
            var gone = new List<string>();
            foreach (var name in names.Order(StringComparer.Ordinal))
            {
                if (Vm(name) is { } vm) changed.Add(vm);
                else gone.Add(name);
            }
            var sessions = agents.Snapshot();
            return new FleetStatusChange(state.CurrentGeneration, state.Revision, state.FleetAdmin.Active, false, changed, gone,
                agentsChanged ? AgentStatuses(sessions) : null, state.Rollout, Orphans(sessions));
        }
    }

    /// <summary>VM <paramref name="name"/>'s status (also a VM that left the fleet while its agent still reports it); null when there is none.</summary>
    public VmStatus? Vm(string name)
    {
        lock (state.Gate)
        {
            if (state.Spec.FindVm(name) is { } vm) return Of(vm);
            foreach (var agent in agents.Snapshot())
                if (agent.Observed.Find(name) is { } seen) return Removed(agent.Name, seen);
            return null;
        }
    }

    private (VmStatus[] Vms, AgentStatus[] Agents, OrphanInfo[] Orphans) Whole()
    {
        var spec = state.Spec;
        var sessions = agents.Snapshot();
        var vms = new List<VmStatus>(spec.Vms.Count);
        foreach (var vm in spec.Vms) vms.Add(Of(vm));
        // VMs an agent still reports but the spec no longer has (being stopped after removal).
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var agent in sessions)
            foreach (var (name, seen) in agent.Observed.Vms)
                if (spec.FindVm(name) is null && listed.Add(name)) vms.Add(Removed(agent.Name, seen));
        return (vms.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray(), AgentStatuses(sessions), Orphans(sessions));
    }

    private AgentStatus[] AgentStatuses(AgentSession[] sessions) => sessions.OrderBy(a => a.Name, StringComparer.Ordinal)
        .Select(a => new AgentStatus(a.Name, a.HostName, agents.IsOnline(a), a.Accelerator, a.LastSeen)).ToArray();

    private static OrphanInfo[] Orphans(AgentSession[] sessions) =>
        sessions.SelectMany(a => a.Observed.Orphans.Select(o => new OrphanInfo(a.Name, o.Name, o.Pid, o.Action))).ToArray();

    private VmStatus Removed(string agentName, ObservedVm vm) =>
        new(vm.Name, "", 0, "", false, agentName, vm.Phase, vm.Detail ?? "removed from the fleet", vm.Health,
            vm.Accelerator, vm.Pid, vm.Forwards, vm.LastError, vm.Restarts, vm.StartedAt, vm.Generation, vm.Revision, Removed: true);

    /// <summary>Under the gate: one VM of the spec, joined with what its agent reports.</summary>
    private VmStatus Of(VmSpec vm)
    {
        var agent = state.Placement.GetValueOrDefault(vm.Name);
        var host = agent is null ? null : agents.Find(agent);
        // An agent that reports to another replica: what that replica asks of the VM, as it shared it.
        var desiredRevision = host is { Connected: false } && host.SharedDesired.TryGetValue(vm.Name, out var shared) ? shared
            : host?.Desired.RevisionOf(vm.Name) ?? 0;
        var forwards = vm.Forwards.Select(f => f.ToString()).ToArray();
        if (host is not null && !agents.IsOnline(host))
        {
            // Its agent is offline: whatever it last said may no longer be true, and the VM is not moved.
            return new VmStatus(vm.Name, vm.Image, vm.Vcpu, vm.Memory.ToString(), state.ShouldRun(vm), agent, VmPhase.Unknown,
                $"agent {agent} is offline" + (host.LastSeen is { } lastHeard ? $" (last heard {lastHeard:u})" : ""), HealthState.Unknown,
                null, null, forwards, null, 0, null, state.CurrentGeneration, -1, DesiredRevision: desiredRevision);
        }
        var seen = host?.Observed.Find(vm.Name);
        // Not listed by an agent that has everything it was sent: the VM is not on that host (purged, or never started there).
        var agentRevision = host is { Observed.Reported: true } ? host.Observed.Revision : -1;
        var absent = seen is null && host is not null && host.Desired.Revision >= 0 && agentRevision >= host.Desired.Revision;
        return new VmStatus(vm.Name, vm.Image, vm.Vcpu, vm.Memory.ToString(), state.ShouldRun(vm), agent,
            seen?.Phase ?? (absent ? VmPhase.Stopped : VmPhase.Pending),
            seen?.Detail ?? (agent is null ? "waiting for an agent" : absent ? "not on its agent" : null),
            seen?.Health ?? HealthState.Unknown, seen?.Accelerator, seen?.Pid,
            forwards, seen?.LastError, seen?.Restarts ?? 0,
            seen?.StartedAt, seen?.Generation ?? state.CurrentGeneration, seen?.Revision ?? agentRevision, seen?.ConsoleTail,
            seen?.HealthDetail, seen?.BackoffCause, DesiredRevision: desiredRevision, Ssh: SshOf(vm), Guest: seen?.Guest,
            HostKey: vm.Identity is { IsPending: false } identity ? identity.PublicKey : null, Vnc: vm.VncPort,
            Interfaces: InterfacesOf(vm), VsockCid: vm.VsockCid,
            Shares: vm.Shares?.Select(s => new VmShareInfo(s.Tag, s.Source, s.ReadOnly, s.MountPoint)).ToArray(),
            Balloon: vm.Balloon ? new VmBalloonInfo(seen?.BalloonBytes) : null, Confinement: seen?.Confinement);
    }

    private static IReadOnlyList<VmInterfaceInfo>? InterfacesOf(VmSpec vm) =>
        vm.Interfaces?.Select((nic, index) => nic.Type == InterfaceType.User
            ? new VmInterfaceInfo("user", nic.Mac)
            : new VmInterfaceInfo("bridge", nic.Mac, nic.Bridge, NetworkInterfaceSpec.TapName(vm.Name, index), nic.Address)).ToArray();

    /// <summary>The VM's SSH forward (its automatic one, else its own forward to guest port 22) and first guest user.</summary>
    private static SshAccess? SshOf(VmSpec vm)
    {
        var port = vm.SshPort ?? vm.Forwards.FirstOrDefault(f => f.Protocol == PortProtocol.Tcp && f.GuestPort == SpecDefaults.SshGuestPort)?.HostPort;
        return port is { } p ? new SshAccess(p, vm.Guest?.Users.FirstOrDefault()?.Name, vm.SshPort is not null) : null;
    }

    /// <summary>What the agent VM <paramref name="name"/> is placed on reports of it, else what any agent reports of it.</summary>
    public ObservedVm? FindObserved(string name)
    {
        lock (state.Gate)
        {
            if (state.Placement.GetValueOrDefault(name) is { } placed && agents.Find(placed)?.Observed.Find(name) is { } seen) return seen;
            return agents.Snapshot().Select(a => a.Observed.Find(name)).FirstOrDefault(v => v is not null);
        }
    }

    /// <summary>
    /// The agent that reports VM <paramref name="name"/>: a connected one before one that is not, and one that runs it
    /// before one still stopping it after a move. Null when no agent reports it.
    /// </summary>
    public AgentSession? FindAgentOf(string name)
    {
        lock (state.Gate)
            return agents.Snapshot()
                .Select(a => (Agent: a, Vm: a.Observed.Find(name)))
                .Where(x => x.Vm is not null)
                .OrderByDescending(x => x.Agent.Connected)
                .ThenByDescending(x => x.Vm!.Phase == VmPhase.Running)
                .Select(x => x.Agent)
                .FirstOrDefault();
    }

    public bool HasVm(string name)
    {
        lock (state.Gate) return state.Spec.FindVm(name) is not null;
    }

    /// <summary>Completes at the next change of anything <see cref="Status"/> shows.</summary>
    public Task WhenChangedAsync(CancellationToken ct) => state.WhenChangedAsync(ct);
}
