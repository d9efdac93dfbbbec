using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Scheduling;
using Hangar.Spec;
using Hangar.State;
using Hangar.State.Replication;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Where each VM runs, remembered across control-plane restarts. Before any desired state is sent, the placement is
/// brought up to date (<see cref="Scheduler.Place"/>) and written to the store, so an agent is never sent a VM that
/// the store does not say is its own: after a restart, the first agent to reconnect gets its own VMs, not everyone's.
/// With replicas only the leader places and writes (the others take its placement from the store when told), so two
/// replicas never place one VM on two agents.
/// </summary>
internal sealed class PlacementBook(FleetState state, AgentRegistry agents, IAgentStore store)
{
    private readonly SemaphoreSlim _updates = new(1, 1);

    public async Task LoadAsync(CancellationToken ct)
    {
        var placements = await store.GetPlacementsAsync(ct);
        lock (state.Gate) state.Placement = placements;
    }

    /// <summary>Another replica (the leader) wrote the placement: takes it from the store, VMs that moved left to be stopped.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await _updates.WaitAsync(ct);
        try
        {
            var placements = await store.GetPlacementsAsync(ct);
            lock (state.Gate) Publish(placements);
        }
        finally
        {
            _updates.Release();
        }
    }

    /// <summary>What the scheduler would decide for <paramref name="spec"/> now, from the current placement and agents.</summary>
    public PlacementDecision Decide(FleetSpec spec)
    {
        lock (state.Gate) return Scheduler.Place(spec, state.Placement, Agents());
    }

    /// <summary>
    /// Where the scheduler would put <paramref name="vm"/> if it had no agent now (a drain's target): the same rules as
    /// any placement, so a cordoned agent, the one being drained included, takes nothing. Null and the scheduler's
    /// reason when no agent can take it.
    /// </summary>
    public (string? Agent, string? Reason) Relocate(string vm)
    {
        lock (state.Gate)
        {
            var without = new Dictionary<string, string>(state.Placement, StringComparer.Ordinal);
            without.Remove(vm);
            var decision = Scheduler.Place(state.Spec, without, Agents());
            return decision.Placement.TryGetValue(vm, out var agent) ? (agent, null) : (null, decision.Unplaced.GetValueOrDefault(vm)?.Reason ?? $"VM {vm} is not in the fleet");
        }
    }

    /// <summary>The agents as the scheduler sees them; the caller holds the gate.</summary>
    private SchedulerAgent[] Agents() =>
        agents.Snapshot().Select(a => new SchedulerAgent(a.Name, agents.IsOnline(a), a.Cordoned, a.Labels, a.Vcpus, a.MemoryBytes)).ToArray();

    /// <summary>Places VMs that have no agent (or whose agent was removed), forgets VMs that left the fleet, persists a
    /// change. True when the placement changed.</summary>
    public async Task<bool> UpdateAsync(CancellationToken ct)
    {
        if (!state.Replicas.IsLeader) return false; // the leader places; this replica reloads what it wrote
        await _updates.WaitAsync(ct);
        try
        {
            IReadOnlyDictionary<string, string> next;
            Dictionary<string, string> changed;
            List<string> removed;
            lock (state.Gate)
            {
                if (AllPlaced()) return false;
                next = Scheduler.Place(state.Spec, state.Placement, Agents()).Placement;
                (changed, removed) = Changes(state.Placement, next);
                if (changed.Count == 0 && removed.Count == 0) return false;
            }
            // Only the rows that changed: a push that places 10 new VMs in a fleet of 100,000 writes 10 rows.
            await store.UpdatePlacementsAsync(changed, removed, ct);
            lock (state.Gate) Publish(next);
        }
        finally
        {
            _updates.Release();
        }
        await state.Replicas.PublishAsync(StoreChangeKind.Placement, ct: ct);
        return true;
    }

    /// <summary>Puts <paramref name="vm"/> on <paramref name="agent"/> (a drain's move), persisted before it is published.</summary>
    public async Task MoveAsync(string vm, string agent, CancellationToken ct)
    {
        await _updates.WaitAsync(ct);
        try
        {
            Dictionary<string, string> next;
            lock (state.Gate) next = new Dictionary<string, string>(state.Placement, StringComparer.Ordinal) { [vm] = agent };
            await store.UpdatePlacementsAsync(new Dictionary<string, string>(StringComparer.Ordinal) { [vm] = agent }, [], ct);
            lock (state.Gate) Publish(next);
        }
        finally
        {
            _updates.Release();
        }
        await state.Replicas.PublishAsync(StoreChangeKind.Placement, ct: ct);
    }

    /// <summary>
    /// Whether every VM of the fleet is placed on a known agent that still admits it and nothing else is placed: then
    /// the scheduler would keep the placement as it is, and is not asked (a lookup per VM instead of building every
    /// agent's load on every push). Under the gate.
    /// </summary>
    private bool AllPlaced()
    {
        if (state.Placement.Count != state.Spec.Vms.Count) return false;
        var sessions = agents.Snapshot();
        // The answer depends on the spec, the placement (both replaced whole) and the agents' names and labels: the
        // same as last time (1,000 agents reconnecting) is answered without a pass over the fleet.
        var seen = new AllPlacedKey(state.Spec, state.Placement, sessions.Select(a => (a.Name, a.Labels)).ToArray());
        if (_allPlaced is { } last && last.Same(seen)) return true;
        var known = sessions.ToDictionary(a => a.Name, StringComparer.Ordinal);
        ChecksOfAllPlaced++;
        foreach (var vm in state.Spec.Vms)
            if (!state.Placement.TryGetValue(vm.Name, out var on) || !known.TryGetValue(on, out var agent) || !vm.Placement.Admits(on, agent.Labels))
                return false;
        _allPlaced = seen;
        return true;
    }

    private AllPlacedKey? _allPlaced;

    /// <summary>Passes over the fleet to see that all of it is placed (tests count them). Under the gate.</summary>
    internal int ChecksOfAllPlaced { get; private set; }

    /// <summary>What <see cref="AllPlaced"/> found true for: compared by reference (spec, placement, each agent's labels).</summary>
    private sealed record AllPlacedKey(FleetSpec Spec, IReadOnlyDictionary<string, string> Placement, (string Name, IReadOnlyDictionary<string, string> Labels)[] Agents)
    {
        public bool Same(AllPlacedKey other) =>
            ReferenceEquals(Spec, other.Spec) && ReferenceEquals(Placement, other.Placement) && Agents.Length == other.Agents.Length
            && Agents.Zip(other.Agents).All(p => p.First.Name == p.Second.Name && ReferenceEquals(p.First.Labels, p.Second.Labels));
    }

    /// <summary>What differs from <paramref name="before"/> to <paramref name="after"/>: VMs placed or moved, and VMs no longer placed.</summary>
    internal static (Dictionary<string, string> Changed, List<string> Removed) Changes(
        IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        var changed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (vm, agent) in after)
            if (before.GetValueOrDefault(vm) != agent) changed[vm] = agent;
        var removed = new List<string>();
        foreach (var vm in before.Keys)
            if (!after.ContainsKey(vm)) removed.Add(vm);
        return (changed, removed);
    }

    /// <summary>Publishes a new placement; a VM that changed agents is left to be stopped on the agent it leaves. Under the gate.</summary>
    private void Publish(IReadOnlyDictionary<string, string> next)
    {
        foreach (var (vm, agent) in next)
            if (state.Placement.TryGetValue(vm, out var before) && before != agent && agents.Find(before) is not null)
                state.Leaving[vm] = before;
        foreach (var vm in state.Leaving.Keys.ToArray())
            if (next.GetValueOrDefault(vm) == state.Leaving[vm] || agents.Find(state.Leaving[vm]) is null) state.Leaving.Remove(vm);
        state.Placement = next;
    }
}
