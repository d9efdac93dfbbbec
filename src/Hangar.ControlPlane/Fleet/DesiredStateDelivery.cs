using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Wire;
using Hangar.Spec;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Builds each agent's desired state (the VMs placed on it, whether each should run, its restart nonce) and sends it.
/// Agents always get their whole desired state, never a delta, and each send carries a new revision.
/// </summary>
internal sealed partial class DesiredStateDelivery(FleetState state, AgentRegistry agents, PlacementBook placements, ILogger logger,
    Images.ImageCatalog? images = null)
{
    /// <summary>The desired state of <paramref name="agent"/> as of now.</summary>
    public DesiredStateMessage DesiredFor(string agent)
    {
        lock (state.Gate)
        {
            var spec = state.Spec;
            var placement = state.Placement;
            var keepOrphans = spec.Settings.Orphans == OrphanPolicy.Keep;
            if (!state.FleetAdmin.Active && state.FleetAdmin.PurgeRemoved)
                return new DesiredStateMessage(state.CurrentGeneration, state.Revision, [], PurgeRemoved: true, keepOrphans, state.DiskGc);
            // A VM that moved away stays in its old agent's desired state, stopped, until that agent reports it stopped.
            var vms = spec.Vms.Where(vm => placement.GetValueOrDefault(vm.Name) == agent || StillLeaving(vm.Name, agent))
                .Select(vm =>
                {
                    var image = spec.FindImage(vm.Image);
                    var size = image is { Url: null } ? images?.SizeOf(image.Sha256) : null; // a file image: its size in the store
                    return WireMapping.ToWire(new DesiredVm(vm, image, placement.GetValueOrDefault(vm.Name) == agent && state.ShouldRun(vm),
                        state.Admin.GetValueOrDefault(vm.Name)?.RestartNonce ?? 0, size));
                })
                .ToArray();
            return new DesiredStateMessage(state.CurrentGeneration, state.Revision, vms, PurgeRemoved: false, keepOrphans, state.DiskGc);
        }
    }

    /// <summary>Whether <paramref name="vm"/> left <paramref name="agent"/> and that agent has not reported it stopped yet. Under the gate.</summary>
    private bool StillLeaving(string vm, string agent) =>
        state.Leaving.GetValueOrDefault(vm) == agent
        && agents.Find(agent)?.Observed?.Vms.FirstOrDefault(v => v.Name == vm) is not { Phase: VmPhase.Stopped or VmPhase.Failed };

    /// <summary>
    /// Brings the placement up to date (persisted before anything is sent), takes the next revision and sends every
    /// connected agent its desired state; then wakes watchers.
    /// </summary>
    public async Task PushAsync(CancellationToken ct)
    {
        await placements.UpdateAsync(ct);
        AgentSession[] connected;
        lock (state.Gate)
        {
            state.Revision++;
            connected = agents.Snapshot().Where(a => a.Connected).ToArray();
        }
        foreach (var agent in connected)
        {
            try
            {
                await agent.Channel!.SendAsync(DesiredFor(agent.Name), ct);
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or ObjectDisposedException or NullReferenceException)
            {
                // The agent is going away; it gets its whole desired state again when it reconnects.
                Log.SendFailed(logger, agent.Name, e.Message);
            }
        }
        state.NotifyChanged();
    }
}
