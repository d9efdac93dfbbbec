using Hangar.ControlPlane.Fleet;
using Hangar.State;
using Hangar.State.Replication;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

/// <summary>
/// Decides which replica leads, with the store's leader lock (<see cref="ILeaderLock"/>: a PostgreSQL session advisory
/// lock). Once a second a follower tries the lock (and reads who holds it), and the leader checks that the session that
/// holds it still answers; the live replicas are read at the same time.
/// <code>
///  follower ──lock taken──► leader ──its session does not answer (or the database is unreachable)──► follower
///     ▲ └── lock held by another: note who                       └─ stops at once: gates end without a verdict
///     └──────────────────────────────────────────────────────────────────────────────────────────────┘
/// </code>
/// A replica killed with SIGKILL loses the lock when PostgreSQL sees its socket close, so another one leads within
/// about a second of that.
/// </summary>
internal sealed partial class LeaderElection(ReplicaLink link, ILeaderLock leaderLock, FleetState state, EventJournal journal,
    Func<CancellationToken, Task> onLead, Action onLost, ILogger logger) : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private Task _task = Task.CompletedTask;

    public void Start() => _task = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await StepAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database is unreachable (StateStoreException), or taking over failed: stop leading, try again.
                if (link.IsLeader) await StopLeadingAsync(e.InnerException?.Message ?? e.Message);
                Log.ElectionFailed(logger, e.InnerException?.Message ?? e.Message);
            }
            try { await Task.Delay(Interval, ct); }
            catch (OperationCanceledException) { break; }
        }
        if (link.IsLeader) link.SetLeading(false, null);
        await leaderLock.ReleaseAsync();
    }

    private async Task StepAsync(CancellationToken ct)
    {
        if (link.IsLeader)
        {
            if (!await leaderLock.StillHeldAsync(ct)) await StopLeadingAsync("its database session holding the leader lock does not answer");
        }
        else if (await leaderLock.TryAcquireAsync(ct))
        {
            link.SetLeading(true, link.Id);
            Log.Leading(logger, link.Id);
            journal.Record("leader", null, $"Replica {link.Id} leads the control planes");
            state.NotifyChanged();
            await onLead(ct);
        }
        else
        {
            var holder = await leaderLock.HolderAsync(ct);
            if (holder != link.Leader)
            {
                link.SetLeading(false, holder);
                Log.Following(logger, link.Id, holder ?? "none");
                state.NotifyChanged();
            }
        }
        var live = await leaderLock.LiveReplicasAsync(ct);
        lock (state.Gate) link.SetLive(live);
    }

    private async Task StopLeadingAsync(string why)
    {
        link.SetLeading(false, null);
        onLost();
        await leaderLock.ReleaseAsync();
        Log.Lost(logger, link.Id, why);
        journal.Record("leader", null, $"Replica {link.Id} stopped leading: {why}");
        state.NotifyChanged();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try { await _task; }
        catch (OperationCanceledException) { }
        await leaderLock.DisposeAsync();
        _stopping.Dispose();
    }
}
