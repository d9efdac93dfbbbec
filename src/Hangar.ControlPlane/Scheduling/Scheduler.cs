using Hangar.Spec;

namespace Hangar.ControlPlane.Scheduling;

/// <summary>
/// Decides which agent runs each VM, as a pure function of the fleet, the previous placement and the agents.
/// <list type="number">
/// <item>A VM keeps its agent for as long as that agent is known (online or not: its disk is there, and a VM must
/// never run on two hosts) and still admits it (<c>placement.host</c> and <c>placement.labels</c>); a VM whose
/// placement no longer admits its agent moves.</item>
/// <item>Every other VM — host-pinned ones first, then those with label selectors, then the rest; larger memory
/// first, then by name — goes to the least allocated agent that is online, not cordoned, admits it, has its memory
/// free and none of its host ports in use, counting what is already placed there. Least allocated is the mean of the
/// memory and vCPU fractions in use (vCPUs are time-shared, as libvirt and Incus allow, so they spread VMs but do
/// not refuse one); ties go to the agent whose name sorts first.</item>
/// <item>A VM no agent can take gets a reason, per agent, the way Nomad reports placement failures.</item>
/// </list>
/// </summary>
public static class Scheduler
{
    public static PlacementDecision Place(FleetSpec spec, IReadOnlyDictionary<string, string> previous, IReadOnlyCollection<SchedulerAgent> agents)
    {
        var loads = agents.Select(a => new AgentLoad(a)).ToDictionary(l => l.Agent.Name, StringComparer.Ordinal);
        var placement = new Dictionary<string, string>(StringComparer.Ordinal);
        var fresh = new List<VmSpec>();
        foreach (var vm in spec.Vms)
        {
            if (previous.TryGetValue(vm.Name, out var name) && loads.TryGetValue(name, out var load) && vm.Placement.Admits(name, load.Agent.Labels))
            {
                placement[vm.Name] = name;
                load.Add(vm);
            }
            else fresh.Add(vm);
        }
        var unplaced = new Dictionary<string, Unplaceable>(StringComparer.Ordinal);
        if (fresh.Count == 0) return new PlacementDecision(placement, unplaced);

        // Least allocated first: a sorted set re-sorted as each VM lands, so a large fleet costs log(agents) per VM
        // when the least allocated agent fits, which it does unless a selector or a port says otherwise.
        var order = new SortedSet<AgentLoad>(loads.Values.Where(l => l.Agent.Eligible), AgentLoad.LeastAllocatedFirst);
        var anyEligible = order.Count > 0;
        foreach (var vm in fresh.OrderBy(v => v.Placement.Host is null).ThenBy(v => v.Placement.Labels.Count == 0)
                     .ThenByDescending(v => v.Memory.Bytes).ThenBy(v => v.Name, StringComparer.Ordinal))
        {
            AgentLoad? chosen = null;
            if (vm.Placement.Host is { } host)
            {
                if (loads.TryGetValue(host, out var pinned) && pinned.Refusal(vm) is null) chosen = pinned;
            }
            else
            {
                foreach (var candidate in order)
                    if (candidate.Refusal(vm) is null) { chosen = candidate; break; }
            }
            if (chosen is null)
            {
                var reason = Explain(vm, loads, anyEligible);
                if (previous.TryGetValue(vm.Name, out var stay) && loads.TryGetValue(stay, out var staying))
                {
                    // Its placement no longer admits its agent and no other agent takes it: it stays (a running VM is
                    // not stopped for want of a better place), and a plan says why it cannot move.
                    placement[vm.Name] = stay;
                    order.Remove(staying);
                    staying.Add(vm);
                    if (staying.Agent.Eligible) order.Add(staying);
                    reason = reason with { Reason = $"cannot move from {stay}, whose placement no longer admits it: {reason.Reason}", Waits = false };
                }
                unplaced[vm.Name] = reason;
                continue;
            }
            order.Remove(chosen);
            chosen.Add(vm);
            if (chosen.Agent.Eligible) order.Add(chosen);
            placement[vm.Name] = chosen.Agent.Name;
        }
        // Reasons in fleet order, so a plan lists them as the file does.
        var ordered = spec.Vms.Where(v => unplaced.ContainsKey(v.Name)).ToDictionary(v => v.Name, v => unplaced[v.Name], StringComparer.Ordinal);
        return new PlacementDecision(placement, ordered);
    }

    /// <summary>
    /// Why no agent takes <paramref name="vm"/>: for a pinned VM, what is wrong with its host; otherwise the furthest
    /// check any agent reached (an agent that is online and admits the VM but lacks memory says more than one that is
    /// offline), with each agent's own refusal.
    /// </summary>
    private static Unplaceable Explain(VmSpec vm, IReadOnlyDictionary<string, AgentLoad> loads, bool anyEligible)
    {
        if (vm.Placement.Host is { } host)
        {
            if (!loads.TryGetValue(host, out var pinned)) return new($"host {host} is not known (see hangar agent list)", false);
            var refusal = pinned.Refusal(vm)!;
            return new($"host {host} {refusal.Text}", refusal.Stage == RefusalStage.Offline && !anyEligible);
        }
        if (loads.Count == 0) return new("no agent has joined yet", true);
        var refusals = loads.Values.OrderBy(l => l.Agent.Name, StringComparer.Ordinal).Select(l => (l.Agent.Name, Refusal: l.Refusal(vm)!)).ToArray();
        var furthest = refusals.Max(r => r.Refusal.Stage);
        var headline = furthest switch
        {
            RefusalStage.Offline or RefusalStage.Cordoned => "no agent is online and uncordoned",
            RefusalStage.Labels => $"no agent with label{(vm.Placement.Labels.Count == 1 ? "" : "s")} {string.Join(",", vm.Placement.Labels)}",
            RefusalStage.Memory => $"no agent with {vm.Memory} memory free",
            _ => $"no agent with host port{(vm.Forwards.Count == 1 ? "" : "s")} {string.Join(", ", vm.Forwards.Select(f => $"{f.HostPort}/{Protocol(f.Protocol)}"))} free",
        };
        // "Waits" only when the whole cluster is down, not when a selector or a resource is the cause.
        return new($"{headline} ({string.Join(", ", refusals.Select(r => $"{r.Name}: {r.Refusal.Short}"))})", !anyEligible && furthest <= RefusalStage.Cordoned);
    }

    internal static string Protocol(PortProtocol protocol) => protocol == PortProtocol.Tcp ? "tcp" : "udp";
}
