using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Api;
using Hangar.State;
using Hangar.State.Replication;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// What an operator asks of the running fleet without a new generation: start, stop or restart one VM, take the
/// whole fleet down (<c>hangar down</c>), and delete unused disks (<c>hangar gc</c>). Operator state is persisted
/// before it is sent to agents; it survives control-plane restarts and applies on top of every generation.
/// </summary>
internal sealed class OperatorActions(FleetState state, IStateStore store, EventJournal journal, DesiredStateDelivery delivery,
    RolloutRunner rollouts, FleetStatusView view, AgentRegistry agents, Images.ImageCatalog? images = null)
{
    /// <summary>Loads the operator state; called once, before anything else runs.</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        state.Admin = await store.GetVmAdminAsync(ct);
        state.FleetAdmin = await store.GetFleetAdminAsync(ct);
    }

    /// <summary>Another replica changed operator state: takes it from the store and sends the agents connected here what changed.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await state.Writes.WaitAsync(ct);
        try
        {
            var admin = await store.GetVmAdminAsync(ct);
            var fleetAdmin = await store.GetFleetAdminAsync(ct);
            lock (state.Gate)
            {
                state.Admin = admin;
                state.FleetAdmin = fleetAdmin;
            }
            await delivery.PushAsync(ct);
        }
        finally
        {
            state.Writes.Release();
        }
    }

    /// <summary>Sets whether one VM should run (<c>vm start</c>/<c>vm stop</c>) or asks for its restart.</summary>
    public async Task<VmStatus> SetVmAsync(string name, VmOperation operation, CancellationToken ct)
    {
        await state.Writes.WaitAsync(ct);
        try
        {
            var vm = state.Spec.FindVm(name) ?? throw new VmNotFoundException(name);
            var admin = state.Admin.GetValueOrDefault(name) ?? new VmAdminRecord(name, null, 0);
            admin = operation switch
            {
                VmOperation.Start => admin with { Running = true, RestartNonce = admin.RestartNonce + 1 },
                VmOperation.Stop => admin with { Running = false },
                _ => admin with { Running = true, RestartNonce = admin.RestartNonce + 1 },
            };
            await store.SetVmAdminAsync(admin, ct);
            var fleetAdmin = state.FleetAdmin with { Active = true };
            if (fleetAdmin != state.FleetAdmin) await store.SetFleetAdminAsync(fleetAdmin, ct);
            lock (state.Gate)
            {
                state.Admin = new Dictionary<string, VmAdminRecord>(state.Admin, StringComparer.Ordinal) { [name] = admin };
                state.FleetAdmin = fleetAdmin;
            }
            journal.Record("operator", name, $"{operation} requested");
            await state.Replicas.PublishAsync(StoreChangeKind.OperatorState, ct: ct);
            await delivery.PushVmsAsync([vm.Name], ct);
            return view.Vm(vm.Name)!;
        }
        finally
        {
            state.Writes.Release();
        }
    }

    /// <summary>Stops every VM (<c>hangar down</c>); with <paramref name="purge"/> their disks are deleted too.</summary>
    public async Task DownAsync(bool purge, CancellationToken ct)
    {
        await state.Writes.WaitAsync(ct);
        try
        {
            var fleetAdmin = new FleetAdminRecord(Active: false, PurgeRemoved: purge);
            await store.SetFleetAdminAsync(fleetAdmin, ct);
            lock (state.Gate) state.FleetAdmin = fleetAdmin;
            if (state.Current is { Status: GenerationStatus.RollingOut } rolling)
            {
                // Nothing is meant to run, so there is nothing to gate: the generation stays current, unconfirmed.
                rollouts.Cancel();
                await store.SetGenerationStatusAsync(rolling.Number, GenerationStatus.Active, "rollout cancelled by down", confirmed: false, ct);
                lock (state.Gate)
                {
                    state.Current = rolling with { Status = GenerationStatus.Active, Reason = "rollout cancelled by down" };
                    state.Rollout = state.Rollout is null ? null : state.Rollout with { State = RolloutState.Cancelled, Waiting = [] };
                }
                journal.Record("rollout", null, $"Rollout of generation {rolling.Number} cancelled: the fleet is going down");
                await state.Replicas.PublishAsync(StoreChangeKind.Generation, ct: ct);
            }
            await state.Replicas.PublishAsync(StoreChangeKind.OperatorState, ct: ct);
            journal.Record("operator", null, purge ? "Down requested; disks will be deleted" : "Down requested");
            await delivery.PushAsync(ct);
        }
        finally
        {
            state.Writes.Release();
        }
    }

    /// <summary>
    /// <c>hangar gc</c>: asks every connected agent to delete the disks no VM of the current generation uses (old disks
    /// kept aside when a VM got a new image, disks of removed VMs) and waits up to <paramref name="timeout"/> for their
    /// reports.
    /// </summary>
    public async Task<DiskGcResponse> CollectDisksAsync(TimeSpan timeout, CancellationToken ct)
    {
        long request;
        await state.Writes.WaitAsync(ct);
        try
        {
            lock (state.Gate) request = state.DiskGc = Math.Max(state.DiskGc + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await delivery.PushAsync(ct);
        }
        finally
        {
            state.Writes.Release();
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var changed = state.WhenChangedAsync(deadline.Token);
            var connected = agents.Snapshot().Where(a => a.Connected).ToArray();
            var reports = connected.Select(a => (a.Name, Report: a.Observed.DiskGc)).ToArray();
            var waiting = reports.Where(r => r.Report?.Request != request).Select(r => r.Name).ToArray();
            if (waiting.Length == 0 || deadline.IsCancellationRequested)
            {
                var done = reports.Where(r => r.Report?.Request == request).ToArray();
                foreach (var (agent, report) in done.Where(d => d.Report!.Deleted.Count > 0))
                    journal.Record("gc", null, $"Agent {agent} deleted {report!.Deleted.Count} unused disk files ({report.Bytes / (1024 * 1024)} MiB): {string.Join(", ", report.Deleted)}", agent);
                (IReadOnlyList<string> Deleted, long Bytes) unusedImages = ([], 0);
                if (images is not null)
                {
                    await state.Writes.WaitAsync(ct); // no apply names an image while it is being deleted
                    try
                    {
                        unusedImages = images.CollectUnused();
                        if (images.Replicas is { } replicas) await replicas.ForgetAsync(unusedImages.Deleted.Select(d => d["sha256:".Length..]).ToArray(), ct);
                    }
                    finally { state.Writes.Release(); }
                    if (unusedImages.Deleted.Count > 0)
                        journal.Record("gc", null, $"Deleted {unusedImages.Deleted.Count} unused images ({unusedImages.Bytes / (1024 * 1024)} MiB) from the image store: {string.Join(", ", unusedImages.Deleted)}");
                }
                return new DiskGcResponse(done.SelectMany(d => d.Report!.Deleted.Select(f => $"{d.Name}:{f}")).ToArray(),
                    done.Sum(d => d.Report!.Bytes), waiting, unusedImages.Deleted, unusedImages.Bytes);
            }
            try { await changed; }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested) { }
        }
    }
}
