using System.Threading.Channels;
using Hangar.Agent.Health;
using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using Hangar.Spec;
using static Hangar.Agent.Tests.Vms.SupervisorHarness;

namespace Hangar.Agent.Tests.Vms;

/// <summary>
/// The VM's health watch on its own, on the fake driver's probes and a fake clock: the verdict it keeps, when it asks
/// for a restart, and a changed check replacing the running one.
/// </summary>
public sealed class VmHealthWatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly SupervisorHarness _h = new(); // for its options, driver and clock; no supervisor is started
    private readonly Channel<(HealthReport Report, bool RestartDue)> _reports = Channel.CreateUnbounded<(HealthReport, bool)>();
    private readonly VmHealthWatch _watch;
    private readonly FakeVm _vm = new("web", 4000, 1, paused: false);

    public VmHealthWatchTests() =>
        _watch = new VmHealthWatch(_h.Driver, "/nonexistent/serial.log", _h.Time, (report, due) => _reports.Writer.TryWrite((report, due)));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _watch.DisposeAsync();
        await _h.DisposeAsync();
    }

    private async Task<(HealthReport Report, bool RestartDue)> NextReportAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _reports.Reader.ReadAsync(timeout.Token);
    }

    private Task StartAsync(HealthCheckSpec? check) => _watch.StartAsync(TestVm(health: check), _vm, 0, Start);

    /// <summary>Answers the probe's next attempt, waits for the monitor to start its wait of the interval, lets it pass.</summary>
    private async Task AnswerAsync(bool passed, string detail)
    {
        var timers = _h.Time.TimersCreated;
        await _vm.Probe!.AnswerAsync(passed, detail);
        await _h.Time.WaitForTimerAsync(timers, Interval);
        _h.Time.Advance(Interval);
    }

    /// <summary>Starts <paramref name="check"/> and lets it pass once, then fail once: unhealthy (failures: 1).</summary>
    private async Task<(HealthReport Report, bool RestartDue)> StartThenFailAsync(HealthCheckSpec check)
    {
        await StartAsync(check);
        await NextReportAsync(); // starting
        await AnswerAsync(true, "port 80 answered");
        await NextReportAsync(); // healthy
        await _vm.Probe!.AnswerAsync(false, "refused");
        return await NextReportAsync();
    }

    [Fact]
    public void Verdict_NoVmWatched_Unknown()
    {
        Assert.Equal(new HealthReport(HealthState.Unknown, null), _watch.Verdict);
        Assert.Null(_watch.Check);
        Assert.False(_watch.TakeRestart(TcpCheck(restart: true)));
    }

    [Fact]
    public async Task Start_NoCheck_HealthyAtOnce_WithoutAProbe()
    {
        await StartAsync(null);

        Assert.Equal(HealthState.Healthy, _watch.Verdict.State);
        Assert.Equal((new HealthReport(HealthState.Healthy, null), false), await NextReportAsync());
        Assert.Null(_vm.Probe);
    }

    [Fact]
    public async Task Start_TcpCheck_StartingBeforeTheFirstReport_ThenWhatTheProbeSaw()
    {
        await StartAsync(TcpCheck(restart: false));
        Assert.Equal(new HealthReport(HealthState.Starting, null), _watch.Verdict); // set before the monitor reports

        Assert.Equal(HealthState.Starting, (await NextReportAsync()).Report.State);
        await AnswerAsync(true, "port 80 answered");
        var healthy = await NextReportAsync();

        Assert.Equal((new HealthReport(HealthState.Healthy, "port 80 answered"), false), healthy);
        Assert.Equal(healthy.Report, _watch.Verdict); // the verdict is current when the report arrives
    }

    [Fact]
    public async Task Unhealthy_CheckSaysRestart_AsksOnce()
    {
        var check = TcpCheck(restart: true);
        var unhealthy = await StartThenFailAsync(check);

        Assert.Equal((new HealthReport(HealthState.Unhealthy, "refused (1 check failed)"), true), unhealthy);
        Assert.True(_watch.TakeRestart(check));
        Assert.False(_watch.TakeRestart(check)); // taken
    }

    [Fact]
    public async Task Unhealthy_CheckSaysNoRestart_AsksNone()
    {
        var check = TcpCheck(restart: false);
        var unhealthy = await StartThenFailAsync(check);

        Assert.Equal(HealthState.Unhealthy, unhealthy.Report.State);
        Assert.False(unhealthy.RestartDue);
        Assert.False(_watch.TakeRestart(TcpCheck(restart: true))); // only a check with restart: true asks
    }

    [Fact]
    public async Task TakeRestart_CheckInForceSaysNoRestart_DropsThePendingRequest()
    {
        var check = TcpCheck(restart: true);
        await StartThenFailAsync(check);

        Assert.False(_watch.TakeRestart(check with { Restart = false }));
        Assert.False(_watch.TakeRestart(check)); // dropped, not kept for later
    }

    [Fact]
    public async Task TakeRestart_HealthyAgainBeforeTheLoopLooked_NoRestart()
    {
        var check = TcpCheck(restart: true);
        await StartThenFailAsync(check);
        _h.Time.Advance(Interval);
        await _vm.Probe!.AnswerAsync(true, "port 80 answered again");
        Assert.Equal(HealthState.Healthy, (await NextReportAsync()).Report.State);

        Assert.False(_watch.TakeRestart(check));
    }

    [Fact]
    public async Task ApplyCheck_Changed_ReplacesTheRunningCheck_StartingAfresh()
    {
        var old = TcpCheck(restart: true);
        await StartThenFailAsync(old);
        var oldProbe = _vm.Probe!;
        var changed = old with { Failures = 3 };

        Assert.True(await _watch.ApplyCheckAsync(TestVm(health: changed), _vm, 0));

        Assert.Equal(changed, _watch.Check);
        Assert.Equal(new HealthReport(HealthState.Starting, null), _watch.Verdict);
        Assert.Equal(1, oldProbe.Disposed);
        Assert.NotSame(oldProbe, _vm.Probe);
        Assert.False(_watch.TakeRestart(changed)); // the old check's request went with it
        Assert.Equal(HealthState.Starting, (await NextReportAsync()).Report.State);
        await AnswerAsync(true, "the new check passed"); // the new probe is the one asked
        Assert.Equal(new HealthReport(HealthState.Healthy, "the new check passed"), (await NextReportAsync()).Report);
    }

    [Fact]
    public async Task ApplyCheck_Unchanged_KeepsTheRunningCheck()
    {
        var check = TcpCheck(restart: false);
        await StartAsync(check);
        await NextReportAsync();
        var probe = _vm.Probe;

        Assert.False(await _watch.ApplyCheckAsync(TestVm(health: check with { }), _vm, 0));

        Assert.Same(probe, _vm.Probe);
        Assert.Equal(0, probe!.Disposed);
    }

    [Fact]
    public async Task Stop_ForgetsTheVerdictAndTheRequest_AndEndsTheProbe()
    {
        var check = TcpCheck(restart: true);
        await StartThenFailAsync(check);

        await _watch.StopAsync();

        Assert.Equal(new HealthReport(HealthState.Unknown, null), _watch.Verdict);
        Assert.Null(_watch.Check);
        Assert.False(_watch.TakeRestart(check));
        Assert.Equal(1, _vm.Probe!.Disposed);
    }
}
