using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Delta;
using Hangar.Protocol.Agent.Wire;
using Hangar.Spec;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Builds each agent's desired state (the VMs placed on it, whether each should run, its restart nonce) and sends
/// it: a whole snapshot when the agent connects or asks for one (<see cref="ResyncMessage"/>), otherwise a delta of
/// what changed since the last revision that agent was sent (<see cref="DesiredLedger"/>). Each push takes a new
/// revision; an agent with nothing new is sent nothing. Every frame holds at most
/// <see cref="AgentProtocol.MaxVmsPerFrame"/> VMs (<see cref="AgentFrames"/>).
/// </summary>
internal sealed partial class DesiredStateDelivery(FleetState state, AgentRegistry agents, PlacementBook placements, ILogger logger,
    Images.ImageCatalog? images = null)
{
    // Frames of successive pushes leave in revision order, so a delta never overtakes the one it follows.
    private readonly SemaphoreSlim _sending = new(1, 1);
    private FleetSpec? _pushedSpec;

    /// <summary>The whole desired state of <paramref name="agent"/> as of now (what a snapshot would carry).</summary>
    public DesiredStateMessage DesiredFor(string agent)
    {
        lock (state.Gate)
        {
            var (purge, keep) = Flags();
            if (purge) return new DesiredStateMessage(state.CurrentGeneration, state.Revision, [], purge, keep, state.DiskGc);
            var vms = new List<DesiredVm>();
            foreach (var vm in state.Spec.Vms)
                if (For(vm, agent) is { } desired) vms.Add(desired);
            return new DesiredStateMessage(state.CurrentGeneration, state.Revision, vms.Select(WireMapping.ToWire).ToArray(), purge, keep, state.DiskGc);
        }
    }

    /// <summary>Whether <paramref name="vm"/> left <paramref name="agent"/> and that agent has not reported it stopped yet. Under the gate.</summary>
    private bool StillLeaving(string vm, string agent) =>
        state.Leaving.GetValueOrDefault(vm) == agent
        && agents.Find(agent)?.Observed.Find(vm) is not { Phase: VmPhase.Stopped or VmPhase.Failed };

    /// <summary>
    /// What <paramref name="agent"/> is to do with <paramref name="vm"/>, or null when it is not that agent's: its own
    /// VM as the fleet says, or a VM that moved away from it, stopped (<c>running: false</c>) until it reports it
    /// stopped, so that a moved VM never runs on two hosts. Under the gate.
    /// </summary>
    private DesiredVm? For(VmSpec vm, string agent)
    {
        if (state.Placement.GetValueOrDefault(vm.Name) == agent) return Desired(vm, state.ShouldRun(vm));
        return StillLeaving(vm.Name, agent) ? Desired(vm, run: false) : null;
    }

    /// <summary>
    /// Brings the placement up to date (persisted before anything is sent), takes the next revision and sends every
    /// connected agent what changed for it (<paramref name="snapshotFor"/>: a whole snapshot); then wakes watchers.
    /// </summary>
    public async Task PushAsync(CancellationToken ct, AgentSession? snapshotFor = null)
    {
        var moved = await placements.UpdateAsync(ct);
        // An agent connecting (or asking for a resync) while nothing else changed: only it is sent anything, so that
        // 1,000 agents reconnecting cost 1,000 snapshots, not 1,000 passes over every agent's VMs.
        bool alone;
        lock (state.Gate) alone = snapshotFor is not null && !moved && ReferenceEquals(_pushedSpec, state.Spec);
        await SendAsync(only: null, snapshotFor, ct, alone);
    }

    /// <summary>
    /// Sends what an operator changed on the VMs <paramref name="names"/> (start, stop, restart) to their agents only:
    /// placement does not change with operator state, so this costs those VMs, not the fleet.
    /// </summary>
    public Task PushVmsAsync(IReadOnlyCollection<string> names, CancellationToken ct) => SendAsync(names, null, ct);

    /// <param name="snapshotOnly">Send the snapshot of <paramref name="snapshotFor"/> and nothing to the other agents.</param>
    private async Task SendAsync(IReadOnlyCollection<string>? only, AgentSession? snapshotFor, CancellationToken ct, bool snapshotOnly = false)
    {
        await _sending.WaitAsync(ct);
        try
        {
            var sends = new List<(AgentSession Agent, IEnumerable<AgentMessage> Frames)>();
            lock (state.Gate)
            {
                var revision = state.NextRevision();
                var (purge, keep) = Flags();
                var connected = agents.Snapshot().Where(a => a.Connected && (!snapshotOnly || ReferenceEquals(a, snapshotFor)))
                    .ToDictionary(a => a.Name, StringComparer.Ordinal);
                if (!ReferenceEquals(_pushedSpec, state.Spec)) MarkSpecChanges(_pushedSpec, state.Spec);
                _pushedSpec = state.Spec;
                // Each connected agent's VMs: the whole fleet once, or only the VMs named.
                var byAgent = new Dictionary<string, List<DesiredVm>>(StringComparer.Ordinal);
                // A snapshot alone: that agent's VMs (indexed), unless VMs are leaving agents (then any may be its).
                IEnumerable<VmSpec> vms = only is not null ? only.Select(n => state.Spec.FindVm(n)).OfType<VmSpec>()
                    : snapshotOnly && state.Leaving.Count == 0 ? state.Placed.On(snapshotFor!.Name)
                    : state.Spec.Vms;
                if (!purge)
                    foreach (var vm in vms)
                    {
                        // Cheap for the VMs of agents not sent anything (a lookup each); only the others are built.
                        if (snapshotOnly && state.Placement.GetValueOrDefault(vm.Name) != snapshotFor!.Name && !state.Leaving.ContainsKey(vm.Name)) continue;
                        if (state.Placement.GetValueOrDefault(vm.Name) is { } agent && connected.ContainsKey(agent))
                            (byAgent.TryGetValue(agent, out var list) ? list : byAgent[agent] = []).Add(Desired(vm, state.ShouldRun(vm)));
                        // A VM that moved away is still sent, stopped, to the agent it left (see For).
                        if (state.Leaving.GetValueOrDefault(vm.Name) is { } left && connected.ContainsKey(left) && For(vm, left) is { } leaving)
                            (byAgent.TryGetValue(left, out var old) ? old : byAgent[left] = []).Add(leaving);
                    }
                foreach (var agent in connected.Values)
                {
                    var mine = byAgent.GetValueOrDefault(agent.Name) ?? [];
                    var ledger = agent.Desired;
                    if (ReferenceEquals(agent, snapshotFor) || ledger.Revision < 0)
                    {
                        if (only is not null && !ReferenceEquals(agent, snapshotFor)) continue; // gets its snapshot from the push that connects it
                        ledger.Vms.Clear();
                        foreach (var vm in mine) { ledger.Vms[vm.Spec.Name] = (vm, revision); state.MarkChanged(vm.Spec.Name); }
                        Remember(ledger, revision, purge, keep);
                        var snapshot = new DesiredStateMessage(state.CurrentGeneration, revision, mine.Select(WireMapping.ToWire).ToArray(), purge, keep, state.DiskGc);
                        sends.Add((agent, AgentFrames.Snapshot(snapshot)));
                        continue;
                    }
                    var changed = new List<DesiredVm>();
                    foreach (var vm in mine)
                        if (!ledger.Vms.TryGetValue(vm.Spec.Name, out var sent) || sent.Vm != vm) changed.Add(vm);
                    var removed = new List<string>();
                    if (only is null)
                    {
                        var present = mine.Select(v => v.Spec.Name).ToHashSet(StringComparer.Ordinal);
                        removed.AddRange(ledger.Vms.Keys.Where(n => !present.Contains(n)));
                    }
                    if (changed.Count == 0 && removed.Count == 0 && ledger.PurgeRemoved == purge && ledger.KeepOrphans == keep && ledger.DiskGc == state.DiskGc)
                        continue; // nothing new for this agent: it stays at the revision it has
                    foreach (var vm in changed) { ledger.Vms[vm.Spec.Name] = (vm, revision); state.MarkChanged(vm.Spec.Name); }
                    foreach (var name in removed) { ledger.Vms.Remove(name); state.MarkChanged(name); }
                    var delta = new DesiredDeltaMessage(state.CurrentGeneration, ledger.Revision, revision, changed.Select(WireMapping.ToWire).ToArray(), removed,
                        purge, keep, state.DiskGc);
                    Remember(ledger, revision, purge, keep);
                    sends.Add((agent, AgentFrames.Delta(delta)));
                }
            }
            foreach (var (agent, frames) in sends)
            {
                try
                {
                    var channel = agent.Channel;
                    if (channel is null) continue;
                    foreach (var frame in frames) await channel.SendAsync(frame, ct);
                }
                catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or ObjectDisposedException)
                {
                    // The agent is going away; it gets a whole snapshot when it reconnects.
                    Log.SendFailed(logger, agent.Name, e.Message);
                }
            }
        }
        finally
        {
            _sending.Release();
        }
        state.NotifyChanged();
    }

    /// <summary>A new spec: the VMs it added, changed or removed changed status (a VM still waiting for an agent
    /// too, which no delta names). Costs the fleet once per generation, which parsing the spec did already.</summary>
    private void MarkSpecChanges(FleetSpec? before, FleetSpec after)
    {
        if (before is null) { state.MarkAllChanged(); return; }
        foreach (var vm in after.Vms)
            if (before.FindVm(vm.Name) is not { } old || old != vm) state.MarkChanged(vm.Name);
        foreach (var vm in before.Vms)
            if (after.FindVm(vm.Name) is null) state.MarkChanged(vm.Name);
    }

    /// <summary>The agent's connection ended: its next connection starts with a snapshot.</summary>
    public void Forget(AgentSession agent)
    {
        lock (state.Gate) agent.Desired.Revision = -1;
    }

    private void Remember(DesiredLedger ledger, long revision, bool purge, bool keep)
    {
        ledger.Revision = revision;
        ledger.PurgeRemoved = purge;
        ledger.KeepOrphans = keep;
        ledger.DiskGc = state.DiskGc;
    }

    /// <summary>Under the gate: whether disks of removed VMs go (the fleet is down with purge) and orphans stay.</summary>
    private (bool Purge, bool Keep) Flags() =>
        (!state.FleetAdmin.Active && state.FleetAdmin.PurgeRemoved, state.Spec.Settings.Orphans == OrphanPolicy.Keep);

    private DesiredVm Desired(VmSpec vm, bool run)
    {
        var image = state.Spec.FindImage(vm.Image);
        var size = image is { Url: null } ? images?.SizeOf(image.Sha256) : null; // a file image: its size in the store
        return new DesiredVm(vm, image, run, state.Admin.GetValueOrDefault(vm.Name)?.RestartNonce ?? 0, size);
    }
}
