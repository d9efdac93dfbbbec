using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Agent;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Moves one VM from one agent to another for a drain (<see cref="AgentDrain"/>), never running it on both: held
/// stopped on the agent it is on (<see cref="FleetState.DrainHeld"/>) until that agent reports it stopped, then placed
/// on the other (persisted first) and waited for until it is running and healthy there, as the health gate judges it
/// (<see cref="RolloutGate"/>). Each wait is woken by the fleet's change signal and ends at one deadline for the move,
/// on the registry's clock. One handover at a time per instance; <see cref="ReleaseAsync"/> lets go of a VM still held.
/// </summary>
/// <param name="stopping">Cancelled when the control plane stops: a VM held then is not sent anything more.</param>
internal sealed class VmHandover(FleetState state, AgentRegistry agents, PlacementBook placements, DesiredStateDelivery delivery,
    FleetStatusView view, EventJournal journal, CancellationToken stopping)
{
    private string? _held; // under the gate

    private TimeProvider Time => agents.Time;

    /// <summary>Why a handover did not work; <see cref="Stopping"/> when the VM did not stop, so it never left its agent.</summary>
    public sealed record Failure(bool Stopping, string Reason);

    private sealed record Verdict(bool Passed, string? Reason)
    {
        public static readonly Verdict Pass = new(true, null);
    }

    /// <summary>
    /// Stops <paramref name="vm"/> on <paramref name="from"/>, places it on <paramref name="to"/> and waits until it is
    /// healthy there, all within <paramref name="timeout"/>; null when it is. A VM that should not run is only placed.
    /// <paramref name="placed"/> is called once it is placed on <paramref name="to"/> and about to be waited for.
    /// </summary>
    public async Task<Failure?> MoveAsync(string vm, string from, string to, TimeSpan timeout, Func<Task> placed, CancellationToken ct)
    {
        var deadline = Time.GetUtcNow() + timeout;
        bool shouldRun;
        lock (state.Gate) shouldRun = state.Spec.FindVm(vm) is { } spec && state.ShouldRun(spec);
        if (shouldRun)
        {
            var held = await HoldAsync(vm, from, ct);
            if (await WaitForAsync(() => IsStopped(vm, from, held) ? Verdict.Pass : null, deadline, ct) is null)
            {
                var seen = view.Vm(vm);
                await ReleaseAsync();
                return new Failure(true, $"it did not stop on {from} within {Duration(timeout)} (phase {seen?.Phase.ToString().ToLowerInvariant() ?? "unknown"})");
            }
        }
        var revision = await PlaceAsync(vm, to);
        if (!shouldRun) return null;
        journal.Record("agent.drain", vm, $"Stopped on {from}; starting it on {to}", from);
        await placed();
        var gate = new RolloutGate(0, revision, [vm], deadline);
        var verdict = await WaitForAsync(() => Evaluate(gate, vm), deadline, ct) ?? Evaluate(gate, vm)
            ?? new Verdict(false, $"VM {vm}: it was not healthy within {Duration(timeout)}");
        return verdict.Passed ? null : new Failure(false, verdict.Reason!);
    }

    /// <summary>Lets go of the VM held stopped, if any, so it runs where it is again (unless the control plane is stopping).</summary>
    public async Task ReleaseAsync()
    {
        string? vm;
        lock (state.Gate)
        {
            vm = _held;
            if (vm is null) return;
            state.DrainHeld.Remove(vm);
            _held = null;
        }
        if (stopping.IsCancellationRequested) return;
        await state.Writes.WaitAsync(CancellationToken.None);
        try { await delivery.PushVmsAsync([vm], CancellationToken.None); }
        finally { state.Writes.Release(); }
    }

    private Verdict? Evaluate(RolloutGate gate, string vm)
    {
        Hangar.Spec.FleetSpec spec;
        lock (state.Gate) spec = state.Spec;
        return gate.Evaluate([vm], view.Vm, spec, Time.GetUtcNow()) is { } v ? new Verdict(v.Passed, v.Reason) : null;
    }

    /// <summary>Whether <paramref name="agent"/> reports <paramref name="vm"/> stopped since it was sent the hold (revision <paramref name="held"/>).</summary>
    private bool IsStopped(string vm, string agent, long held) =>
        view.Vm(vm) is not { Removed: false } seen
        || (seen.Agent == agent && seen.ObservedRevision >= held && seen.Phase is VmPhase.Stopped or VmPhase.Failed);

    /// <summary>Holds <paramref name="vm"/> stopped and sends that to its agent; the revision that carries it there.</summary>
    private async Task<long> HoldAsync(string vm, string agent, CancellationToken ct)
    {
        await state.Writes.WaitAsync(ct);
        try
        {
            lock (state.Gate)
            {
                state.DrainHeld.Add(vm);
                _held = vm;
            }
            await delivery.PushVmsAsync([vm], CancellationToken.None);
            lock (state.Gate) return agents.Find(agent)?.Desired.RevisionOf(vm) ?? 0;
        }
        finally
        {
            state.Writes.Release();
        }
    }

    /// <summary>
    /// Places <paramref name="vm"/> on <paramref name="to"/> (persisted first), lets go of it and sends it there; the
    /// agent it leaves is sent it stopped until it reports so (<see cref="FleetState.Leaving"/>). Not cancelled half-way:
    /// the placement in the store and in memory must agree. The revision that carries it to <paramref name="to"/>.
    /// </summary>
    private async Task<long> PlaceAsync(string vm, string to)
    {
        await state.Writes.WaitAsync(CancellationToken.None);
        try
        {
            await placements.MoveAsync(vm, to, CancellationToken.None);
            lock (state.Gate)
            {
                state.DrainHeld.Remove(vm);
                _held = null;
            }
            await delivery.PushVmsAsync([vm], CancellationToken.None);
            lock (state.Gate) return agents.Find(to)?.Desired.RevisionOf(vm) ?? 0;
        }
        finally
        {
            state.Writes.Release();
        }
    }

    /// <summary>
    /// The first non-null answer of <paramref name="check"/>, asked now and at every change of the fleet, or null once
    /// <paramref name="deadline"/> passed (on the registry's clock).
    /// </summary>
    private async Task<T?> WaitForAsync<T>(Func<T?> check, DateTimeOffset deadline, CancellationToken ct) where T : class
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var left = deadline - Time.GetUtcNow();
        var timeout = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, Time, cts.Token);
        try
        {
            while (true)
            {
                var changed = state.WhenChangedAsync(cts.Token);
                if (check() is { } answer) return answer;
                if (timeout.IsCompleted) return null;
                await Task.WhenAny(changed, timeout);
                ct.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            await cts.CancelAsync();
        }
    }

    /// <summary><c>20s</c>, <c>5m</c>, <c>1h</c>: as the CLI's <c>--timeout</c> is written.</summary>
    internal static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalHours % 1 == 0 ? $"{t.TotalHours:0}h" : t.TotalMinutes >= 1 && t.TotalMinutes % 1 == 0 ? $"{t.TotalMinutes:0}m" : $"{t.TotalSeconds:0}s";
}
