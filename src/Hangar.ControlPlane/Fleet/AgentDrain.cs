using System.Text.Json;
using Hangar.ControlPlane.Agents;
using Hangar.Protocol;
using Hangar.Protocol.Api;
using Hangar.State;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Drains agents (<c>hangar agent drain NAME</c>): cordons the agent (persisted), then moves each VM on it whose
/// <c>placement.movable</c> is true to the agent the scheduler picks, one VM at a time, through the health gate.
/// A VM's disk is local to its host and is not copied, so a VM never runs on two hosts: it is stopped on the drained
/// agent first (its disk stays there), then placed on the new one, which starts it afresh from its image, and waited
/// for until it is running and healthy there (<see cref="RolloutGate"/>'s notion), within the drain's timeout per VM:
/// <see cref="VmHandover"/> does that part.
/// <code>
///  stopping (held stopped on FROM) ──stopped──► starting (placed on TO) ──running, healthy──► moved ──► next VM
///     │ not stopped in time: runs on FROM again                │ unhealthy, failed, or not healthy in time
///     ▼                                                        ▼
///   failed ── drain stops (failed)                  returning (stopped on TO, placed on FROM, its own disk)
///                                                              ├─healthy on FROM─► movedBack ── drain stops (failed)
///                                                              └─not healthy─────► failed ───── drain stops (failed)
/// </code>
/// A VM no other agent can take stays, with the scheduler's reason; a VM that should not run moves without a wait.
/// Uncordoning or removing the agent ends its drain (a VM held stopped runs where it was again). Each drain's report
/// is persisted at every step (<see cref="IAgentStore.SaveDrainAsync"/>); the drain itself runs in the control plane
/// that started it. After a restart a drain found under way is marked <see cref="AgentDrainState.Interrupted"/>: the
/// agent is still cordoned, every VM is where its persisted placement says (the hold is not persisted, so a VM held
/// stopped runs on the drained agent again), and running the drain again moves what is left.
/// </summary>
internal sealed partial class AgentDrain(FleetState state, AgentRegistry agents, PlacementBook placements, DesiredStateDelivery delivery,
    FleetStatusView view, AgentOperations operations, EventJournal journal, IAgentStore store, ILogger logger) : IAsyncDisposable
{
    /// <summary>How long each VM may take to stop on the drained agent and become healthy on its new one, unless asked otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);

    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal); // under the gate
    private readonly CancellationTokenSource _stopping = new();

    private TimeProvider Time => agents.Time;

    /// <summary>One drain: its report (under the gate), its cancellation, its task and its handover of one VM at a time.</summary>
    private sealed class Run(string agent, AgentDrainInfo info, CancellationToken stopping, VmHandover handover)
    {
        public string Agent { get; } = agent;
        public AgentDrainInfo Info { get; set; } = info;
        public CancellationTokenSource Cts { get; } = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        public Task Task { get; set; } = Task.CompletedTask;
        public string? CancelledBecause { get; set; }
        public VmHandover Handover { get; } = handover;
    }

    private Run NewRun(string agent, AgentDrainInfo info) =>
        new(agent, info, _stopping.Token, new VmHandover(state, agents, placements, delivery, view, journal, _stopping.Token));

    /// <summary>
    /// Loads each agent's last drain; one that was under way when the control plane stopped is marked interrupted
    /// (and says so in an event). Call once, after the agents are loaded. With replicas a drain under way belongs to
    /// the leader, which may still be running it: only a replica that becomes the leader marks it (<see cref="LeadAsync"/>).
    /// </summary>
    public Task LoadAsync(CancellationToken ct) => ReloadAsync(markInterrupted: !state.Replicas.IsShared, ct);

    /// <summary>This replica became the leader: the drains as the store has them now, and one the old leader left under
    /// way marked interrupted (nobody runs it any more).</summary>
    public Task LeadAsync(CancellationToken ct) => ReloadAsync(markInterrupted: true, ct);

    private async Task ReloadAsync(bool markInterrupted, CancellationToken ct)
    {
        foreach (var (agent, json) in await store.GetDrainsAsync(ct))
        {
            AgentDrainInfo? info;
            try { info = JsonSerializer.Deserialize(json, HangarJson.Info<AgentDrainInfo>()); }
            catch (JsonException e)
            {
                Log.DrainUnreadable(logger, agent, e);
                continue;
            }
            if (info is null) continue;
            if (agents.Find(agent) is null)
            {
                await store.SaveDrainAsync(agent, null, ct);
                continue;
            }
            Run run;
            lock (state.Gate)
            {
                if (_runs.TryGetValue(agent, out var mine) && !mine.Task.IsCompleted) continue; // running here
                run = NewRun(agent, info);
                _runs[agent] = run;
            }
            if (!markInterrupted || info.State != AgentDrainState.Draining) continue;
            run.Info = info with
            {
                State = AgentDrainState.Interrupted, EndedAt = Time.GetUtcNow(),
                Reason = Interrupted(agent),
            };
            await SaveAsync(run);
            journal.Record("agent.drain", null, run.Info.Summary(agent), agent);
        }
    }

    /// <summary>This replica stopped leading: its drains end (the next leader marks them interrupted).</summary>
    public void CancelAll(string because)
    {
        string[] names;
        lock (state.Gate) names = _runs.Keys.ToArray();
        foreach (var agent in names) Cancel(agent, because);
    }

    /// <summary>The drain of <paramref name="agent"/>, under way or the last one; null when it had none.</summary>
    public AgentDrainInfo? Of(string agent)
    {
        lock (state.Gate) return _runs.GetValueOrDefault(agent)?.Info;
    }

    /// <summary>
    /// Cordons <paramref name="name"/> and starts draining it in the background; the drain under way when there is
    /// one. Refused (409) for an offline agent: its VMs could not be stopped there, so none could move.
    /// </summary>
    public async Task<AgentDrainInfo> StartAsync(string name, TimeSpan? timeout, CancellationToken ct)
    {
        var limit = timeout ?? DefaultTimeout;
        if (limit < TimeSpan.FromSeconds(1) || limit > MaxTimeout)
            throw new AgentRequestException(AgentRequestError.Invalid, $"timeout: {limit} is out of range; give a duration from 1s to 24h (default {DefaultTimeout.TotalMinutes:0}m).");
        var session = agents.Find(name) ?? throw AgentRegistry.NotFound(name);
        // Like rollout gates, drains run on the leader alone: two replicas moving one agent's VMs would move them twice
        // (and a follower's copy of a drain under way is only what it read at start).
        if (!state.Replicas.IsLeader)
            throw new AgentRequestException(AgentRequestError.Conflict,
                $"This control plane ({state.Replicas.Id}) does not lead; drains run on the leader ({state.Replicas.Leader ?? "none elected yet"}). Send the drain to it (hangar --server).");
        if (Running(name) is { } running) return running;
        if (!agents.IsOnline(session))
            throw new AgentRequestException(AgentRequestError.Conflict,
                $"Agent {name} is offline: its VMs cannot be stopped there, so none can be moved (their disks are on that host). " +
                "Bring it back first, or remove it with --force to place its VMs elsewhere without their disks.");
        if (!session.Cordoned) await operations.SetCordonedAsync(name, true, ct);
        Run run;
        IReadOnlyList<string> movable;
        lock (state.Gate)
        {
            if (Running(name) is { } raced) return raced;
            var (canMove, stay) = VmsOn(name);
            movable = canMove;
            run = NewRun(name, new AgentDrainInfo(AgentDrainState.Draining, Time.GetUtcNow(), null, limit, [], stay, new Dictionary<string, string>()));
            _runs[name] = run;
        }
        await SaveAsync(run);
        lock (state.Gate) run.Task = Task.Run(() => RunAsync(run));
        journal.Record("agent.drain", null, $"Drain of {name} started: {Count(movable.Count)} to move one at a time" +
            (movable.Count > 0 ? $" ({string.Join(", ", movable)})" : "") + (run.Info.NotMovable.Count > 0 ? $"; staying, not movable: {string.Join(", ", run.Info.NotMovable)}" : ""), name);
        state.NotifyChanged();
        return run.Info;
    }

    /// <summary>Forgets the drain of a removed agent (a drain under way was cancelled, and deletes its own record as it ends).</summary>
    public async Task ForgetAsync(string agent, CancellationToken ct)
    {
        lock (state.Gate)
        {
            if (_runs.GetValueOrDefault(agent) is { Info.State: AgentDrainState.Draining }) return;
            _runs.Remove(agent);
        }
        await store.SaveDrainAsync(agent, null, ct);
    }

    /// <summary>Ends the drain of <paramref name="agent"/> if one is under way (uncordon, remove); a VM it holds stopped runs where it is again.</summary>
    public void Cancel(string agent, string because)
    {
        lock (state.Gate)
        {
            if (!_runs.TryGetValue(agent, out var run) || run.Info.State != AgentDrainState.Draining) return;
            run.CancelledBecause = because;
            run.Cts.Cancel();
        }
    }

    private AgentDrainInfo? Running(string agent)
    {
        lock (state.Gate) return _runs.GetValueOrDefault(agent)?.Info is { State: AgentDrainState.Draining } info ? info : null;
    }

    /// <summary>The VMs placed on <paramref name="agent"/>, in the fleet's order: movable ones, and the others. Under the gate.</summary>
    private (IReadOnlyList<string> Movable, IReadOnlyList<string> Stay) VmsOn(string agent)
    {
        var movable = new List<string>();
        var stay = new List<string>();
        foreach (var vm in state.Spec.Vms)
            if (state.Placement.GetValueOrDefault(vm.Name) == agent) (vm.Placement.Movable ? movable : stay).Add(vm.Name);
        return (movable, stay);
    }

    private async Task RunAsync(Run run)
    {
        var ct = run.Cts.Token;
        string? failure = null;
        try
        {
            var taken = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                string? next;
                lock (state.Gate) next = VmsOn(run.Agent).Movable.FirstOrDefault(vm => !taken.Contains(vm));
                if (next is null) break;
                taken.Add(next);
                if (await MoveAsync(run, next, ct) is { } failed) { failure = failed; break; }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await run.Handover.ReleaseAsync();
        }
        catch (Exception e)
        {
            Log.DrainFailed(logger, run.Agent, e);
            failure = $"the drain stopped on an error: {e.Message}";
            await run.Handover.ReleaseAsync();
        }
        await FinishAsync(run, failure);
    }

    /// <summary>Moves <paramref name="vm"/> off the drained agent; null when the drain goes on, else why it stops.</summary>
    private async Task<string?> MoveAsync(Run run, string vm, CancellationToken ct)
    {
        var from = run.Agent;
        var (to, unplaceable) = placements.Relocate(vm);
        if (to is null)
        {
            await Update(run, info => info with { Unplaceable = new Dictionary<string, string>(info.Unplaceable, StringComparer.Ordinal) { [vm] = unplaceable! } });
            journal.Record("agent.drain", vm, $"Stays on {from}: {unplaceable}", from);
            return null;
        }
        await SetMove(run, new DrainMove(vm, from, to, DrainMoveState.Stopping));
        journal.Record("agent.drain", vm, $"Moving from {from} to {to}: stopping it on {from} (its disk stays there)", from);
        var failure = await run.Handover.MoveAsync(vm, from, to, run.Info.Timeout,
            () => SetMove(run, new DrainMove(vm, from, to, DrainMoveState.Starting)), ct);
        if (failure is null)
        {
            await SetMove(run, new DrainMove(vm, from, to, DrainMoveState.Moved));
            journal.Record("agent.drain", vm, $"Moved from {from} to {to}", from);
            return null;
        }
        if (failure.Stopping)
        {
            await SetMove(run, new DrainMove(vm, from, to, DrainMoveState.Failed, failure.Reason));
            journal.Record("agent.drain", vm, $"Not moved, it stays on {from}: {failure.Reason}", from);
            return $"VM {vm} was not moved: {failure.Reason}";
        }
        // It left its disk on the drained agent and did not come up on the new one: it goes back to its own disk.
        await SetMove(run, new DrainMove(vm, from, to, DrainMoveState.Returning, failure.Reason));
        journal.Record("agent.drain", vm, $"Not healthy on {to}: {failure.Reason}; moving it back to {from}, where its disk is", from);
        var back = await run.Handover.MoveAsync(vm, to, from, run.Info.Timeout, () => Task.CompletedTask, ct);
        var reason = back is null ? failure.Reason : $"{failure.Reason}; moving it back to {from} failed too: {back.Reason}";
        await SetMove(run, new DrainMove(vm, from, to, back is null ? DrainMoveState.MovedBack : DrainMoveState.Failed, reason));
        journal.Record("agent.drain", vm, back is null ? $"Back on {from}, running and healthy" : $"Not back on {from}: {back.Reason}", from);
        return back is null ? $"VM {vm} did not become healthy on {to} and is back on {from}: {failure.Reason}" : $"VM {vm} did not move: {reason}";
    }

    private async Task FinishAsync(Run run, string? failure)
    {
        AgentDrainInfo info;
        lock (state.Gate)
        {
            var (movable, stay) = VmsOn(run.Agent);
            var stopping = run.CancelledBecause is null && _stopping.IsCancellationRequested;
            var cancelled = run.CancelledBecause ?? (stopping ? Interrupted(run.Agent) : null);
            var outcome = stopping ? AgentDrainState.Interrupted
                : cancelled is not null ? AgentDrainState.Cancelled
                : failure is not null ? AgentDrainState.Failed
                : movable.Count + stay.Count == 0 ? AgentDrainState.Drained : AgentDrainState.Incomplete;
            run.Info = info = run.Info with { State = outcome, EndedAt = Time.GetUtcNow(), NotMovable = stay, Reason = cancelled ?? failure };
        }
        journal.Record("agent.drain", null, info.Summary(run.Agent), run.Agent);
        state.NotifyChanged();
        await SaveAsync(run);
    }

    private Task SetMove(Run run, DrainMove move) => Update(run, info =>
    {
        var moves = info.Moves.ToList();
        var at = moves.FindIndex(m => m.Vm == move.Vm);
        if (at >= 0) moves[at] = move;
        else moves.Add(move);
        return info with { Moves = moves };
    });

    private async Task Update(Run run, Func<AgentDrainInfo, AgentDrainInfo> change)
    {
        lock (state.Gate) run.Info = change(run.Info);
        state.NotifyChanged();
        await SaveAsync(run);
    }

    /// <summary>
    /// Persists the drain's report (deleted once its agent is gone). A report that cannot be written does not stop
    /// the drain: it is the VMs' placement, written by <see cref="PlacementBook"/>, that must be right.
    /// </summary>
    private async Task SaveAsync(Run run)
    {
        string? json;
        lock (state.Gate) json = agents.Find(run.Agent) is null ? null : JsonSerializer.Serialize(run.Info, HangarJson.Info<AgentDrainInfo>());
        try { await store.SaveDrainAsync(run.Agent, json, CancellationToken.None); }
        catch (Exception e) when (e is StateStoreException or ObjectDisposedException or InvalidOperationException)
        {
            Log.DrainNotSaved(logger, run.Agent, e);
        }
    }

    private static string Interrupted(string agent) =>
        $"the control plane stopped while it was under way; run hangar agent drain {agent} again to move what is left";

    private static string Count(int vms) => vms == 1 ? "1 VM" : $"{vms} VMs";

    /// <summary>Ends every drain (the control plane stops) and waits for them; a VM held stopped stays so until it restarts.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] tasks;
        lock (state.Gate) tasks = _runs.Values.Select(r => r.Task).ToArray();
        await Task.WhenAll(tasks);
    }
}
