using Hangar.Protocol.Agent;
using Hangar.Spec;
using static Hangar.Agent.Tests.Vms.SupervisorHarness;

namespace Hangar.Agent.Tests.Vms;

/// <summary>What the supervisor does with its health monitor's verdicts: reports them, and restarts as the check and policy say.</summary>
public sealed class VmSupervisorHealthTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>Starts a VM with <paramref name="spec"/> and lets its check pass once; returns when the monitor waits its interval.</summary>
    private static async Task<FakeVm> StartHealthyAsync(SupervisorHarness h, VmSpec spec)
    {
        h.StartSupervisor(spec);
        var vm = await h.WaitForStartAsync(1);
        var timers = h.Time.TimersCreated;
        await vm.Probe!.AnswerAsync(true, "port 80 answered");
        await h.Time.WaitForTimerAsync(timers, Interval);
        return vm;
    }

    [Fact]
    public async Task HealthStates_ReachTheSnapshot()
    {
        await using var h = new SupervisorHarness();
        h.StartSupervisor(TestVm(health: TcpCheck(restart: false, failures: 2)));
        var vm = await h.WaitForStartAsync(1);
        Assert.Equal(HealthState.Starting, (await h.WaitForAsync(s => s.Revision == 1, "revision 1 reached")).Health);

        await h.AdvanceAfterAsync(() => vm.Probe!.AnswerAsync(true, "port 80 answered"), Interval);
        var healthy = await h.WaitForAsync(s => s.Health == HealthState.Healthy, "healthy");
        Assert.Equal("port 80 answered", healthy.HealthDetail);

        await h.AdvanceAfterAsync(() => vm.Probe!.AnswerAsync(false, "refused"), Interval); // one failure: still healthy
        await h.AdvanceAfterAsync(() => vm.Probe!.AnswerAsync(false, "refused"), Interval);
        var unhealthy = await h.WaitForAsync(s => s.Health == HealthState.Unhealthy, "unhealthy");
        Assert.Equal("refused (2 checks in a row failed)", unhealthy.HealthDetail);
        Assert.Equal(VmPhase.Running, unhealthy.Phase); // restart: false
        Assert.DoesNotContain(h.History.TakeWhile(s => s.Health != HealthState.Unhealthy), s => s.HealthDetail?.Contains("refused") == true);

        await vm.Probe!.AnswerAsync(true, "port 80 answered again");
        var again = await h.WaitForAsync(s => s.Health == HealthState.Healthy && s.HealthDetail == "port 80 answered again", "healthy again");
        Assert.Equal(vm.Pid, again.Pid);
        Assert.Equal(0, vm.Stops);
    }

    [Fact]
    public async Task Unhealthy_WithRestartAndPolicyAlways_StopsAndRestartsAfterBackoff()
    {
        await using var h = new SupervisorHarness();
        var first = await StartHealthyAsync(h, TestVm(RestartPolicy.Always, TcpCheck(restart: true)));
        h.Time.Advance(Interval);

        await h.AdvanceAfterAsync(async () =>
        {
            await first.Probe!.AnswerAsync(false, "refused");
            var backoff = await h.WaitForPhaseAsync(VmPhase.Backoff);
            Assert.Equal(RestartCause.Unhealthy, backoff.BackoffCause);
            Assert.Equal(1, backoff.Restarts);
            Assert.Equal("Restarted after its health check failed: refused (1 check failed)", backoff.LastError);
        }, TimeSpan.FromSeconds(1));

        var second = await h.WaitForStartAsync(2);
        Assert.Equal(1, first.Stops);
        Assert.Contains(h.History, s => s.Phase == VmPhase.Stopping && s.BackoffCause == RestartCause.Unhealthy);
        Assert.Equal(HealthState.Starting, h.Supervisor.Snapshot().Health); // the new VM's check starts afresh
        Assert.NotSame(first.Probe, second.Probe);
    }

    [Fact]
    public async Task Unhealthy_WithRestartButPolicyNever_KeepsTheVmRunning()
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm(RestartPolicy.Never, TcpCheck(restart: true));
        var vm = await StartHealthyAsync(h, spec);
        h.Time.Advance(Interval);
        await vm.Probe!.AnswerAsync(false, "refused");
        await h.WaitForAsync(s => s.Health == HealthState.Unhealthy, "unhealthy");

        // The loop has taken the health restart by the time it reaches a later revision.
        h.Update(spec, revision: 2);
        var after = await h.WaitForAsync(s => s.Revision == 2, "revision 2 reached");

        Assert.Equal(VmPhase.Running, after.Phase);
        Assert.Equal(HealthState.Unhealthy, after.Health);
        Assert.Equal(vm.Pid, after.Pid);
        Assert.Equal(0, after.Restarts);
        Assert.Equal(0, vm.Stops);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StopOrRemoval_WhileAHealthRestartIsPending_Wins(bool remove)
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm(RestartPolicy.Always, TcpCheck(restart: true));
        var vm = await StartHealthyAsync(h, spec);

        // Hold the loop in its change callback (it just reached revision 2), then line up a failed check and a stop
        // behind it: when it goes on, it sees both at once.
        var held = h.BlockNextChange();
        h.Update(spec, revision: 2);
        await held.WaitAsync(TimeSpan.FromSeconds(10));
        h.Time.Advance(Interval);
        await vm.Probe!.AnswerAsync(false, "refused");
        await h.WaitForAsync(s => s.Health == HealthState.Unhealthy, "unhealthy");
        if (remove) h.Supervisor.Update(null, 2, 3, purge: false);
        else h.Update(spec, revision: 3, running: false);
        h.Unblock();

        var stopped = await h.WaitForAsync(s => s.Phase == VmPhase.Stopped && s.Revision == 3, "stopped at revision 3");
        if (remove) await h.Supervisor.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(remove ? "removed" : "stop requested", stopped.Detail);
        Assert.Equal(0, stopped.Restarts);
        Assert.Equal(1, vm.Stops);
        Assert.Single(h.Driver.Started);
        Assert.DoesNotContain(h.History, s => s.Phase == VmPhase.Backoff || s.BackoffCause == RestartCause.Unhealthy);
        Assert.Contains(h.History, s => s.Phase == VmPhase.Stopping && s.Detail == (remove ? "removed from the fleet" : "stop requested"));
    }
}
