using Microsoft.Extensions.Time.Testing;

namespace Hangar.Agent.Tests.Health;

/// <summary>
/// A fake clock that counts the timers created on it, so a test advances time only after the code under test
/// started the wait that the advance is meant to end (advancing before would be lost).
/// </summary>
internal sealed class TimerCountingTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }

    /// <summary>Waits until more than <paramref name="before"/> timers were created.</summary>
    public async Task WaitForTimerAsync(int before)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        // The code under test runs on the thread pool and signals nothing when it starts a wait; ask often.
        while (TimersCreated <= before)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The monitor started no wait within 10 s");
            await Task.Delay(5);
        }
    }
}
