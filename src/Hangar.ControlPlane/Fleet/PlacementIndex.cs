using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// The current generation's VMs by the agent they are placed on, and those placed on none, in the fleet's order: what
/// an agent connecting or leaving touches (its snapshot, the VMs whose status changes), so that 1,000 agents
/// reconnecting cost their own VMs and not 1,000 passes over 100,000. Built again, once, when the spec or the
/// placement is replaced (both are replaced whole, never changed in place). Under <see cref="FleetState.Gate"/>.
/// </summary>
internal sealed class PlacementIndex(FleetState state)
{
    private FleetSpec? _spec;
    private IReadOnlyDictionary<string, string>? _placement;
    private Dictionary<string, List<VmSpec>> _byAgent = new(StringComparer.Ordinal);
    private List<VmSpec> _unplaced = [];

    /// <summary>How many times the index was built (tests count them: once per spec or placement, not per connect).</summary>
    public int Builds { get; private set; }

    /// <summary>The VMs placed on <paramref name="agent"/>, in the fleet's order.</summary>
    public IReadOnlyList<VmSpec> On(string agent)
    {
        Refresh();
        return _byAgent.TryGetValue(agent, out var vms) ? vms : [];
    }

    /// <summary>The VMs placed on no agent (waiting for one), in the fleet's order.</summary>
    public IReadOnlyList<VmSpec> Unplaced
    {
        get
        {
            Refresh();
            return _unplaced;
        }
    }

    private void Refresh()
    {
        if (ReferenceEquals(_spec, state.Spec) && ReferenceEquals(_placement, state.Placement)) return;
        var byAgent = new Dictionary<string, List<VmSpec>>(StringComparer.Ordinal);
        var unplaced = new List<VmSpec>();
        foreach (var vm in state.Spec.Vms)
        {
            if (state.Placement.GetValueOrDefault(vm.Name) is { } agent)
                (byAgent.TryGetValue(agent, out var list) ? list : byAgent[agent] = []).Add(vm);
            else unplaced.Add(vm);
        }
        (_spec, _placement, _byAgent, _unplaced) = (state.Spec, state.Placement, byAgent, unplaced);
        Builds++;
    }
}
