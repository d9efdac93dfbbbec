using Microsoft.Extensions.Time.Testing;

namespace Hangar.Agent.Tests.Health;

/// <summary>
/// A fake clock that counts the timers created on it, so a test advances time only after the code under test
/// started the wait that the advance is meant to end (advancing before would be lost).
/// </summary>
internal sealed class TimerCountingTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timers;
    private readonly List<TimeSpan> _dueTimes = [];

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_dueTimes) _dueTimes.Add(dueTime);
        Interlocked.Increment(ref _timers);
        return timer;
    }

    /// <summary>Waits until more than <paramref name="before"/> timers were created.</summary>
    public Task WaitForTimerAsync(int before) => WaitForTimerAsync(before, null);

    /// <summary>
    /// Waits until a timer due in <paramref name="dueTime"/> was created after the first <paramref name="before"/>
    /// (any timer when null): the wait that an advance by that much ends, when other timers come and go meanwhile.
    /// </summary>
    public async Task WaitForTimerAsync(int before, TimeSpan? dueTime)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        // The code under test runs on the thread pool and signals nothing when it starts a wait; ask often.
        while (!Created(before, dueTime))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The code under test started no wait within 10 s");
            await Task.Delay(5);
        }
    }

    private bool Created(int before, TimeSpan? dueTime)
    {
        lock (_dueTimes)
            return dueTime is { } due ? _dueTimes.Skip(before).Contains(due) : _dueTimes.Count > before;
    }
}
