using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.ControlPlane.Tests.Fleet;

public sealed class RolloutGateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly FleetSpec Spec = new(new ValueList<VmSpec>([
        new VmSpec("web", "tiny", 1, ByteSize.FromMiB(128), null, null, ValueList<PortForward>.Empty, true, RestartPolicy.Always,
            new HealthCheckSpec("ready", null, TimeSpan.FromSeconds(10)))]), ValueList<ImageSpec>.Empty);

    private static RolloutGate Gate() => new(2, Revision: 10, ["web"], Now.AddMinutes(1));

    private static FleetStatus Status(VmPhase phase, HealthState health, long revision, string? error = null, string[]? tail = null) =>
        new(2, 10, true, [new VmStatus("web", "tiny", 1, "128MiB", true, "a", phase, null, health, "tcg", 1, [], error, 0, null, 2, revision, tail)], []);

    [Fact]
    public void Evaluate_HealthyAtRevision_Passes() =>
        Assert.Equal((true, (string?)null), Gate().Evaluate(Status(VmPhase.Running, HealthState.Healthy, 10), Spec, Now));

    [Fact]
    public void Evaluate_HealthyButOlderRevision_KeepsWaiting() =>
        Assert.Null(Gate().Evaluate(Status(VmPhase.Running, HealthState.Healthy, 9), Spec, Now));

    [Fact]
    public void Evaluate_Unhealthy_FailsWithCheckAndConsoleLines()
    {
        var verdict = Gate().Evaluate(Status(VmPhase.Running, HealthState.Unhealthy, 10, tail: ["boot", "oops"]), Spec, Now);
        Assert.NotNull(verdict);
        Assert.False(verdict.Value.Passed);
        Assert.Contains("VM web", verdict.Value.Reason);
        Assert.Contains("serial \"ready\" within 10s", verdict.Value.Reason);
        Assert.Contains("oops", verdict.Value.Reason);
    }

    [Fact]
    public void Evaluate_FailedToStart_FailsAtOnce()
    {
        var verdict = Gate().Evaluate(Status(VmPhase.Failed, HealthState.Unknown, 10, error: "port in use"), Spec, Now);
        Assert.Contains("could not start: port in use", verdict!.Value.Reason);
    }

    [Theory]
    [InlineData(VmPhase.Stopping)]
    [InlineData(VmPhase.Backoff)]
    public void Evaluate_RestartingForItsHealth_FailsAtOnceWithWhy(VmPhase phase)
    {
        var status = Status(phase, HealthState.Unknown, 10, error: "Restarted after its health check failed: refused");
        status = status with { Vms = [status.Vms[0] with { BackoffCause = RestartCause.Unhealthy }] };
        var verdict = Gate().Evaluate(status, Spec, Now);
        Assert.False(verdict!.Value.Passed);
        Assert.Contains("did not pass, and it is being restarted: Restarted after its health check failed: refused", verdict.Value.Reason);
    }

    [Fact]
    public void Evaluate_BackoffAfterACrash_KeepsWaitingForTheRestart()
    {
        var status = Status(VmPhase.Backoff, HealthState.Unknown, 10, error: "QEMU exited unexpectedly");
        status = status with { Vms = [status.Vms[0] with { BackoffCause = RestartCause.Exited }] };
        Assert.Null(Gate().Evaluate(status, Spec, Now));
    }

    [Fact]
    public void Evaluate_StillStartingBeforeDeadline_Waits() =>
        Assert.Null(Gate().Evaluate(Status(VmPhase.Running, HealthState.Starting, 10), Spec, Now.AddSeconds(59)));

    [Fact]
    public void Evaluate_StillStartingAfterDeadline_FailsNamingTheTimeout()
    {
        var verdict = Gate().Evaluate(Status(VmPhase.Backoff, HealthState.Unknown, 10), Spec, Now.AddMinutes(2));
        Assert.False(verdict!.Value.Passed);
        Assert.Contains("not healthy within the confirm timeout", verdict.Value.Reason);
    }

    [Fact]
    public void Waiting_ListsVmsNotYetHealthy()
    {
        Assert.Equal(["web"], Gate().Waiting(Status(VmPhase.Starting, HealthState.Unknown, 10)));
        Assert.Empty(Gate().Waiting(Status(VmPhase.Running, HealthState.Healthy, 10)));
    }
}
