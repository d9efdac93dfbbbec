using Hangar.Agent.Tests.Health;
using Hangar.Agent.Vms;

namespace Hangar.Agent.Tests.Vms;

/// <summary>The supervisor loop's wake-up: signals kept and merged, and the other ends of a wait.</summary>
public sealed class LoopSignalTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private readonly TimerCountingTime _time = new(SupervisorHarness.Start);
    private readonly LoopSignal _signal = new();

    [Fact]
    public async Task Set_BeforeTheWait_IsKeptAndEndsItAtOnce()
    {
        _signal.Set();
        await _signal.WaitAsync(null, null, _time, CancellationToken.None).WaitAsync(Limit);
    }

    [Fact]
    public async Task Set_ManyTimes_MakesOneWakeUp()
    {
        _signal.Set();
        _signal.Set();
        _signal.Set();
        await _signal.WaitAsync(null, null, _time, CancellationToken.None).WaitAsync(Limit);

        // The second wait finds no signal left: it ends at its deadline, not before.
        var timers = _time.TimersCreated;
        var second = _signal.WaitAsync(null, SupervisorHarness.Start + TimeSpan.FromSeconds(5), _time, CancellationToken.None);
        await _time.WaitForTimerAsync(timers, TimeSpan.FromSeconds(5));
        Assert.False(second.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(5));
        await second.WaitAsync(Limit);
    }

    [Fact]
    public async Task Set_DuringAWait_EndsIt()
    {
        var timers = _time.TimersCreated;
        var wait = _signal.WaitAsync(null, SupervisorHarness.Start + TimeSpan.FromHours(1), _time, CancellationToken.None);
        await _time.WaitForTimerAsync(timers);
        Assert.False(wait.IsCompleted);
        _signal.Set();
        await wait.WaitAsync(Limit);
    }

    [Fact]
    public async Task Wait_EndedByTheVmsExit_LeavesNoWaiterBehind_SoTheNextSignalIsSeen()
    {
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = _signal.WaitAsync(exited.Task, null, _time, CancellationToken.None);
        exited.SetResult();
        await wait.WaitAsync(Limit);

        // A waiter left behind by the first wait would take this signal, and the next wait would never end.
        _signal.Set();
        await _signal.WaitAsync(null, null, _time, CancellationToken.None).WaitAsync(Limit);
    }

    [Fact]
    public async Task Wait_DeadlinePassedAlready_EndsAtOnce()
    {
        _time.Advance(TimeSpan.FromSeconds(30));
        await _signal.WaitAsync(null, SupervisorHarness.Start, _time, CancellationToken.None).WaitAsync(Limit);
    }

    [Fact]
    public async Task Wait_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        var wait = _signal.WaitAsync(null, null, _time, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Limit));
    }
}
