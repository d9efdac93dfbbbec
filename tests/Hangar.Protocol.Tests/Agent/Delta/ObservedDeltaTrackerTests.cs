using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Delta;
using Xunit;

namespace Hangar.Protocol.Tests.Agent.Delta;

public sealed class ObservedDeltaTrackerTests
{
    private static ObservedVm Vm(string name, VmPhase phase = VmPhase.Running, long revision = 1) =>
        new(name, phase, null, HealthState.Healthy, "tcg", 100, ["8080:80/tcp"], null, 0, null, 1, revision);

    private static ObservedStateMessage State(long revision, params ObservedVm[] vms) => new(1, revision, vms);

    [Fact]
    public void AfterTheFirstReport_OnlyTheChangedVmTravels_AndNoChangeSendsNothing()
    {
        var tracker = new ObservedDeltaTracker();
        var vms = Enumerable.Range(0, 1200).Select(i => Vm($"vm{i}")).ToArray();

        var first = tracker.Next(State(1, vms));
        Assert.Equal(3, first.Count); // whole, in frames of 500
        Assert.All(first, f => Assert.IsType<ObservedStateMessage>(f));

        // New lists, same content: nothing to say.
        Assert.Empty(tracker.Next(State(1, vms.Select(v => v with { Forwards = ["8080:80/tcp"] }).ToArray())));

        vms[7] = vms[7] with { Phase = VmPhase.Stopping };
        var delta = Assert.IsType<ObservedDeltaMessage>(Assert.Single(tracker.Next(State(1, vms))));
        Assert.Equal("vm7", Assert.Single(delta.Changed).Name);
        Assert.Empty(delta.Removed);
        Assert.Null(delta.Orphans);
    }

    [Fact]
    public void VmGoneAndRevisionMoved_AreReported()
    {
        var tracker = new ObservedDeltaTracker();
        tracker.Next(State(1, Vm("a"), Vm("b")));

        var delta = Assert.IsType<ObservedDeltaMessage>(Assert.Single(tracker.Next(State(2, Vm("a")))));
        Assert.Empty(delta.Changed);
        Assert.Equal(["b"], delta.Removed);
        Assert.Equal(2, delta.Revision);

        tracker.Reset();
        Assert.IsType<ObservedStateMessage>(Assert.Single(tracker.Next(State(2, Vm("a")))));
    }
}
