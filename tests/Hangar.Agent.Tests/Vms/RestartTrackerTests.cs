using Hangar.Agent.Tests.Health;
using Hangar.Agent.Vms;
using Hangar.Qemu;
using Hangar.Spec;

namespace Hangar.Agent.Tests.Vms;

/// <summary>Whether and when a VM starts again: the policy table, backoff growth and reset, holding and restart requests.</summary>
public sealed class RestartTrackerTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly QemuExit Crash = new(false, null), PowerOff = new(true, "guest-shutdown");

    // Without jitter, so that every delay is exact: 1 s doubling to 8 s, the count reset after 2 minutes of running.
    private readonly TimerCountingTime _time = new(SupervisorHarness.Start);
    private readonly RestartTracker _tracker;

    public RestartTrackerTests() => _tracker = new RestartTracker(new Backoff(Second, TimeSpan.FromSeconds(8), 0, TimeSpan.FromMinutes(2)), _time);

    [Theory]
    [InlineData(RestartPolicy.Always, false, true)]
    [InlineData(RestartPolicy.Always, true, true)]
    [InlineData(RestartPolicy.OnFailure, false, true)]
    [InlineData(RestartPolicy.OnFailure, true, false)]
    [InlineData(RestartPolicy.Never, false, false)]
    [InlineData(RestartPolicy.Never, true, false)]
    public void PolicyRestarts_FollowsThePolicyAndHowTheVmEnded(RestartPolicy policy, bool guestPowerOff, bool expected) =>
        Assert.Equal(expected, RestartTracker.PolicyRestarts(policy, guestPowerOff ? PowerOff : Crash));

    [Fact]
    public void Failed_InARow_DelayDoublesUpToTheMax_AndSetsNotBefore()
    {
        var delays = Enumerable.Range(0, 5).Select(_ => _tracker.Failed().TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 8], delays);
        Assert.Equal(SupervisorHarness.Start + TimeSpan.FromSeconds(8), _tracker.NotBefore);
    }

    [Fact]
    public void BackoffOver_OnlyOnceTheClockReachesNotBefore()
    {
        Assert.True(_tracker.BackoffOver); // nothing failed yet
        _tracker.Failed();
        Assert.False(_tracker.BackoffOver);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(_tracker.BackoffOver);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(_tracker.BackoffOver);
    }

    [Fact]
    public void Stopped_AfterALongRun_StartsTheCountAgain_AfterAShortOneGoesOn()
    {
        _tracker.Failed();
        _tracker.Failed();

        Assert.Equal(4, _tracker.Stopped(TimeSpan.FromMinutes(1)).TotalSeconds); // short run: the third in a row
        Assert.Equal(1, _tracker.Stopped(TimeSpan.FromMinutes(2)).TotalSeconds); // ran its reset-after: the first again
        Assert.Equal(2, _tracker.Stopped(Second).TotalSeconds);
    }

    [Fact]
    public void Exited_PolicyAllows_ReturnsTheDelayFromTheSameCount()
    {
        _tracker.Failed();

        var delay = _tracker.Exited(RestartPolicy.OnFailure, Crash, shouldRun: true, ranFor: Second);

        Assert.Equal(TimeSpan.FromSeconds(2), delay);
        Assert.False(_tracker.HeldStopped);
        Assert.Equal(SupervisorHarness.Start + TimeSpan.FromSeconds(2), _tracker.NotBefore);
    }

    [Fact]
    public void Exited_PolicyForbids_HeldStoppedUntilARestartRequest_WhichStartsAfresh()
    {
        _tracker.Failed();
        _tracker.Failed();

        Assert.Null(_tracker.Exited(RestartPolicy.OnFailure, PowerOff, shouldRun: true, ranFor: Second));
        Assert.True(_tracker.HeldStopped);

        _tracker.RestartRequested();
        Assert.False(_tracker.HeldStopped);
        Assert.Null(_tracker.NotBefore);
        Assert.True(_tracker.BackoffOver);
        Assert.Equal(Second, _tracker.Failed()); // the count started again
    }

    [Fact]
    public void Exited_VmShouldNotRun_StaysStoppedWithoutBeingHeld()
    {
        Assert.Null(_tracker.Exited(RestartPolicy.Always, Crash, shouldRun: false, ranFor: Second));
        Assert.False(_tracker.HeldStopped);
        Assert.Null(_tracker.NotBefore);
    }

    [Fact]
    public void Cancel_DropsThePendingStart_ButKeepsTheCount()
    {
        _tracker.Failed();
        _tracker.Cancel();

        Assert.Null(_tracker.NotBefore);
        Assert.Equal(TimeSpan.FromSeconds(2), _tracker.Failed());
    }
}
