using Hangar.ControlPlane.Metrics;
using Hangar.Protocol.Api;
using Hangar.State;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Runs the health gate (<see cref="RolloutGate"/>) of the current generation: one gate at a time, re-evaluated at
/// every change of the fleet and at its deadline, until it has a verdict, which it hands to the caller's handler
/// (the <see cref="GenerationLedger"/> marks the generation and may roll back). A newer generation ends the older gate.
/// </summary>
/// <remarks>
/// Everything a gate needs is persisted with its generation (status <c>rolling-out</c>, the changed VMs, the
/// deadline), so the runner holds nothing that cannot be rebuilt: a control plane that restarts calls
/// <see cref="Resume"/>. That is also the seam for leader-owned rollouts with several control planes: only the
/// leader runs gates; one that becomes leader calls <see cref="Resume"/> for the current generation, and one that
/// loses leadership disposes its runner (its gate then ends without a verdict, to be resumed by the next leader).
/// <see cref="Start"/>, <see cref="Resume"/> and <see cref="Cancel"/> are called by the holder of
/// <see cref="FleetState.Writes"/> (or during start-up, before anything else runs).
/// </remarks>
internal sealed class RolloutRunner(FleetState state, FleetStatusView view, EventJournal journal, ILogger logger, ControlPlaneMetrics metrics) : IAsyncDisposable
{
    /// <summary>Acts on a gate's verdict: <paramref name="passed"/>, or failed for <paramref name="reason"/>.</summary>
    public delegate Task VerdictHandler(GenerationRecord record, bool passed, string? reason, CancellationToken ct);

    /// <summary>Agents report again when they reconnect: a resumed gate waits at least this long.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private Task _task = Task.CompletedTask;
    private CancellationTokenSource? _cts;

    /// <summary>Starts the health gate of <paramref name="record"/> (ending any gate of an earlier generation).</summary>
    /// <param name="revision">The first desired-state revision that carries the generation; older reports do not count.</param>
    public void Start(GenerationRecord record, IReadOnlyList<string> gated, long revision, VerdictHandler onVerdict)
    {
        _cts?.Cancel();
        if (gated.Count == 0)
        {
            lock (state.Gate) state.Rollout = new RolloutInfo(record.Number, RolloutState.Succeeded, null, null, []);
            Ended("succeeded", TimeSpan.Zero);
            return;
        }
        var grace = DateTimeOffset.UtcNow + Grace;
        var deadline = record.ConfirmDeadline is { } d && d > grace ? d : grace;
        var gate = new RolloutGate(record.Number, revision, gated, deadline);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _cts = cts;
        lock (state.Gate) state.Rollout = new RolloutInfo(record.Number, RolloutState.Running, null, deadline, gated.Take(RolloutInfo.MaxWaitingListed).ToArray(), gated.Count);
        journal.Record("rollout", null, $"Rollout of generation {record.Number} started: waiting for {Names(gated)} to be healthy until {deadline:HH:mm:ss}");
        _task = Task.Run(() => RunAsync(record, gate, onVerdict, cts.Token));
    }

    /// <summary>
    /// Carries on with the gate of <paramref name="rolling"/>, a generation still rolling out when the control plane
    /// stopped. Agents report again when they reconnect, so the gate gets at least a short grace even if its
    /// deadline passed meanwhile.
    /// </summary>
    /// <param name="why">What the event says after "Resuming the rollout of generation N": after a restart, or on
    /// becoming the replicas' leader.</param>
    public void Resume(GenerationRecord rolling, VerdictHandler onVerdict, string why = "after a restart")
    {
        journal.Record("rollout", null, $"Resuming the rollout of generation {rolling.Number} {why}");
        long revision;
        lock (state.Gate) revision = state.Replicas.IsShared ? 0 : state.Revision + 1;
        Start(rolling, System.Text.Json.JsonSerializer.Deserialize(rolling.ChangedVms, StateJsonContext.Default.StringArray) ?? [], revision, onVerdict);
    }

    /// <summary>The first names of <paramref name="vms"/> and how many more, so that an event does not grow with the fleet.</summary>
    internal static string Names(IReadOnlyList<string> vms) =>
        string.Join(", ", vms.Take(RolloutInfo.MaxWaitingListed)) + (vms.Count > RolloutInfo.MaxWaitingListed ? $" and {vms.Count - RolloutInfo.MaxWaitingListed} more" : "");

    /// <summary>Ends the running gate without a verdict (<c>hangar down</c>: nothing is meant to run).</summary>
    public void Cancel() => _cts?.Cancel();

    /// <summary>Counts a rollout that ended, with how long its gate ran.</summary>
    private void Ended(string outcome, TimeSpan duration)
    {
        metrics.Rollouts.Inc(outcome);
        metrics.RolloutDuration.Observe(duration.TotalSeconds, outcome);
    }

    private async Task RunAsync(GenerationRecord record, RolloutGate gate, VerdictHandler onVerdict, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            // The gate looks again only at the VMs that changed since its last step (all of them at first) and keeps
            // the statuses of the VMs it gates, so a report of one VM costs one VM, not the fleet.
            using var changes = state.Subscribe();
            var order = new Dictionary<string, int>(gate.Vms.Count, StringComparer.Ordinal);
            for (var i = 0; i < gate.Vms.Count; i++) order.TryAdd(gate.Vms[i], i);
            var statuses = new Dictionary<string, VmStatus?>(order.Count, StringComparer.Ordinal);
            var pending = new SortedSet<int>(); // indices of the gated VMs not (yet) healthy
            while (true)
            {
                var changed = state.WhenChangedAsync(ct);
                var (all, names) = changes.Take();
                foreach (var name in all ? gate.Vms : names.Where(order.ContainsKey))
                {
                    var vm = view.Vm(name);
                    statuses[name] = vm;
                    if (vm is not null && gate.IsHealthy(vm)) pending.Remove(order[name]);
                    else pending.Add(order[name]);
                }
                Hangar.Spec.FleetSpec spec;
                lock (state.Gate)
                {
                    spec = state.Spec;
                    // Only this gate's own rollout: a newer one may have started while this one was being cancelled.
                    if (state.Rollout is { State: RolloutState.Running } rollout && rollout.Generation == record.Number)
                        state.Rollout = rollout with
                        {
                            Waiting = pending.Take(RolloutInfo.MaxWaitingListed).Select(i => gate.Vms[i]).ToArray(),
                            WaitingCount = pending.Count,
                        };
                }
                if (gate.Evaluate(pending.Select(i => gate.Vms[i]).ToArray(), name => statuses.GetValueOrDefault(name), spec, DateTimeOffset.UtcNow) is { } verdict)
                {
                    Ended(verdict.Passed ? "succeeded" : "failed", System.Diagnostics.Stopwatch.GetElapsedTime(started));
                    await onVerdict(record, verdict.Passed, verdict.Reason, ct);
                    return;
                }
                var untilDeadline = gate.Deadline - DateTimeOffset.UtcNow;
                await Task.WhenAny(changed, Task.Delay(untilDeadline > TimeSpan.Zero ? untilDeadline : TimeSpan.Zero, ct));
                ct.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Superseded by a newer generation or ended by down (counted), or the control plane is stopping (the gate
            // resumes on restart: not an end).
            if (!_stopping.IsCancellationRequested) Ended("cancelled", System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e)
        {
            logger.LogError(e, "The rollout of generation {Generation} failed", record.Number);
        }
    }

    /// <summary>Ends the running gate (it resumes when the control plane starts again) and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try { await _task; }
        catch (OperationCanceledException) { }
    }
}
