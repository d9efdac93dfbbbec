using Hangar.Protocol.Api;
using Hangar.Spec;
using Hangar.State;
using Hangar.State.Replication;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Writes the fleet's history of generations: plans a fleet file, commits it as the next generation (apply), commits
/// an earlier generation's content again (rollback, by hand or automatic), and records a rollout's verdict. Every
/// generation is persisted before it is sent to agents; each commit starts its health gate in the
/// <see cref="RolloutRunner"/>.
/// </summary>
internal sealed class GenerationLedger(FleetState state, IStateStore store, EventJournal journal, DesiredStateDelivery delivery,
    RolloutRunner rollouts, FleetStatusView view, PlacementBook placements, Images.ImageCatalog? images = null)
{
    /// <summary>The parses of plan and apply (outside the write lock; the plan's kept for its apply).</summary>
    public FleetFileParses Parses { get; } = new();

    /// <summary>Loads the current generation; called once, before anything else runs.</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        if (await store.GetCurrentGenerationAsync(ct) is not { } current) return;
        state.Current = current;
        state.Spec = FleetJson.Deserialize(current.SpecJson);
        if (state.Replicas.IsShared) state.Rollout = Recorded(current); // shown until the leader's gate says more
    }

    /// <summary>Carries on with the rollout that was running when the control plane stopped, if one was.</summary>
    public void ResumeRollout()
    {
        if (state.Current is { Status: GenerationStatus.RollingOut } rolling) rollouts.Resume(rolling, FinishRolloutAsync);
    }

    /// <summary>
    /// Another replica committed a generation or recorded a verdict: takes the current generation from the store,
    /// starts its gate when this replica leads (else shows the rollout as the store records it) and sends the new
    /// generation to the agents connected here.
    /// </summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await state.Writes.WaitAsync(ct);
        try
        {
            if (await ReloadLockedAsync(ct) is not { } stored) return;
            if (images is not null) await images.RefreshAsync(ct); // the sizes of images uploaded through the committer
            if (state.Replicas.IsLeader)
            {
                if (stored.Status == GenerationStatus.RollingOut) rollouts.Start(stored, ChangedVms(stored), GateRevision(), FinishRolloutAsync);
                else rollouts.Cancel(); // decided elsewhere (down)
            }
            await delivery.PushAsync(ct);
        }
        finally
        {
            state.Writes.Release();
        }
    }

    /// <summary>
    /// This replica became the leader: from the generation the store has, it resumes the gate of a rollout that the
    /// last leader left running and places what waits for placement.
    /// </summary>
    public async Task LeadAsync(CancellationToken ct)
    {
        await state.Writes.WaitAsync(ct);
        try
        {
            await ReloadLockedAsync(ct);
            if (state.Current is { Status: GenerationStatus.RollingOut } rolling) rollouts.Resume(rolling, FinishRolloutAsync, "on becoming the leader");
            await delivery.PushAsync(ct);
        }
        finally
        {
            state.Writes.Release();
        }
    }

    /// <summary>
    /// Takes the current generation from the store when it differs from the cached one (with its spec when its number
    /// does); returns it then, else null. Followers show its rollout as recorded. The caller holds the write lock.
    /// </summary>
    private async Task<GenerationRecord?> ReloadLockedAsync(CancellationToken ct)
    {
        if (await store.GetCurrentGenerationAsync(ct) is not { } stored) return null;
        var cached = state.Current;
        if (cached is not null && cached.Number == stored.Number && cached.Status == stored.Status && cached.Confirmed == stored.Confirmed) return null;
        var spec = cached?.Number == stored.Number ? state.Spec : FleetJson.Deserialize(stored.SpecJson);
        lock (state.Gate)
        {
            state.Current = stored;
            state.Spec = spec;
            if (!state.Replicas.IsLeader) state.Rollout = Recorded(stored);
        }
        state.NotifyChanged();
        return stored;
    }

    /// <summary>The rollout of <paramref name="record"/> as the store records it (what a follower shows; the leader runs it).</summary>
    private static RolloutInfo? Recorded(GenerationRecord record)
    {
        var gated = ChangedVms(record);
        var waiting = gated.Take(RolloutInfo.MaxWaitingListed).ToArray();
        return record switch
        {
            { ConfirmDeadline: null } => null,
            { Status: GenerationStatus.RollingOut } => new RolloutInfo(record.Number, RolloutState.Running, null, record.ConfirmDeadline, waiting, gated.Length),
            { Status: GenerationStatus.Failed } => new RolloutInfo(record.Number, RolloutState.Failed, record.Reason, record.ConfirmDeadline, []),
            { Confirmed: true } => new RolloutInfo(record.Number, RolloutState.Succeeded, null, record.ConfirmDeadline, []),
            _ => new RolloutInfo(record.Number, RolloutState.Cancelled, record.Reason, record.ConfirmDeadline, []),
        };
    }

    private static string[] ChangedVms(GenerationRecord record) =>
        System.Text.Json.JsonSerializer.Deserialize(record.ChangedVms, StateJsonContext.Default.StringArray) ?? [];

    /// <summary>The first revision a gate counts: the one just sent, alone; with replicas 0, and the gate goes by generation.</summary>
    private long GateRevision()
    {
        lock (state.Gate) return state.Replicas.IsShared ? 0 : state.Revision;
    }

    /// <summary>Starts the gate of a generation just committed here, when this replica leads; a follower only shows it.</summary>
    private void StartGate(GenerationRecord record, string[] gated)
    {
        if (state.Replicas.IsLeader) rollouts.Start(record, gated, GateRevision(), FinishRolloutAsync);
        else lock (state.Gate) state.Rollout = Recorded(record);
    }

    /// <summary>With replicas, the generation and operator state as stored: another replica may have changed them. Under the write lock.</summary>
    private async Task CatchUpAsync(CancellationToken ct)
    {
        if (!state.Replicas.IsShared) return;
        if (await ReloadLockedAsync(ct) is not null) await delivery.PushAsync(ct);
        var admin = await store.GetVmAdminAsync(ct);
        var fleetAdmin = await store.GetFleetAdminAsync(ct);
        lock (state.Gate)
        {
            state.Admin = admin;
            state.FleetAdmin = fleetAdmin;
        }
    }

    /// <summary>What applying <paramref name="request"/> would do, and where each VM would run, without doing it.</summary>
    public PlanResponse Plan(ApplyRequest request)
    {
        FleetSpec? current;
        long generation;
        IReadOnlyDictionary<string, string> placement;
        lock (state.Gate) { current = state.Current is null ? null : state.Spec; generation = state.CurrentGeneration; placement = state.Placement; }
        var spec = Parses.ForPlan(request, current).Spec();
        var plan = FleetDiff.Compare(current, spec, generation);
        var decision = placements.Decide(spec);
        var entries = PlanEntries.Of(plan, decision, placement);
        var problems = PlanEntries.Problems(decision).ToList();
        if (images?.Missing(spec) is { Count: > 0 } missing) problems.Add(Images.ImageCatalog.MissingMessage(missing));
        return new PlanResponse(generation, current is null || current != spec || entries.Any(e => e.Action == PlanAction.Move), entries,
            problems, PlanEntries.FleetChanges(current, spec));
    }

    /// <summary>
    /// Validates, plans and (when it differs) commits a fleet file as the next generation, then rolls it out through
    /// the health gate. The same file twice commits nothing and touches no VM.
    /// </summary>
    public async Task<ApplyResponse> ApplyAsync(ApplyRequest request, CancellationToken ct)
    {
        // Parsed before the write lock, which operator actions (vm stop) wait for: 100,000 VMs take seconds. Against
        // the generation current now; under the lock it is parsed again if another one was committed meanwhile.
        FleetSpec? basis;
        lock (state.Gate) basis = state.Current is null ? null : state.Spec;
        FleetFileParses.Parsed? parsed = Parses.ForApply(request, basis);
        // The commit's JSON too (100,000 VMs: 34 MB of text), when the file changes the fleet.
        var early = parsed.Result;
        var earlyJson = early is not null && early != basis ? FleetJson.Serialize(early) : null;
        await state.Writes.WaitAsync(ct);
        try
        {
            // With replicas the cache may be behind: the commit below is checked against the store's current
            // generation anyway (GenerationConflictException), but operator state is replaced as a whole.
            await CatchUpAsync(ct);
            var currentNumber = state.CurrentGeneration;
            if (request.ExpectGeneration is { } expected && expected != currentNumber)
                throw new GenerationConflictException(expected, currentNumber);
            var current = state.Current is null ? null : state.Spec;
            // Checked against the generation this one replaces (a disk must not shrink): the parse above when that is
            // the generation it was based on, else a new one, here under the lock.
            var spec = Parses.SpecFor(parsed!, request, current);
            parsed = null; // the spec is all that is needed of it now
            if (images is not null) await images.RefreshAsync(ct); // with replicas: what the others hold counts
            images?.EnsureStored(spec); // before anything is written: a fleet that cannot boot is not applied
            var plan = FleetDiff.Compare(current, spec, currentNumber);
            // Refused before anything is written: a VM that no agent can take fails the apply as it fails the plan.
            if (PlanEntries.Problems(placements.Decide(spec)) is { Length: > 0 } problems) throw new UnplaceableException(problems);
            var changed = current is null || current != spec;
            // Operator state of VMs that left the fleet is dropped, so a VM re-added later starts fresh; `up` also
            // clears "stopped by hand", as `docker compose up` starts stopped containers.
            var admin = state.Admin.Values
                .Where(a => spec.FindVm(a.Name) is not null)
                .Select(a => request.StartStopped && a.Running == false ? a with { Running = null, RestartNonce = a.RestartNonce + 1 } : a)
                .ToArray();
            await store.ReplaceVmAdminAsync(admin, ct);
            var fleetAdmin = new FleetAdminRecord(Active: true, PurgeRemoved: false);
            await store.SetFleetAdminAsync(fleetAdmin, ct);
            lock (state.Gate)
            {
                state.Admin = admin.ToDictionary(a => a.Name, StringComparer.Ordinal);
                state.FleetAdmin = fleetAdmin;
            }
            await state.Replicas.PublishAsync(StoreChangeKind.OperatorState, ct: ct);
            if (changed)
                await CommitAsync(spec, request.Message, request.FileName, Gated(plan, spec), rollbackOf: null, request.AutoRollback,
                    request.ConfirmTimeout, GenerationStatus.Superseded, previousReason: null, request.Author, ct,
                    specJson: ReferenceEquals(spec, early) ? earlyJson : null);
            else
                await delivery.PushAsync(ct);
            IReadOnlyDictionary<string, string> placed;
            lock (state.Gate) placed = state.Placement;
            return new ApplyResponse(state.Current!.Number, state.Revision, changed,
                PlanEntries.Of(plan).Select(e => e with { Agent = e.Action == PlanAction.Delete ? null : placed.GetValueOrDefault(e.Vm) }).ToArray(),
                PlanEntries.FleetChanges(current, spec));
        }
        finally
        {
            state.Writes.Release();
        }
    }

    /// <summary>
    /// Commits a new generation whose content equals generation <c>To</c> (default: the last good one before the
    /// current) and rolls it out like an apply. The generation it leaves is marked rolled back.
    /// </summary>
    public async Task<ApplyResponse> RollbackAsync(RollbackRequest request, CancellationToken ct)
    {
        await state.Writes.WaitAsync(ct);
        try
        {
            await CatchUpAsync(ct);
            var current = state.Current ?? throw new RollbackTargetException("Nothing was applied yet, so there is nothing to roll back to.");
            var target = request.To is { } to
                ? await store.GetGenerationAsync(to, ct) ?? throw new RollbackTargetException($"There is no generation {to}.")
                : await PreviousGoodAsync(current.Number, ct) ?? throw new RollbackTargetException($"No earlier generation than {current.Number} came up healthy; name one with --to.");
            if (target.Number == current.Number) throw new RollbackTargetException($"Generation {target.Number} is already current.");
            return await RollBackToAsync(target, request.Message ?? $"rollback to generation {target.Number}", "rollback",
                GenerationStatus.RolledBack, null, request.AutoRollback, request.ConfirmTimeout, request.Author, ct);
        }
        finally
        {
            state.Writes.Release();
        }
    }

    /// <summary>The VMs a generation's gate waits for: created, replaced or updated, and meant to run.</summary>
    private string[] Gated(IEnumerable<VmChange> plan, FleetSpec spec) =>
        plan.Where(c => c.Kind is VmChangeKind.Create or VmChangeKind.Replace or VmChangeKind.Update)
            .Select(c => c.Vm).Where(name => state.ShouldRun(spec.FindVm(name)!)).ToArray();

    private async Task<GenerationRecord?> PreviousGoodAsync(long before, CancellationToken ct) =>
        (await store.ListGenerationsAsync(ct)).Where(g => g.Number < before && g.Confirmed).MaxBy(g => g.Number);

    /// <summary>Commits a generation with <paramref name="target"/>'s content; the caller holds the write lock.</summary>
    private async Task<ApplyResponse> RollBackToAsync(GenerationRecord target, string message, string source, GenerationStatus leavingStatus,
        string? leavingReason, bool autoRollback, TimeSpan? confirmTimeout, string? author, CancellationToken ct)
    {
        var spec = FleetJson.Deserialize(target.SpecJson);
        // An automatic rollback goes ahead regardless (agents that still cache the image boot it; others report the
        // VM failed); one asked for by hand is refused while an image it needs was collected.
        if (source == "rollback" && images is not null)
        {
            await images.RefreshAsync(ct);
            images.EnsureStored(spec);
        }
        var previous = state.Spec;
        var plan = FleetDiff.Compare(previous, spec, state.Current?.Number);
        await CommitAsync(spec, message, source, Gated(plan, spec), target.Number, autoRollback, confirmTimeout, leavingStatus, leavingReason, author, ct);
        return new ApplyResponse(state.Current!.Number, state.Revision, true, PlanEntries.Of(plan), PlanEntries.FleetChanges(previous, spec));
    }

    /// <summary>
    /// Appends a generation (marking the current one <paramref name="previousStatus"/> in the same transaction), sends
    /// it to the agents and starts its health gate. The caller holds the write lock.
    /// </summary>
    /// <param name="specJson"><paramref name="spec"/> as JSON when an apply made it before taking the lock; else made here.</param>
    private async Task CommitAsync(FleetSpec spec, string? message, string source, string[] gated, long? rollbackOf, bool autoRollback,
        TimeSpan? confirmTimeout, GenerationStatus previousStatus, string? previousReason, string? author, CancellationToken ct,
        string? specJson = null)
    {
        var deadline = gated.Length > 0 ? DateTimeOffset.UtcNow + (confirmTimeout ?? ApplyRequest.DefaultConfirmTimeout) : (DateTimeOffset?)null;
        var record = await store.CommitGenerationAsync(
            new NewGeneration(specJson ?? FleetJson.Serialize(spec), message, source, System.Text.Json.JsonSerializer.Serialize(gated, StateJsonContext.Default.StringArray), rollbackOf, autoRollback, deadline, author),
            state.CurrentGeneration, state.Current is null ? GenerationStatus.Superseded : previousStatus, previousReason, ct);
        lock (state.Gate)
        {
            state.Spec = spec;
            state.Current = record;
        }
        journal.Record("generation", null, $"Generation {record.Number} committed from {source}" + (message is { } m ? $": {m}" : "")
            + (gated.Length > 0 ? $"; rolling out {RolloutRunner.Names(gated)}" : ""));
        await state.Replicas.PublishAsync(StoreChangeKind.Generation, ct: ct);
        await delivery.PushAsync(ct);
        StartGate(record, gated);
    }

    /// <summary>
    /// Records the verdict of <paramref name="record"/>'s health gate: confirmed (with the image digests it booted),
    /// or failed, and then rolled back automatically to the last confirmed generation when it asked for that.
    /// </summary>
    private async Task FinishRolloutAsync(GenerationRecord record, bool passed, string? reason, CancellationToken ct)
    {
        await state.Writes.WaitAsync(ct);
        try
        {
            if (state.Current?.Number != record.Number) return; // a newer generation took over meanwhile
            // Only the leader records a verdict, once: a replica that lost the lead leaves it to the next leader, which
            // resumes the gate; and the store must still have this generation rolling out (no other verdict yet).
            if (!state.Replicas.IsLeader) return;
            if (state.Replicas.IsShared && await store.GetCurrentGenerationAsync(ct) is var stored
                && (stored?.Number != record.Number || stored.Status != GenerationStatus.RollingOut)) return;
            if (passed)
            {
                await store.SetGenerationStatusAsync(record.Number, GenerationStatus.Active, null, confirmed: true, ct);
                // Pin what "this generation" booted: the digest each image resolved to on its host.
                var digests = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var vm in state.Spec.Vms)
                    if (view.FindObserved(vm.Name)?.ImageDigest is { } digest) digests.TryAdd(vm.Image, digest);
                await store.SetGenerationImageDigestsAsync(record.Number, System.Text.Json.JsonSerializer.Serialize(digests, StateJsonContext.Default.SortedDictionaryStringString), ct);
                lock (state.Gate)
                {
                    state.Current = state.Current with { Status = GenerationStatus.Active, Confirmed = true };
                    state.Rollout = state.Rollout! with { State = RolloutState.Succeeded, Waiting = [] };
                }
                journal.Record("rollout", null, $"Rollout of generation {record.Number} succeeded: every changed VM is healthy");
                await state.Replicas.PublishAsync(StoreChangeKind.Generation, ct: ct);
                state.NotifyChanged();
                return;
            }
            journal.Record("rollout", null, $"Rollout of generation {record.Number} failed: {reason}");
            var target = record.AutoRollback ? await PreviousGoodAsync(record.Number, ct) : null;
            if (target is null)
            {
                await store.SetGenerationStatusAsync(record.Number, GenerationStatus.Failed, reason, confirmed: false, ct);
                lock (state.Gate)
                {
                    state.Current = state.Current with { Status = GenerationStatus.Failed, Reason = reason };
                    state.Rollout = state.Rollout! with { State = RolloutState.Failed, Reason = reason };
                }
                await state.Replicas.PublishAsync(StoreChangeKind.Generation, ct: ct);
                state.NotifyChanged();
                return;
            }
            journal.Record("rollback", null, $"Automatic rollback from generation {record.Number} to the content of generation {target.Number}");
            // Not cancellable from here on: committing the rollback ends this gate (and cancels its token).
            await RollBackToAsync(target, $"automatic rollback: generation {record.Number} failed its health gate", "auto-rollback",
                GenerationStatus.Failed, reason, autoRollback: false, confirmTimeout: null, author: "hangar", CancellationToken.None);
        }
        finally
        {
            state.Writes.Release();
        }
    }
}
