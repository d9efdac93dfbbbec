using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// The fleet as <c>hangar status</c> shows it: every VM of the current generation with what its agent observes,
/// VMs still reported after they left the fleet, the agents, the rollout and orphans. Built under the fleet's gate,
/// so one status is one consistent picture.
/// </summary>
internal sealed class FleetStatusView(FleetState state, AgentRegistry agents)
{
    public FleetStatus Status()
    {
        lock (state.Gate)
        {
            var spec = state.Spec;
            var sessions = agents.Snapshot();
            var byName = sessions.ToDictionary(a => a.Name, StringComparer.Ordinal);
            var placement = state.Placement;
            var observed = sessions.Where(a => a.Observed is not null)
                .SelectMany(a => a.Observed!.Vms.Select(v => (Agent: a.Name, Vm: v)))
                .GroupBy(x => x.Vm.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var vms = new List<VmStatus>();
            foreach (var vm in spec.Vms)
            {
                var agent = placement.GetValueOrDefault(vm.Name);
                if (agent is not null && byName.GetValueOrDefault(agent) is { } host && !agents.IsOnline(host))
                {
                    // Its agent is offline: whatever it last said may no longer be true, and the VM is not moved.
                    vms.Add(new VmStatus(vm.Name, vm.Image, vm.Vcpu, vm.Memory.ToString(), state.ShouldRun(vm), agent, VmPhase.Unknown,
                        $"agent {agent} is offline" + (host.LastSeen is { } lastHeard ? $" (last heard {lastHeard:u})" : ""), HealthState.Unknown,
                        null, null, vm.Forwards.Select(f => f.ToString()).ToArray(), null, 0, null, state.CurrentGeneration, -1));
                    continue;
                }
                observed.TryGetValue(vm.Name, out var o);
                var seen = o.Vm is not null && o.Agent == agent ? o.Vm : null;
                // Not listed by an agent that has acted on this revision: the VM is not on that host (purged).
                var agentRevision = agent is not null && byName.GetValueOrDefault(agent)?.Observed is { } report ? report.Revision : -1;
                var absent = seen is null && agentRevision == state.Revision;
                vms.Add(new VmStatus(vm.Name, vm.Image, vm.Vcpu, vm.Memory.ToString(), state.ShouldRun(vm), agent,
                    seen?.Phase ?? (absent ? VmPhase.Stopped : VmPhase.Pending),
                    seen?.Detail ?? (agent is null ? "waiting for an agent" : absent ? "not on its agent" : null),
                    seen?.Health ?? HealthState.Unknown, seen?.Accelerator, seen?.Pid,
                    vm.Forwards.Select(f => f.ToString()).ToArray(), seen?.LastError, seen?.Restarts ?? 0,
                    seen?.StartedAt, seen?.Generation ?? state.CurrentGeneration, seen?.Revision ?? agentRevision, seen?.ConsoleTail,
                    seen?.HealthDetail, seen?.BackoffCause));
            }
            // VMs an agent still reports but the spec no longer has (being stopped after removal).
            foreach (var (name, (agentName, vm)) in observed)
            {
                if (spec.FindVm(name) is not null) continue;
                vms.Add(new VmStatus(name, "", 0, "", false, agentName, vm.Phase, vm.Detail ?? "removed from the fleet", vm.Health,
                    vm.Accelerator, vm.Pid, vm.Forwards, vm.LastError, vm.Restarts, vm.StartedAt, vm.Generation, vm.Revision, Removed: true));
            }
            var agentStatus = sessions.OrderBy(a => a.Name, StringComparer.Ordinal)
                .Select(a => new AgentStatus(a.Name, a.HostName, agents.IsOnline(a), a.Accelerator, a.LastSeen)).ToArray();
            var orphans = sessions.SelectMany(a => (a.Observed?.Orphans ?? []).Select(o => new OrphanInfo(a.Name, o.Name, o.Pid, o.Action))).ToArray();
            return new FleetStatus(state.CurrentGeneration, state.Revision, state.FleetAdmin.Active,
                vms.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray(), agentStatus, state.Rollout, orphans);
        }
    }

    /// <summary>Where a VM's serial console and log are on its agent's host, from what the agent reports.</summary>
    public ObservedVm? FindObserved(string name)
    {
        lock (state.Gate)
            return agents.Snapshot().SelectMany(a => a.Observed?.Vms ?? []).FirstOrDefault(v => v.Name == name);
    }

    /// <summary>
    /// The agent that reports VM <paramref name="name"/>: a connected one before one that is not, and one that runs it
    /// before one still stopping it after a move. Null when no agent reports it.
    /// </summary>
    public AgentSession? FindAgentOf(string name)
    {
        lock (state.Gate)
            return agents.Snapshot()
                .Select(a => (Agent: a, Vm: a.Observed?.Vms.FirstOrDefault(v => v.Name == name)))
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
