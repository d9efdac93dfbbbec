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

    /// <summary>The agents as the scheduler sees them; the caller holds the gate.</summary>
    private SchedulerAgent[] Agents() =>
        agents.Snapshot().Select(a => new SchedulerAgent(a.Name, agents.IsOnline(a), a.Cordoned, a.Labels, a.Vcpus, a.MemoryBytes)).ToArray();

    /// <summary>Places VMs that have no agent (or whose agent was removed), forgets VMs that left the fleet, persists a change.</summary>
    public async Task UpdateAsync(CancellationToken ct)
    {
        if (!state.Replicas.IsLeader) return; // the leader places; this replica reloads what it wrote
        await _updates.WaitAsync(ct);
        try
        {
            IReadOnlyDictionary<string, string> next;
            lock (state.Gate)
            {
                next = Scheduler.Place(state.Spec, state.Placement, Agents()).Placement;
                if (next.Count == state.Placement.Count && next.All(p => state.Placement.GetValueOrDefault(p.Key) == p.Value)) return;
            }
            await store.ReplacePlacementsAsync(next, ct);
            lock (state.Gate) Publish(next);
        }
        finally
        {
            _updates.Release();
        }
        await state.Replicas.PublishAsync(StoreChangeKind.Placement, ct: ct);
    }

    /// <summary>Puts <paramref name="vm"/> on <paramref name="agent"/> (a drain's move), persisted before it is published.</summary>
    public async Task MoveAsync(string vm, string agent, CancellationToken ct)
    {
        await _updates.WaitAsync(ct);
        try
        {
            Dictionary<string, string> next;
            lock (state.Gate) next = new Dictionary<string, string>(state.Placement, StringComparer.Ordinal) { [vm] = agent };
            await store.ReplacePlacementsAsync(next, ct);
            lock (state.Gate) Publish(next);
        }
        finally
        {
            _updates.Release();
        }
        await state.Replicas.PublishAsync(StoreChangeKind.Placement, ct: ct);
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
