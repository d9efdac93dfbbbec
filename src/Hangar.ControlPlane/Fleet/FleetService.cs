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

    /// <summary>How long the health gate waits when the request names no confirm timeout.</summary>
    public static readonly TimeSpan DefaultConfirmTimeout = TimeSpan.FromMinutes(5);

    private readonly CancellationTokenSource _stopping = new();
    private GenerationRecord? _current;
    private RolloutInfo? _rollout;
    private Task _rolloutTask = Task.CompletedTask;
    private CancellationTokenSource? _rolloutCts;
    private long CurrentGeneration => _current?.Number ?? 0;
    // Revisions start from the clock so that they keep growing across control-plane restarts: an agent that still
    // reports a revision from before a restart never looks converged on a new one by accident.
    private long _revision = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
    private FleetSpec _spec = new(ValueList<VmSpec>.Empty, ValueList<ImageSpec>.Empty);
    private IReadOnlyDictionary<string, VmAdminRecord> _admin = new Dictionary<string, VmAdminRecord>();
    private FleetAdminRecord _fleetAdmin = new(true, false);
    private long _diskGc; // the last `hangar gc` request; in memory only: a request is acted on at once or not at all

    public async Task InitializeAsync(CancellationToken ct)
    {
        if (await store.GetCurrentGenerationAsync(ct) is { } current)
        {
            _current = current;
            _spec = FleetJson.Deserialize(current.SpecJson);
        }
        _admin = await store.GetVmAdminAsync(ct);
        _fleetAdmin = await store.GetFleetAdminAsync(ct);
        _eventWriter = Task.Run(WriteEventsAsync, CancellationToken.None);
        if (_current is { Status: GenerationStatus.RollingOut } rolling)
        {
            // The control plane stopped in the middle of this rollout: carry on where it was. Agents report again when
            // they reconnect, so the gate gets at least a short grace even if its deadline passed meanwhile.
            Event("rollout", null, $"Resuming the rollout of generation {rolling.Number} after a restart");
            StartRollout(rolling, System.Text.Json.JsonSerializer.Deserialize<string[]>(rolling.ChangedVms) ?? [], _revision + 1);
        }
        logger.LogInformation("Fleet at generation {Generation} with {Count} VMs", CurrentGeneration, _spec.Vms.Count);
    }

    /// <summary>What applying <paramref name="request"/> would do, without doing it.</summary>
    public PlanResponse Plan(ApplyRequest request)
    {
        FleetSpec? current;
        long generation;
        lock (_gate) { current = _current is null ? null : _spec; generation = _current?.Number ?? 0; }
        var spec = Parse(request, current);
        var plan = FleetDiff.Compare(current, spec, generation);
        return new PlanResponse(generation, current is null || current != spec, Entries(plan), PlacementChecks.Find(current, spec),
            FleetChangeTexts(current, spec));
    }

    /// <summary>
    /// Validates, plans and (when it differs) commits a fleet file as the next generation, then rolls it out through
    /// the health gate. The same file twice commits nothing and touches no VM.
    /// </summary>
    public async Task<ApplyResponse> ApplyAsync(ApplyRequest request, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            var currentNumber = _current?.Number ?? 0;
            if (request.ExpectGeneration is { } expected && expected != currentNumber)
                throw new GenerationConflictException(expected, currentNumber);
            var current = _current is null ? null : _spec;
            // Parsed under the write lock: the checks against the current generation (a disk must not shrink) hold for
            // the generation this one replaces.
            var spec = Parse(request, current);
            var plan = FleetDiff.Compare(current, spec, currentNumber);
            var changed = current is null || current != spec;
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
                _admin = admin.ToDictionary(a => a.Name, StringComparer.Ordinal);
                _fleetAdmin = fleetAdmin;
            }
            if (changed)
            {
                var gated = plan.Where(c => c.Kind is VmChangeKind.Create or VmChangeKind.Replace or VmChangeKind.Update)
                    .Select(c => c.Vm).Where(name => ShouldRun(spec.FindVm(name)!)).ToArray();
                await CommitAsync(spec, request.Message, request.FileName, gated, rollbackOf: null, request.AutoRollback,
                    request.ConfirmTimeout, GenerationStatus.Superseded, previousReason: null, request.Author, ct);
            }
            else
            {
                await PushDesiredAsync(ct);
            }
            return new ApplyResponse(_current!.Number, _revision, changed, Entries(plan), FleetChangeTexts(current, spec));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Commits a new generation whose content equals generation <c>To</c> (default: the last good one before the
    /// current) and rolls it out like an apply. The generation it leaves is marked rolled back.
    /// </summary>
    public async Task<ApplyResponse> RollbackAsync(RollbackRequest request, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            var current = _current ?? throw new RollbackTargetException("Nothing was applied yet, so there is nothing to roll back to.");
            var target = request.To is { } to
                ? await store.GetGenerationAsync(to, ct) ?? throw new RollbackTargetException($"There is no generation {to}.")
                : await PreviousGoodAsync(current.Number, ct) ?? throw new RollbackTargetException($"No earlier generation than {current.Number} came up healthy; name one with --to.");
            if (target.Number == current.Number) throw new RollbackTargetException($"Generation {target.Number} is already current.");
            var response = await RollBackToAsync(target, request.Message ?? $"rollback to generation {target.Number}", "rollback",
                GenerationStatus.RolledBack, null, request.AutoRollback, request.ConfirmTimeout, request.Author, ct);
            return response;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<IReadOnlyList<GenerationInfo>> GenerationsAsync(CancellationToken ct) =>
        (await store.ListGenerationsAsync(ct)).Select(Info).ToArray();

    public async Task<GenerationDetail> GenerationAsync(long number, CancellationToken ct)
    {
        var record = await store.GetGenerationAsync(number, ct) ?? throw new GenerationNotFoundException(number);
        return new GenerationDetail(Info(record), FleetYaml.Write(FleetJson.Deserialize(record.SpecJson)));
    }

    public async Task<DiffResponse> DiffAsync(long from, long to, CancellationToken ct)
    {
        var a = await store.GetGenerationAsync(from, ct) ?? throw new GenerationNotFoundException(from);
        var b = await store.GetGenerationAsync(to, ct) ?? throw new GenerationNotFoundException(to);
        var (specA, specB) = (FleetJson.Deserialize(a.SpecJson), FleetJson.Deserialize(b.SpecJson));
        // A disk kept aside is named after the generation it served until the next one replaced it: known only
        // when B follows A directly.
        return new DiffResponse(from, to, Entries(FleetDiff.Compare(specA, specB, to == from + 1 ? from : null)), FleetChangeTexts(specA, specB));
    }

    private static string[] FleetChangeTexts(FleetSpec? current, FleetSpec next) =>
        FleetDiff.CompareFleet(current, next).Select(f => f.ToString()).ToArray();

    private static FleetSpec Parse(ApplyRequest request, FleetSpec? current)
    {
        var result = FleetParser.Parse(request.Text, request.FileName, request.BaseDirectory, current);
        if (!result.IsValid) throw new SpecRejectedException(result.Errors.ToArray());
        return result.Spec!;
    }

    private static PlanEntry[] Entries(IEnumerable<VmChange> plan) =>
        plan.Select(c => new PlanEntry(c.Vm, (PlanAction)(int)c.Kind, c.Fields.Select(f => f.ToString()).ToArray())).ToArray();

    private static GenerationInfo Info(GenerationRecord r) => new(r.Number, r.CreatedAt, r.Message, r.Source, r.Status, r.Reason,
        r.RollbackOf, System.Text.Json.JsonSerializer.Deserialize<string[]>(r.ChangedVms) ?? [], r.Confirmed, r.Author,
        r.ImageDigests is null ? null : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(r.ImageDigests));

    private async Task<GenerationRecord?> PreviousGoodAsync(long before, CancellationToken ct) =>
        (await store.ListGenerationsAsync(ct)).Where(g => g.Number < before && g.Confirmed).MaxBy(g => g.Number);

    /// <summary>Commits a generation with <paramref name="target"/>'s content; the caller holds the write lock.</summary>
    private async Task<ApplyResponse> RollBackToAsync(GenerationRecord target, string message, string source, string leavingStatus,
        string? leavingReason, bool autoRollback, TimeSpan? confirmTimeout, string? author, CancellationToken ct)
    {
        var spec = FleetJson.Deserialize(target.SpecJson);
        var previous = _spec;
        var plan = FleetDiff.Compare(previous, spec, _current?.Number);
        var gated = plan.Where(c => c.Kind is VmChangeKind.Create or VmChangeKind.Replace or VmChangeKind.Update)
            .Select(c => c.Vm).Where(name => ShouldRun(spec.FindVm(name)!)).ToArray();
        await CommitAsync(spec, message, source, gated, target.Number, autoRollback, confirmTimeout, leavingStatus, leavingReason, author, ct);
        return new ApplyResponse(_current!.Number, _revision, true, Entries(plan), FleetChangeTexts(previous, spec));
    }

    /// <summary>
    /// Appends a generation (marking the current one <paramref name="previousStatus"/> in the same transaction), sends
    /// it to the agents and starts its health gate. The caller holds the write lock.
    /// </summary>
    private async Task CommitAsync(FleetSpec spec, string? message, string source, string[] gated, long? rollbackOf, bool autoRollback,
        TimeSpan? confirmTimeout, string previousStatus, string? previousReason, string? author, CancellationToken ct)
    {
        var deadline = gated.Length > 0 ? DateTimeOffset.UtcNow + (confirmTimeout ?? DefaultConfirmTimeout) : (DateTimeOffset?)null;
        var record = await store.CommitGenerationAsync(
            new NewGeneration(FleetJson.Serialize(spec), message, source, System.Text.Json.JsonSerializer.Serialize(gated), rollbackOf, autoRollback, deadline, author),
            _current?.Number ?? 0, _current is null ? GenerationStatus.Superseded : previousStatus, previousReason, ct);
        lock (_gate)
        {
            _spec = spec;
            _current = record;
        }
        Event("generation", null, $"Generation {record.Number} committed from {source}" + (message is { } m ? $": {m}" : "")
            + (gated.Length > 0 ? $"; rolling out {string.Join(", ", gated)}" : ""));
        await PushDesiredAsync(ct);
        StartRollout(record, gated, _revision);
    }

    /// <summary>Starts the health gate of <paramref name="record"/> (ending any gate of an earlier generation).</summary>
    /// <param name="revision">The first desired-state revision that carries the generation; older reports do not count.</param>
    private void StartRollout(GenerationRecord record, IReadOnlyList<string> gated, long revision)
    {
        _rolloutCts?.Cancel();
        if (gated.Count == 0)
        {
            lock (_gate) _rollout = new RolloutInfo(record.Number, "succeeded", null, null, []);
            return;
        }
        var grace = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        var deadline = record.ConfirmDeadline is { } d && d > grace ? d : grace;
        var gate = new RolloutGate(record.Number, revision, gated, deadline);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _rolloutCts = cts;
        lock (_gate) _rollout = new RolloutInfo(record.Number, "running", null, deadline, gated.ToArray());
        Event("rollout", null, $"Rollout of generation {record.Number} started: waiting for {string.Join(", ", gated)} to be healthy until {deadline:HH:mm:ss}");
        _rolloutTask = Task.Run(() => RunRolloutAsync(record, gate, cts.Token));
    }

    private async Task RunRolloutAsync(GenerationRecord record, RolloutGate gate, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var changed = WhenChangedAsync(ct);
                var status = Status();
                lock (_gate) _rollout = _rollout! with { Waiting = gate.Waiting(status) };
                if (gate.Evaluate(status, _spec, DateTimeOffset.UtcNow) is { } verdict)
                {
                    await FinishRolloutAsync(record, verdict.Passed, verdict.Reason, ct);
                    return;
                }
                var untilDeadline = gate.Deadline - DateTimeOffset.UtcNow;
                await Task.WhenAny(changed, Task.Delay(untilDeadline > TimeSpan.Zero ? untilDeadline : TimeSpan.Zero, ct));
                ct.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Superseded by a newer generation, or the control plane is stopping (the gate resumes on restart).
        }
        catch (Exception e)
        {
            logger.LogError(e, "The rollout of generation {Generation} failed", record.Number);
        }
    }

    private async Task FinishRolloutAsync(GenerationRecord record, bool passed, string? reason, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            if (_current?.Number != record.Number) return; // a newer generation took over meanwhile
            if (passed)
            {
                await store.SetGenerationStatusAsync(record.Number, GenerationStatus.Active, null, confirmed: true, ct);
                // Pin what "this generation" booted: the digest each image resolved to on its host.
                var digests = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var vm in _spec.Vms)
                    if (FindObserved(vm.Name)?.ImageDigest is { } digest) digests.TryAdd(vm.Image, digest);
                await store.SetGenerationImageDigestsAsync(record.Number, System.Text.Json.JsonSerializer.Serialize(digests), ct);
                lock (_gate)
                {
                    _current = _current with { Status = GenerationStatus.Active, Confirmed = true };
                    _rollout = _rollout! with { State = "succeeded", Waiting = [] };
                }
                Event("rollout", null, $"Rollout of generation {record.Number} succeeded: every changed VM is healthy");
                NotifyChanged();
                return;
            }
            Event("rollout", null, $"Rollout of generation {record.Number} failed: {reason}");
            var target = record.AutoRollback ? await PreviousGoodAsync(record.Number, ct) : null;
            if (target is null)
            {
                await store.SetGenerationStatusAsync(record.Number, GenerationStatus.Failed, reason, confirmed: false, ct);
                lock (_gate)
                {
                    _current = _current with { Status = GenerationStatus.Failed, Reason = reason };
                    _rollout = _rollout! with { State = "failed", Reason = reason };
                }
                NotifyChanged();
                return;
            }
            Event("rollback", null, $"Automatic rollback from generation {record.Number} to the content of generation {target.Number}");
            // Not cancellable from here on: committing the rollback ends this gate (and cancels its token).
            await RollBackToAsync(target, $"automatic rollback: generation {record.Number} failed its health gate", "auto-rollback",
                GenerationStatus.Failed, reason, autoRollback: false, confirmTimeout: null, author: "hangar", CancellationToken.None);
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
            if (_current is { Status: GenerationStatus.RollingOut } rolling)
            {
                // Nothing is meant to run, so there is nothing to gate: the generation stays current, unconfirmed.
                _rolloutCts?.Cancel();
                await store.SetGenerationStatusAsync(rolling.Number, GenerationStatus.Active, "rollout cancelled by down", confirmed: false, ct);
                lock (_gate)
                {
                    _current = rolling with { Status = GenerationStatus.Active, Reason = "rollout cancelled by down" };
                    _rollout = _rollout is null ? null : _rollout with { State = "cancelled", Waiting = [] };
                }
                Event("rollout", null, $"Rollout of generation {rolling.Number} cancelled: the fleet is going down");
            }
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
                // Not listed by an agent that has acted on this revision: the VM is not on that host (purged).
                var agentRevision = agent is not null && _agents.GetValueOrDefault(agent)?.Observed is { } report ? report.Revision : -1;
                var absent = seen is null && agentRevision == _revision;
                vms.Add(new VmStatus(vm.Name, vm.Image, vm.Vcpu, vm.Memory.ToString(), ShouldRun(vm), agent,
                    seen?.Phase ?? (absent ? VmPhase.Stopped : VmPhase.Pending),
                    seen?.Detail ?? (agent is null ? "waiting for an agent" : absent ? "not on its agent" : null),
                    seen?.Health ?? HealthState.Unknown, seen?.Accelerator, seen?.Pid,
                    vm.Forwards.Select(f => f.ToString()).ToArray(), seen?.LastError, seen?.Restarts ?? 0,
                    seen?.StartedAt, seen?.Generation ?? CurrentGeneration, seen?.Revision ?? agentRevision, seen?.ConsoleTail,
                    seen?.HealthDetail, seen?.BackoffCause));
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
            var orphans = _agents.Values.SelectMany(a => (a.Observed?.Orphans ?? []).Select(o => new OrphanInfo(a.Name, o.Name, o.Pid, o.Action))).ToArray();
            return new FleetStatus(CurrentGeneration, _revision, _fleetAdmin.Active, vms.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray(), agents, _rollout, orphans);
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
        var before = previous?.Vms.ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var vm in observed.Vms)
            foreach (var (kind, message) in VmEvents.Between(before?.GetValueOrDefault(vm.Name), vm)) Event(kind, vm.Name, message);
        foreach (var orphan in observed.Orphans ?? [])
        {
            if (previous?.Orphans?.Contains(orphan) == true) continue; // reported already
            Event("vm.orphan", orphan.Name, orphan.Action switch
            {
                "stopping" => $"Stopping an orphan QEMU (pid {orphan.Pid}) that no generation names",
                "stopped" => $"Stopped an orphan QEMU (pid {orphan.Pid}) that no generation names",
                _ => $"Found an orphan QEMU (pid {orphan.Pid}) that no generation names; kept (settings.orphans: keep)",
            });
        }
        NotifyChanged();
    }

    public DesiredStateMessage DesiredFor(string agent)
    {
        lock (_gate)
        {
            var placement = Scheduler.Place(_spec, _agents.Keys);
            var keepOrphans = _spec.Settings.Orphans == OrphanPolicy.Keep;
            if (!_fleetAdmin.Active && _fleetAdmin.PurgeRemoved) return new DesiredStateMessage(CurrentGeneration, _revision, [], PurgeRemoved: true, keepOrphans, _diskGc);
            var vms = _spec.Vms.Where(vm => placement.GetValueOrDefault(vm.Name) == agent)
                .Select(vm => new DesiredVm(vm, _spec.FindImage(vm.Image), ShouldRun(vm), _admin.GetValueOrDefault(vm.Name)?.RestartNonce ?? 0))
                .ToArray();
            return new DesiredStateMessage(CurrentGeneration, _revision, vms, PurgeRemoved: false, keepOrphans, _diskGc);
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
        await _writeLock.WaitAsync(ct);
        try
        {
            lock (_gate) request = _diskGc = Math.Max(_diskGc + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await PushDesiredAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var changed = WhenChangedAsync(deadline.Token);
            AgentSession[] agents;
            lock (_gate) agents = _agents.Values.Where(a => a.Connected).ToArray();
            var reports = agents.Select(a => (a.Name, Report: a.Observed?.DiskGc)).ToArray();
            var waiting = reports.Where(r => r.Report?.Request != request).Select(r => r.Name).ToArray();
            if (waiting.Length == 0 || deadline.IsCancellationRequested)
            {
                var done = reports.Where(r => r.Report?.Request == request).ToArray();
                foreach (var (agent, report) in done.Where(d => d.Report!.Deleted.Count > 0))
                    Event("gc", null, $"Agent {agent} deleted {report!.Deleted.Count} unused disk files ({report.Bytes / (1024 * 1024)} MiB): {string.Join(", ", report.Deleted)}");
                return new DiskGcResponse(done.SelectMany(d => d.Report!.Deleted.Select(f => $"{d.Name}:{f}")).ToArray(),
                    done.Sum(d => d.Report!.Bytes), waiting);
            }
            try { await changed; }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested) { }
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
        await _stopping.CancelAsync();
        try { await _rolloutTask; }
        catch (OperationCanceledException) { }
        _events.Writer.TryComplete();
        if (_eventWriter is not null) await _eventWriter;
    }
}

/// <summary>What an operator can ask of one VM through the API.</summary>
public enum VmOperation { Start, Stop, Restart }
