using Hangar.ControlPlane.Agents;
using Hangar.State;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Where each VM runs, remembered across control-plane restarts. Before any desired state is sent, the placement is
/// brought up to date (<see cref="Scheduler.Place(Hangar.Spec.FleetSpec, IReadOnlyDictionary{string, string}, IReadOnlySet{string}, IReadOnlyCollection{string})"/>)
/// and written to the store, so an agent is never sent a VM that the store does not say is its own: after a restart,
/// the first agent to reconnect gets its own VMs, not everyone's.
/// </summary>
internal sealed class PlacementBook(FleetState state, AgentRegistry agents, IAgentStore store)
{
    private readonly SemaphoreSlim _updates = new(1, 1);

    public async Task LoadAsync(CancellationToken ct)
    {
        var placements = await store.GetPlacementsAsync(ct);
        lock (state.Gate) state.Placement = placements;
    }

    /// <summary>Places VMs that have no agent (or whose agent was removed), forgets VMs that left the fleet, persists a change.</summary>
    public async Task UpdateAsync(CancellationToken ct)
    {
        await _updates.WaitAsync(ct);
        try
        {
            IReadOnlyDictionary<string, string> next;
            lock (state.Gate)
            {
                var sessions = agents.Snapshot();
                var known = sessions.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
                var eligible = sessions.Where(a => !a.Cordoned && agents.IsOnline(a)).Select(a => a.Name).ToArray();
                next = Scheduler.Place(state.Spec, state.Placement, known, eligible);
                if (next.Count == state.Placement.Count && next.All(p => state.Placement.GetValueOrDefault(p.Key) == p.Value)) return;
            }
            await store.ReplacePlacementsAsync(next, ct);
            lock (state.Gate) state.Placement = next;
        }
        finally
        {
            _updates.Release();
        }
    }
}
