using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using Hangar.Qemu;
using Hangar.Spec;
using static Hangar.Agent.Tests.Vms.SupervisorHarness;

namespace Hangar.Agent.Tests.Vms;

/// <summary>
/// The supervisor's decisions on a fake driver and a fake clock: restart policies, backoff, restart requests,
/// adoption, and what it does with its health monitor's verdicts. The real QEMU driver keeps its integration tests.
/// </summary>
public sealed class VmSupervisorTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Start_ContinuesThePausedVm_AndReportsItRunning()
    {
        await using var h = new SupervisorHarness();
        h.StartSupervisor(TestVm());
        var vm = await h.WaitForStartAsync(1);
        var running = await h.WaitForAsync(s => s.Revision == 1, "revision 1 reached");

        Assert.Equal(VmPhase.Running, running.Phase);
        Assert.False(vm.Paused);
        Assert.Equal(vm.Pid, running.Pid);
        Assert.Equal(HealthState.Healthy, running.Health); // no check: healthy once it runs
        Assert.Equal(Start, running.StartedAt);
    }

    [Theory]
    [InlineData(RestartPolicy.Always, false)]
    [InlineData(RestartPolicy.Always, true)]
    [InlineData(RestartPolicy.OnFailure, false)]
    public async Task Exit_PolicyAllowsRestart_RestartsAfterBackoff(RestartPolicy policy, bool guestPowerOff)
    {
        await using var h = new SupervisorHarness();
        h.StartSupervisor(TestVm(policy));
        var first = await h.WaitForStartAsync(1);

        await h.AdvanceAfterAsync(async () =>
        {
            if (guestPowerOff) first.PowerOff(); else first.Crash();
            var backoff = await h.WaitForPhaseAsync(VmPhase.Backoff);
            Assert.Equal(RestartCause.Exited, backoff.BackoffCause);
            Assert.Equal(1, backoff.Restarts);
            Assert.Equal(guestPowerOff ? "guest powered off (guest-shutdown)" : "QEMU exited unexpectedly", backoff.LastError);
        }, Second);

        var second = await h.WaitForStartAsync(2);
        Assert.NotEqual(first.Pid, second.Pid);
        Assert.Equal(1, h.Supervisor.Snapshot().Restarts);
    }

    [Theory]
    [InlineData(RestartPolicy.OnFailure, true, "guest powered off (guest-shutdown)")]
    [InlineData(RestartPolicy.Never, true, "guest powered off (guest-shutdown)")]
    [InlineData(RestartPolicy.Never, false, "QEMU exited unexpectedly")]
    public async Task Exit_PolicyForbidsRestart_StaysStoppedUntilARestartRequest(RestartPolicy policy, bool guestPowerOff, string why)
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm(policy);
        h.StartSupervisor(spec);
        var first = await h.WaitForStartAsync(1);

        if (guestPowerOff) first.PowerOff(); else first.Crash();
        var stopped = await h.WaitForPhaseAsync(VmPhase.Stopped);

        Assert.Equal(why, stopped.Detail);
        Assert.Equal(why, stopped.LastError);
        Assert.Equal(0, stopped.Restarts);
        Assert.Null(stopped.Pid);
        Assert.DoesNotContain(h.History, s => s.Phase == VmPhase.Backoff);

        // A new revision without a restart request leaves it stopped; a restart request starts it.
        h.Update(spec, revision: 2);
        var still = await h.WaitForAsync(s => s.Revision == 2, "revision 2 reached");
        Assert.Equal(VmPhase.Stopped, still.Phase);
        Assert.Single(h.Driver.Started);
        h.Update(spec, revision: 3, restartNonce: 1);
        await h.WaitForStartAsync(2);
    }

    [Fact]
    public async Task Backoff_GrowsWithEachExit_UpToMax_AndResetsAfterRunningLongEnough()
    {
        await using var h = new SupervisorHarness(new Backoff(Second, TimeSpan.FromSeconds(8), 0, TimeSpan.FromMinutes(2)));
        h.StartSupervisor(TestVm());
        var vm = await h.WaitForStartAsync(1);

        int[] delays = [1, 2, 4, 8, 8];
        for (var i = 0; i < delays.Length; i++)
        {
            var restarts = i + 1;
            var current = vm;
            await h.AdvanceAfterAsync(async () =>
            {
                current.Crash();
                var backoff = await h.WaitForAsync(s => s.Phase == VmPhase.Backoff && s.Restarts == restarts, $"backoff #{restarts}");
                Assert.Equal($"QEMU exited unexpectedly; restart in {delays[i]}s", backoff.Detail);
            }, TimeSpan.FromSeconds(delays[i]));
            vm = await h.WaitForStartAsync(restarts + 1);
        }

        // Running for ResetAfter forgets the exits before.
        h.Time.Advance(TimeSpan.FromMinutes(2));
        vm.Crash();
        var reset = await h.WaitForAsync(s => s.Phase == VmPhase.Backoff && s.Restarts == delays.Length + 1, "backoff after a long run");
        Assert.Equal("QEMU exited unexpectedly; restart in 1s", reset.Detail);
    }

    [Fact]
    public async Task StartFailure_ReportsFailed_AndRetriesAfterBackoff()
    {
        await using var h = new SupervisorHarness();
        h.Driver.StartFailure = new QemuException("Fake QEMU would not launch");

        await h.AdvanceAfterAsync(async () =>
        {
            h.StartSupervisor(TestVm());
            var failed = await h.WaitForPhaseAsync(VmPhase.Failed);
            Assert.Equal("retry in 1s", failed.Detail);
            Assert.Equal("Fake QEMU would not launch", failed.LastError);
            h.Driver.StartFailure = null;
        }, Second);

        await h.WaitForStartAsync(1);
        Assert.Null(h.Supervisor.Snapshot().LastError);
    }

    [Fact]
    public async Task RestartRequest_StopsAndStartsTheRunningVm_WithoutCountingARestart()
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm();
        h.StartSupervisor(spec);
        var first = await h.WaitForStartAsync(1);

        h.Update(spec, revision: 2, restartNonce: 1);
        var second = await h.WaitForStartAsync(2);

        Assert.Equal(1, first.Stops);
        Assert.NotEqual(first.Pid, second.Pid);
        Assert.Contains(h.History, s => s.Phase == VmPhase.Stopping && s.Detail == "restart requested");
        Assert.Equal(0, h.Supervisor.Snapshot().Restarts);
    }

    [Fact]
    public async Task RestartRequest_DuringBackoff_StartsWithoutWaitingItOut()
    {
        // A backoff of an hour: only the request can start it within the test.
        await using var h = new SupervisorHarness(new Backoff(TimeSpan.FromHours(1), TimeSpan.FromHours(1), 0, TimeSpan.FromHours(2)));
        var spec = TestVm();
        h.StartSupervisor(spec);
        var first = await h.WaitForStartAsync(1);
        first.Crash();
        await h.WaitForPhaseAsync(VmPhase.Backoff);

        h.Update(spec, revision: 2, restartNonce: 1);

        await h.WaitForStartAsync(2);
    }

    [Fact]
    public async Task ConfigurationChange_RestartsToApplyIt()
    {
        await using var h = new SupervisorHarness();
        h.StartSupervisor(TestVm());
        var first = await h.WaitForStartAsync(1);

        h.Update(TestVm() with { Vcpu = 2 }, revision: 2, generation: 2);

        await h.WaitForStartAsync(2);
        Assert.Equal(1, first.Stops);
        Assert.Contains(h.History, s => s.Phase == VmPhase.Stopping && s.Detail == "restart to apply changes");
    }

    [Fact]
    public async Task StopRequest_StopsTheVm_AndKeepsItStopped()
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm();
        h.StartSupervisor(spec);
        var vm = await h.WaitForStartAsync(1);

        h.Update(spec, revision: 2, running: false);

        var stopped = await h.WaitForAsync(s => s.Phase == VmPhase.Stopped && s.Revision == 2, "stopped at revision 2");
        Assert.Equal(1, vm.Stops);
        Assert.Null(stopped.Pid);
        Assert.False(File.Exists(VmPaths.For(h.Options, spec.Name).RuntimeRecordPath));
    }

    [Fact]
    public async Task Adoption_AliveRecord_IsAdoptedAndContinued_NotStartedAgain()
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm();
        var running = h.Driver.AddRunning(spec, recorded: true, paused: true);

        h.StartSupervisor(spec);
        var adopted = await h.WaitForAsync(s => s.Phase == VmPhase.Running && s.Revision == 1, "running at revision 1");

        Assert.Equal("adopted", adopted.Detail);
        Assert.Equal(running.Pid, adopted.Pid);
        Assert.False(running.Paused);
        Assert.Equal([$"recover {running.Pid}"], h.Driver.Log);
    }

    [Fact]
    public async Task Adoption_AliveRecordOfAnotherRestartRequest_IsRestarted()
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm();
        var running = h.Driver.AddRunning(spec, recorded: true, restartNonce: 0);

        h.StartSupervisor(spec, restartNonce: 1); // requested while the agent was down

        var started = await h.WaitForStartAsync(1);
        Assert.Equal(1, running.Stops);
        Assert.Equal([$"recover {running.Pid}", $"start {started.Pid}"], h.Driver.Log);
    }

    [Fact]
    public async Task Adoption_DeadRecord_IsDiscarded_AndTheVmStartedAfresh()
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm();
        h.Driver.AddDeadRecord(spec);

        h.StartSupervisor(spec);
        var started = await h.WaitForStartAsync(1);

        Assert.Equal([$"start {started.Pid}"], h.Driver.Log); // neither recovered nor killed
        Assert.Equal(started.Pid, RuntimeRecord.TryRead(VmPaths.For(h.Options, spec.Name).RuntimeRecordPath)!.Pid);
    }

    [Fact]
    public async Task Adoption_UnrecordedQemu_IsKilledBeforeTheVmStarts()
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm();
        var stray = h.Driver.AddRunning(spec, recorded: false);

        h.StartSupervisor(spec);
        var started = await h.WaitForStartAsync(1);

        Assert.Equal([$"kill {stray.Pid}", $"start {started.Pid}"], h.Driver.Log);
        Assert.True(stray.Exited.IsCompleted);
    }

    [Fact]
    public async Task Adoption_RecordedQemuThatDoesNotAnswer_IsKilled_AndTheVmStartedAfresh()
    {
        await using var h = new SupervisorHarness();
        var spec = TestVm();
        var hung = h.Driver.AddRunning(spec, recorded: true);
        hung.Unresponsive = true;

        h.StartSupervisor(spec);
        var started = await h.WaitForStartAsync(1);

        Assert.Equal([$"recover {hung.Pid}", $"kill {hung.Pid}", $"start {started.Pid}"], h.Driver.Log);
    }
}
