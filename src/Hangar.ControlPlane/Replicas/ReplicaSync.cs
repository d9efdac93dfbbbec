using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.State;
using Hangar.State.Replication;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

/// <summary>
/// Keeps this replica's cache of the fleet (<see cref="FleetState"/>) current with what the other replicas write: each
/// notice of the change feed names the part that changed, which is read again from the store (the notice carries no
/// data), then the agents connected here are sent what changed for them. After the feed (re)connects everything is read
/// again, since notices sent meanwhile are lost.
/// </summary>
/// <remarks>
/// <code>
///  replica A: write the store ──NOTIFY hangar_changes 'generation A'──► replica B: ReplicaSync ──reload──► FleetState ──► B's agents
/// </code>
/// </remarks>
internal sealed partial class ReplicaSync(FleetState state, IChangeFeed feed, GenerationLedger ledger, OperatorActions operators,
    PlacementBook placements, AgentRegistry agents, DesiredStateDelivery delivery, ObservedSharing observed, EventFeed events, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _task = Task.CompletedTask;

    public void Start()
    {
        feed.Lost += why => Log.FeedLost(logger, why);
        _task = Task.Run(() => feed.ListenAsync(OnChangeAsync, _stopping.Token));
    }

    /// <summary>Acts on one notice; public for the tests that feed notices by hand.</summary>
    public async Task OnChangeAsync(StoreChange change, CancellationToken ct)
    {
        try
        {
            switch (change.Kind)
            {
                case StoreChangeKind.Reset:
                    await agents.ReloadAsync(ct);
                    await placements.ReloadAsync(ct);
                    await operators.ReloadAsync(ct);
                    await ledger.ReloadAsync(ct);
                    await observed.ReadAllAsync(ct);
                    events.Signal();
                    break;
                case StoreChangeKind.Events:
                    events.Signal(); // the followers of the events read the store after the last event they sent
                    return;
                case StoreChangeKind.Observed when change.Subject is { } reporting:
                    await observed.ReadAsync(reporting, ct);
                    return; // it marked what changed
                case StoreChangeKind.Generation:
                    await ledger.ReloadAsync(ct);
                    break;
                case StoreChangeKind.OperatorState:
                    await operators.ReloadAsync(ct);
                    break;
                case StoreChangeKind.Placement:
                    await placements.ReloadAsync(ct);
                    await delivery.PushAsync(ct);
                    break;
                case StoreChangeKind.Agents:
                    await agents.ReloadAsync(ct);
                    break;
                case StoreChangeKind.AgentOnline or StoreChangeKind.AgentOffline when change.Subject is { } agent:
                    lock (state.Gate) state.Replicas.SetRemoteAgent(agent, change.Replica, change.Kind == StoreChangeKind.AgentOnline);
                    // The leader may now place VMs that waited for an agent.
                    if (state.Replicas.IsLeader) await delivery.PushAsync(ct);
                    break;
            }
            state.MarkAllChanged();
            state.NotifyChanged();
        }
        catch (StateStoreException e)
        {
            // The store is unreachable: the feed's session likely is lost too, and its reconnection reloads everything.
            Log.ReloadFailed(logger, change.Kind, e.InnerException?.Message ?? e.Message);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try { await _task; }
        catch (OperationCanceledException) { }
        await feed.DisposeAsync();
        _stopping.Dispose();
    }
}
