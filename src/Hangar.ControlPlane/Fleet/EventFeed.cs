namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Tells whoever follows the events (<c>GET /api/v1/events?follow=true</c>) that the store holds new ones: this
/// replica's <see cref="EventJournal"/> wrote a batch, or another replica's notice said it did. It carries no events;
/// a follower reads the store after the last id it sent, so a slow follower costs the store a read per wake-up and
/// the server nothing per event (no queue per follower to grow), and a follower never misses an event between two
/// signals: it takes <see cref="WhenAppendedAsync"/> before it reads.
/// </summary>
internal sealed class EventFeed
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = NewSignal();

    /// <summary>Completes at the next <see cref="Signal"/> after the call (or when <paramref name="ct"/> is cancelled).</summary>
    public Task WhenAppendedAsync(CancellationToken ct)
    {
        lock (_gate) return _next.Task.WaitAsync(ct);
    }

    /// <summary>New events are in the store: wakes every follower once.</summary>
    public void Signal()
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            fired = _next;
            _next = NewSignal();
        }
        fired.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
