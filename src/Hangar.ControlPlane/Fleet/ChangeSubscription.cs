namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// The VMs whose status changed since its holder last looked (a watch stream, the rollout gate), so that a change to
/// one VM costs its holder one VM, not the fleet. Filled under the fleet's gate by the parts that change a VM
/// (<see cref="FleetState.MarkChanged(string)"/>); a change of the whole fleet (a new spec, an agent gone) sets
/// <see cref="All"/> instead of listing every VM.
/// </summary>
internal sealed class ChangeSubscription(FleetState state) : IDisposable
{
    private HashSet<string> _vms = new(StringComparer.Ordinal);
    private bool _all = true; // the first look sees everything
    private bool _agents;

    internal void Add(string name)
    {
        if (!_all) _vms.Add(name);
    }

    internal void AddAll()
    {
        _all = true;
        _vms.Clear();
    }

    /// <summary>An agent came or went: the next look lists the agents (without marking every VM).</summary>
    internal void AddAgents() => _agents = true;

    /// <summary>Whether the agents changed since the last call. Takes the gate.</summary>
    public bool TakeAgents()
    {
        lock (state.Gate)
        {
            var taken = _agents;
            _agents = false;
            return taken;
        }
    }

    /// <summary>What changed since the last call: everything, or these VMs. Takes the gate.</summary>
    public (bool All, IReadOnlyCollection<string> Vms) Take()
    {
        lock (state.Gate)
        {
            var taken = (_all, (IReadOnlyCollection<string>)_vms);
            _all = false;
            _vms = new HashSet<string>(StringComparer.Ordinal);
            return taken;
        }
    }

    public void Dispose() => state.Unsubscribe(this);
}
