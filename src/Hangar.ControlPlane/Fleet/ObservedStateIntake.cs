using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Agent;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// What arrives from agents: an agent connecting (it is sent its desired state), its observed-state reports (turned
/// into events: a VM started, exited, turned unhealthy, an orphan found), and its leaving.
/// </summary>
internal sealed class ObservedStateIntake(FleetState state, AgentRegistry agents, EventJournal journal, DesiredStateDelivery delivery)
{
    public async Task AgentConnectedAsync(AgentSession session, CancellationToken ct)
    {
        agents.Connected(session);
        journal.Record("agent", null, $"Agent {session.Name} connected ({session.HostName}, {session.Accelerator})");
        await delivery.PushAsync(ct);
    }

    public async Task AgentDisconnectedAsync(AgentSession session)
    {
        await agents.DisconnectedAsync(session);
        journal.Record("agent", null, $"Agent {session.Name} disconnected");
        state.NotifyChanged();
    }

    public void Received(AgentSession session, ObservedStateMessage observed)
    {
        var previous = agents.Observed(session, observed);
        var before = previous?.Vms.ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var vm in observed.Vms)
            foreach (var (kind, message) in VmEvents.Between(before?.GetValueOrDefault(vm.Name), vm)) journal.Record(kind, vm.Name, message);
        foreach (var orphan in observed.Orphans ?? [])
        {
            if (previous?.Orphans?.Contains(orphan) == true) continue; // reported already
            journal.Record("vm.orphan", orphan.Name, orphan.Action switch
            {
                OrphanAction.Stopping => $"Stopping an orphan QEMU (pid {orphan.Pid}) that no generation names",
                OrphanAction.Stopped => $"Stopped an orphan QEMU (pid {orphan.Pid}) that no generation names",
                _ => $"Found an orphan QEMU (pid {orphan.Pid}) that no generation names; kept (settings.orphans: keep)",
            });
        }
        state.NotifyChanged();
    }
}
