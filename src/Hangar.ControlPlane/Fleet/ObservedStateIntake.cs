using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Agent;
using Hangar.State.Replication;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// What arrives from agents: an agent connecting (it is sent a snapshot of its desired state), its observed-state
/// reports (whole on connect, then deltas; turned into events: a VM started, exited, turned unhealthy, an orphan
/// found), a request for a snapshot, and its leaving. A report costs the VMs it carries, not the fleet.
/// </summary>
/// <remarks>With replicas, every frame is also shared with the others (<see cref="Replicas.ObservedSharing"/>).</remarks>
internal sealed class ObservedStateIntake(FleetState state, AgentRegistry agents, EventJournal journal, DesiredStateDelivery delivery,
    Replicas.ObservedSharing? sharing = null)
{
    public async Task AgentConnectedAsync(AgentSession session, CancellationToken ct)
    {
        agents.Connected(session);
        lock (state.Gate) session.Observed.BeginConnection();
        journal.Record("agent", null, $"Agent {session.Name} connected ({session.HostName}, {session.Accelerator})", session.Name);
        MarkVmsOf(session.Name); // they may have been "unknown"
        await state.Replicas.PublishAsync(StoreChangeKind.AgentOnline, session.Name, ct);
        await delivery.PushAsync(ct, snapshotFor: session);
    }

    /// <summary>Connection <paramref name="channel"/> of the agent ended; nothing happens when the agent is connected
    /// again already (its new connection keeps its channel and its desired-state ledger).</summary>
    public async Task AgentDisconnectedAsync(AgentSession session, AgentChannel channel)
    {
        if (!await agents.DisconnectedAsync(session, channel)) return;
        delivery.Forget(session);
        journal.Record("agent", null, $"Agent {session.Name} disconnected", session.Name);
        await state.Replicas.PublishAsync(StoreChangeKind.AgentOffline, session.Name);
        MarkVmsOf(session.Name);
        state.NotifyChanged();
    }

    /// <summary>An agent came or went: the agent list and the VMs placed on it (or leaving it, or waiting for any agent)
    /// changed status; not every VM, which made each watch line after a connect the whole fleet (1,000 of them when
    /// 1,000 agents reconnect).</summary>
    private void MarkVmsOf(string agent)
    {
        lock (state.Gate)
        {
            state.MarkAgentsChanged();
            foreach (var vm in state.Placed.On(agent)) state.MarkChanged(vm.Name);
            foreach (var vm in state.Placed.Unplaced) state.MarkChanged(vm.Name);
            foreach (var (vm, left) in state.Leaving)
                if (left == agent) state.MarkChanged(vm);
        }
    }

    /// <summary>The agent asked for a snapshot: a delta did not follow from the revision it has.</summary>
    public Task ResyncAsync(AgentSession session, CancellationToken ct) => delivery.PushAsync(ct, snapshotFor: session);

    public void Received(AgentSession session, ObservedStateMessage observed) =>
        Take(session, observed.Orphans ?? [], s => s.Apply(observed), whole: !observed.More);

    public void Received(AgentSession session, ObservedDeltaMessage observed) =>
        Take(session, observed.Orphans, s => s.Apply(observed), whole: false);

    private void Take(AgentSession session, IReadOnlyList<ObservedOrphan>? orphans,
        Func<ObservedAgentState, IReadOnlyList<(ObservedVm? Before, ObservedVm? After)>> apply, bool whole)
    {
        IReadOnlyList<(ObservedVm? Before, ObservedVm? After)> changes;
        IReadOnlyList<ObservedOrphan> previousOrphans;
        lock (state.Gate)
        {
            previousOrphans = session.Observed.Orphans;
            changes = apply(session.Observed);
            agents.Heard(session);
            foreach (var (before, after) in changes) state.MarkChanged((after ?? before)!.Name);
            sharing?.Share(session, changes, whole);
        }
        foreach (var (before, after) in changes)
            if (after is not null)
                foreach (var (kind, message) in VmEvents.Between(before, after)) journal.Record(kind, after.Name, message, session.Name);
        foreach (var orphan in orphans ?? [])
        {
            if (previousOrphans.Contains(orphan)) continue; // reported already
            journal.Record("vm.orphan", orphan.Name, orphan.Action switch
            {
                OrphanAction.Stopping => $"Stopping an orphan QEMU (pid {orphan.Pid}) that no generation names",
                OrphanAction.Stopped => $"Stopped an orphan QEMU (pid {orphan.Pid}) that no generation names",
                _ => $"Found an orphan QEMU (pid {orphan.Pid}) that no generation names; kept (settings.orphans: keep)",
            }, session.Name);
        }
        state.NotifyChanged();
    }
}
