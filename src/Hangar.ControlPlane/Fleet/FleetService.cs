using System.Threading.Channels;
using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Spec;
using Hangar.State;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// The control plane's model of the fleet: the current generation, what operators asked of single VMs, which agent
/// runs which VM, and what the agents observe. Every change is persisted before it is sent to agents; agents always
/// get their whole desired state, never a delta.
/// </summary>
public sealed class FleetService(IStateStore store, ILogger<FleetService> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AgentSession> _agents = new(StringComparer.Ordinal);
    private readonly Channel<EventRecord> _events = Channel.CreateUnbounded<EventRecord>(new() { SingleReader = true });
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _eventWriter;

    private long _generation;
    private long _revision;
    private FleetSpec _spec = new(ValueList<VmSpec>.Empty, ValueList<ImageSpec>.Empty);
    private IReadOnlyDictionary<string, VmAdminRecord> _admin = new Dictionary<string, VmAdminRecord>();
    private FleetAdminRecord _fleetAdmin = new(true, false);

    public async Task InitializeAsync(CancellationToken ct)
    {
        if (await store.GetCurrentGenerationAsync(ct) is { } current)
        {
            _generation = current.Number;
            _spec = FleetJson.Deserialize(current.SpecJson);
        }
        _admin = await store.GetVmAdminAsync(ct);
        _fleetAdmin = await store.GetFleetAdminAsync(ct);
        _eventWriter = Task.Run(WriteEventsAsync, CancellationToken.None);
        logger.LogInformation("Fleet at generation {Generation} with {Count} VMs", _generation, _spec.Vms.Count);
    }

    /// <summary>Validates, plans and (when it differs) commits a fleet file as the next generation.</summary>
    public async Task<ApplyResponse> ApplyAsync(ApplyRequest request, CancellationToken ct)
    {
        var result = FleetParser.Parse(request.Text, request.FileName, request.BaseDirectory);
        if (!result.IsValid) throw new SpecRejectedException(result.Errors.ToArray());
        var spec = result.Spec!;
        await _writeLock.WaitAsync(ct);
        try
        {
            var current = _generation == 0 ? null : _spec;
            var plan = FleetDiff.Compare(current, spec);
            var changed = current is null || current != spec;
            var generation = _generation;
            if (changed)
            {
                var record = await store.CommitGenerationAsync(FleetJson.Serialize(spec), request.Message, request.FileName, _generation, ct);
                generation = record.Number;
                Event("generation", null, $"Generation {generation} committed from {request.FileName}" + (request.Message is { } m ? $": {m}" : ""));
            }
            // Operator state of VMs that left the fleet is dropped, so a VM re-added later starts fresh; `up` also
            // clears "stopped by hand", as `docker compose up` starts stopped containers.
            var admin = _admin.Values
                .Where(a => spec.FindVm(a.Name) is not null)
                .Select(a => request.StartStopped && a.Running == false ? a with { Running = null, RestartNonce = a.RestartNonce + 1 } : a)
                .ToArray();
            await store.ReplaceVmAdminAsync(admin, ct);
            var fleetAdmin = new FleetAdminRecord(Active: true, PurgeRemoved: false);
            await store.SetFleetAdminAsync(fleetAdmin, ct);
            lock (_gate)
            {
                _spec = spec;
                _generation = generation;
                _admin = admin.ToDictionary(a => a.Name, StringComparer.Ordinal);
                _fleetAdmin = fleetAdmin;
            }
            await PushDesiredAsync(ct);
            var entries = plan.Select(c => new PlanEntry(c.Vm, (PlanAction)(int)c.Kind, c.Fields.Select(f => f.ToString()).ToArray())).ToArray();
            return new ApplyResponse(generation, _revision, changed, entries);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sets whether one VM should run (<c>vm start</c>/<c>vm stop</c>) or asks for its restart.</summary>
    public async Task<VmStatus> SetVmAsync(string name, VmOperation operation, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            var vm = _spec.FindVm(name) ?? throw new VmNotFoundException(name);
            var admin = _admin.GetValueOrDefault(name) ?? new VmAdminRecord(name, null, 0);
            admin = operation switch
            {
                VmOperation.Start => admin with { Running = true, RestartNonce = admin.RestartNonce + 1 },
                VmOperation.Stop => admin with { Running = false },
                _ => admin with { Running = true, RestartNonce = admin.RestartNonce + 1 },
            };
            await store.SetVmAdminAsync(admin, ct);
            var fleetAdmin = _fleetAdmin with { Active = true };
            if (fleetAdmin != _fleetAdmin) await store.SetFleetAdminAsync(fleetAdmin, ct);
            lock (_gate)
            {
                _admin = new Dictionary<string, VmAdminRecord>(_admin, StringComparer.Ordinal) { [name] = admin };
                _fleetAdmin = fleetAdmin;
            }
            Event("operator", name, $"{operation} requested");
            await PushDesiredAsync(ct);
            return Status().Vms.First(v => v.Name == vm.Name);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Stops every VM (<c>hangar down</c>); with <paramref name="purge"/> their disks are deleted too.</summary>
    public async Task DownAsync(bool purge, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            var fleetAdmin = new FleetAdminRecord(Active: false, PurgeRemoved: purge);
            await store.SetFleetAdminAsync(fleetAdmin, ct);
            lock (_gate) _fleetAdmin = fleetAdmin;
            Event("operator", null, purge ? "Down requested; disks will be deleted" : "Down requested");
            await PushDesiredAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public FleetStatus Status()
    {
        lock (_gate)
        {
            var placement = Scheduler.Place(_spec, _agents.Keys);
            var observed = _agents.Values.Where(a => a.Observed is not null)
                .SelectMany(a => a.Observed!.Vms.Select(v => (Agent: a.Name, Vm: v)))
                .GroupBy(x => x.Vm.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var vms = new List<VmStatus>();
            foreach (var vm in _spec.Vms)
            {
                var agent = placement.GetValueOrDefault(vm.Name);
                observed.TryGetValue(vm.Name, out var o);
                var seen = o.Vm is not null && o.Agent == agent ? o.Vm : null;
                vms.Add(new VmStatus(vm.Name, vm.Image, vm.Vcpu, vm.Memory.ToString(), ShouldRun(vm), agent,
                    seen?.Phase ?? VmPhase.Pending, seen?.Detail ?? (agent is null ? "waiting for an agent" : null),
                    seen?.Health ?? HealthState.Unknown, seen?.Accelerator, seen?.Pid,
                    vm.Forwards.Select(f => f.ToString()).ToArray(), seen?.LastError, seen?.Restarts ?? 0,
                    seen?.StartedAt, _generation, seen?.Revision ?? -1));
            }
            // VMs an agent still reports but the spec no longer has (being stopped after removal).
            foreach (var (name, (agentName, vm)) in observed)
            {
                if (_spec.FindVm(name) is not null) continue;
                vms.Add(new VmStatus(name, "", 0, "", false, agentName, vm.Phase, vm.Detail ?? "removed from the fleet", vm.Health,
                    vm.Accelerator, vm.Pid, vm.Forwards, vm.LastError, vm.Restarts, vm.StartedAt, vm.Generation, vm.Revision));
            }
            var agents = _agents.Values.OrderBy(a => a.Name, StringComparer.Ordinal)
                .Select(a => new AgentStatus(a.Name, a.HostName, a.Connected, a.Accelerator, a.LastSeen)).ToArray();
            return new FleetStatus(_generation, _revision, _fleetAdmin.Active, vms.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray(), agents);
        }
    }

    /// <summary>Where a VM's serial console and log are on its agent's host, from what the agent reports.</summary>
    public ObservedVm? FindObserved(string name)
    {
        lock (_gate)
            return _agents.Values.SelectMany(a => a.Observed?.Vms ?? []).FirstOrDefault(v => v.Name == name);
    }

    public bool HasVm(string name)
    {
        lock (_gate) return _spec.FindVm(name) is not null;
    }

    /// <summary>Completes at the next change of anything <see cref="Status"/> shows.</summary>
    public Task WhenChangedAsync(CancellationToken ct)
    {
        Task changed;
        lock (_gate) changed = _changed.Task;
        return changed.WaitAsync(ct);
    }

    // ---- agents ----

    public async Task AgentConnectedAsync(AgentSession session, CancellationToken ct)
    {
        lock (_gate) _agents[session.Name] = session;
        Event("agent", null, $"Agent {session.Name} connected ({session.HostName}, {session.Accelerator})");
        await PushDesiredAsync(ct);
    }

    public AgentSession GetOrAddAgent(string name)
    {
        lock (_gate)
        {
            if (!_agents.TryGetValue(name, out var session)) _agents[name] = session = new AgentSession(name);
            return session;
        }
    }

    public void AgentDisconnected(AgentSession session)
    {
        lock (_gate) session.Channel = null;
        Event("agent", null, $"Agent {session.Name} disconnected");
        NotifyChanged();
    }

    public void ObservedReceived(AgentSession session, ObservedStateMessage observed)
    {
        ObservedStateMessage? previous;
        lock (_gate)
        {
            previous = session.Observed;
            session.Observed = observed;
            session.LastSeen = DateTimeOffset.UtcNow;
        }
        foreach (var vm in observed.Vms)
        {
            var before = previous?.Vms.FirstOrDefault(v => v.Name == vm.Name);
            foreach (var (kind, message) in VmEvents.Between(before, vm)) Event(kind, vm.Name, message);
        }
        NotifyChanged();
    }

    public DesiredStateMessage DesiredFor(string agent)
    {
        lock (_gate)
        {
            var placement = Scheduler.Place(_spec, _agents.Keys);
            if (!_fleetAdmin.Active && _fleetAdmin.PurgeRemoved) return new DesiredStateMessage(_generation, _revision, [], PurgeRemoved: true);
            var vms = _spec.Vms.Where(vm => placement.GetValueOrDefault(vm.Name) == agent)
                .Select(vm => new DesiredVm(vm, _spec.FindImage(vm.Image), ShouldRun(vm), _admin.GetValueOrDefault(vm.Name)?.RestartNonce ?? 0))
                .ToArray();
            return new DesiredStateMessage(_generation, _revision, vms, PurgeRemoved: false);
        }
    }

    private bool ShouldRun(VmSpec vm) => _fleetAdmin.Active && (_admin.GetValueOrDefault(vm.Name)?.Running ?? vm.Autostart);

    private async Task PushDesiredAsync(CancellationToken ct)
    {
        AgentSession[] connected;
        lock (_gate)
        {
            _revision++;
            connected = _agents.Values.Where(a => a.Connected).ToArray();
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
                logger.LogWarning("Could not send desired state to agent {Agent}: {Message}", agent.Name, e.Message);
            }
        }
        NotifyChanged();
    }

    private void NotifyChanged()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
    }

    private void Event(string kind, string? vm, string message)
    {
        logger.LogInformation("{Kind} {Vm}: {Message}", kind, vm ?? "-", message);
        _events.Writer.TryWrite(new EventRecord(0, DateTimeOffset.UtcNow, kind, vm, message));
    }

    private async Task WriteEventsAsync()
    {
        await foreach (var record in _events.Reader.ReadAllAsync())
        {
            try { await store.AppendEventAsync(record, CancellationToken.None); }
            catch (StateStoreException e) { logger.LogWarning(e, "Could not record an event"); }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        if (_eventWriter is not null) await _eventWriter;
    }
}

/// <summary>What an operator can ask of one VM through the API.</summary>
public enum VmOperation { Start, Stop, Restart }
