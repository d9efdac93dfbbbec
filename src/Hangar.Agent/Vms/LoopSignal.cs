namespace Hangar.Agent.Vms;

/// <summary>
/// Wakes a <see cref="VmSupervisor"/>'s loop when something it acts on changed (a new desired state, a health restart
/// asked for). Signals made while the loop works are kept, and any number of them make one wake-up: the loop looks at
/// everything on each pass. A wait that ends for another reason (the VM exited, a backoff ran out) loses no signal.
/// </summary>
/// <remarks>Not disposable: <see cref="Set"/> may come after the loop ended, and a semaphore without a wait handle holds nothing to free.</remarks>
public sealed class LoopSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Wakes the loop now, or on its next wait (thread-safe).</summary>
    public void Set()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { } // already signalled: one wake-up covers every change
    }

    /// <summary>
    /// Waits for a signal, for <paramref name="ended"/> to complete, or for <paramref name="until"/> on
    /// <paramref name="time"/>'s clock, whichever comes first.
    /// </summary>
    /// <param name="ended">Something that also ends the wait (the running VM's exit); null: nothing.</param>
    /// <param name="until">A moment that also ends the wait (the end of a backoff); null: none.</param>
    public async Task WaitAsync(Task? ended, DateTimeOffset? until, TimeProvider time, CancellationToken ct)
    {
        // The wait on the signal must end with this call: a waiter left behind would swallow the next signal.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waits = new List<Task> { _signal.WaitAsync(wait.Token) };
        if (ended is not null) waits.Add(ended);
        if (until is { } deadline)
        {
            var left = deadline - time.GetUtcNow();
            waits.Add(Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, wait.Token));
        }
        var first = await Task.WhenAny(waits);
        await wait.CancelAsync();
        if (first != waits[0])
        {
            try { await waits[0]; Set(); } // it won the race after all: keep the signal for the next wait
            catch (OperationCanceledException) { }
        }
        ct.ThrowIfCancellationRequested();
    }
}
