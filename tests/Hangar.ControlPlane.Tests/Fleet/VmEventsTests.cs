using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;

namespace Hangar.ControlPlane.Tests.Fleet;

public sealed class VmEventsTests
{
    private static ObservedVm Vm(VmPhase phase, HealthState health = HealthState.Unknown, string? detail = null) =>
        new("web", phase, detail, health, "tcg", 4242, [], null, 0, null, 1, 1);

    [Fact]
    public void Between_StartedOrAdopted_SaysWhich()
    {
        var starting = Vm(VmPhase.Starting);
        Assert.Equal([("vm.started", "Started (pid 4242, tcg)")], VmEvents.Between(starting, Vm(VmPhase.Running)).ToArray());
        // The detail text is for people; the flag decides.
        Assert.Equal([("vm.started", "Adopted a running QEMU")],
            VmEvents.Between(starting, Vm(VmPhase.Running, detail: "found running") with { Adopted = true }).ToArray());
        Assert.Equal([("vm.started", "Started (pid 4242, tcg)")], VmEvents.Between(starting, Vm(VmPhase.Running, detail: "adopted")).ToArray());
    }

    [Fact]
    public void Between_BackoffForHealth_IsAHealthRestartNotACrash()
    {
        var running = Vm(VmPhase.Running, HealthState.Unhealthy);
        Assert.Equal([("vm.health-restart", "unhealthy (refused); restart in 1s")],
            VmEvents.Between(running, Vm(VmPhase.Backoff, detail: "unhealthy (refused); restart in 1s") with { BackoffCause = RestartCause.Unhealthy }).ToArray());
        Assert.Equal([("vm.crashed", "QEMU exited unexpectedly; restart in 1s")],
            VmEvents.Between(running, Vm(VmPhase.Backoff, detail: "QEMU exited unexpectedly; restart in 1s") with { BackoffCause = RestartCause.Exited }).ToArray());
    }

    [Fact]
    public void Between_HealthChange_CarriesWhatTheCheckSaw() =>
        Assert.Equal([("vm.health", "Health is unhealthy: GET / on port 80 answered 500, expected 200-399 (3 checks in a row failed)")],
            VmEvents.Between(Vm(VmPhase.Running, HealthState.Healthy),
                Vm(VmPhase.Running, HealthState.Unhealthy) with { HealthDetail = "GET / on port 80 answered 500, expected 200-399 (3 checks in a row failed)" }).ToArray());
}
