using System.Threading.Channels;
using Hangar.Agent.Health;
using Hangar.Protocol.Agent;
using Hangar.Spec;
using Microsoft.Extensions.Time.Testing;

namespace Hangar.Agent.Tests.Health;

public sealed class HealthMonitorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static HealthCheckSpec Tcp(TimeSpan timeout, TimeSpan interval, int failures) =>
        new(null, 80, timeout) { Interval = interval, Failures = failures };

    private sealed class Harness : IAsyncDisposable
    {
        private readonly Channel<HealthReport> _reports = Channel.CreateUnbounded<HealthReport>();

        public Harness(HealthCheckSpec? check, string serialLog = "/nonexistent/serial.log")
        {
            Monitor = new HealthMonitor(check, check is { Kind: not HealthCheckKind.Serial } ? Probe : null, serialLog, 0, Start, Time,
                report => _reports.Writer.TryWrite(report));
        }

        public TimerCountingTime Time { get; } = new(Start);
        public ScriptedProbe Probe { get; } = new();
        public HealthMonitor Monitor { get; }

        public async Task<HealthReport> NextReportAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await _reports.Reader.ReadAsync(timeout.Token);
        }

        public bool HasReport => _reports.Reader.TryPeek(out _);

        /// <summary>Answers the next attempt, waits for the monitor to start its wait, then lets that wait pass.</summary>
        public async Task AttemptAsync(bool passed, TimeSpan wait, string detail = "scripted")
        {
            var timers = Time.TimersCreated;
            await Probe.AnswerAsync(passed, detail);
            await Time.WaitForTimerAsync(timers);
            Time.Advance(wait);
        }

        public async ValueTask DisposeAsync() => await Monitor.DisposeAsync();
    }

    [Fact]
    public async Task NoCheck_ReportsHealthyAtOnce()
    {
        await using var h = new Harness(null);
        Assert.Equal(HealthState.Healthy, (await h.NextReportAsync()).State);
    }

    [Fact]
    public async Task TcpCheck_StartingUntilFirstPass_ThenHealthy()
    {
        await using var h = new Harness(Tcp(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10), 3));
        Assert.Equal(HealthState.Starting, (await h.NextReportAsync()).State);
        await h.AttemptAsync(false, HealthMonitor.StartingInterval);
        await h.AttemptAsync(false, HealthMonitor.StartingInterval);
        Assert.False(h.HasReport); // failures before the timeout keep it starting
        await h.AttemptAsync(true, TimeSpan.FromSeconds(10), "the guest accepted");
        var healthy = await h.NextReportAsync();
        Assert.Equal(new HealthReport(HealthState.Healthy, "the guest accepted"), healthy);
        // Attempts while starting get the short timeout, after that the long one.
        Assert.Equal(HealthMonitor.StartingAttemptTimeout, h.Probe.Timeouts[0]);
        await h.Probe.AnswerAsync(true);
        Assert.Equal(HealthMonitor.AttemptTimeout, h.Probe.Timeouts[^1]);
    }

    [Fact]
    public async Task TcpCheck_NoPassWithinTimeout_UnhealthyWithTheLastDetail()
    {
        await using var h = new Harness(Tcp(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), 3));
        Assert.Equal(HealthState.Starting, (await h.NextReportAsync()).State);
        for (var i = 0; i < 4; i++) await h.AttemptAsync(false, HealthMonitor.StartingInterval, "refused");
        Assert.False(h.HasReport); // 2 s have passed only now, so the next failure is the one that counts
        await h.AttemptAsync(false, TimeSpan.FromSeconds(10), "refused");
        var unhealthy = await h.NextReportAsync();
        Assert.Equal(HealthState.Unhealthy, unhealthy.State);
        Assert.Equal("not healthy within 2s: refused", unhealthy.Detail);
        // A late pass still makes it healthy.
        await h.AttemptAsync(true, TimeSpan.FromSeconds(10));
        Assert.Equal(HealthState.Healthy, (await h.NextReportAsync()).State);
    }

    [Fact]
    public async Task TcpCheck_HealthyThenFailures_UnhealthyOnlyAfterThatManyInARow()
    {
        await using var h = new Harness(Tcp(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), 3));
        Assert.Equal(HealthState.Starting, (await h.NextReportAsync()).State);
        await h.AttemptAsync(true, TimeSpan.FromSeconds(5));
        Assert.Equal(HealthState.Healthy, (await h.NextReportAsync()).State);

        await h.AttemptAsync(false, TimeSpan.FromSeconds(5));
        await h.AttemptAsync(false, TimeSpan.FromSeconds(5));
        await h.AttemptAsync(true, TimeSpan.FromSeconds(5)); // a pass resets the count
        await h.AttemptAsync(false, TimeSpan.FromSeconds(5));
        await h.AttemptAsync(false, TimeSpan.FromSeconds(5));
        Assert.False(h.HasReport);
        await h.AttemptAsync(false, TimeSpan.FromSeconds(5), "refused");
        var unhealthy = await h.NextReportAsync();
        Assert.Equal(new HealthReport(HealthState.Unhealthy, "refused (3 checks in a row failed)"), unhealthy);

        await h.AttemptAsync(true, TimeSpan.FromSeconds(5));
        Assert.Equal(HealthState.Healthy, (await h.NextReportAsync()).State);
    }

    [Fact]
    public async Task TcpCheck_AfterFirstPass_WaitsTheIntervalBetweenAttempts()
    {
        await using var h = new Harness(Tcp(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), 3));
        await h.NextReportAsync();
        var timers = h.Time.TimersCreated;
        await h.Probe.AnswerAsync(true);
        Assert.Equal(HealthState.Healthy, (await h.NextReportAsync()).State);
        // The wait after a pass is the interval (a timer due in 30 s), not the short starting interval.
        await h.Time.WaitForTimerAsync(timers, TimeSpan.FromSeconds(30));
        h.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Single(h.Probe.Timeouts); // time short of the interval starts no attempt
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Probe.AnswerAsync(true);
        Assert.Equal(2, h.Probe.Timeouts.Count);
    }

    [Fact]
    public async Task SerialCheck_MarkerAfterTimeout_UnhealthyThenHealthy()
    {
        var log = Path.Combine(Path.GetTempPath(), $"hangar-serial-{Guid.NewGuid():N}.log");
        await File.WriteAllTextAsync(log, "booting\n");
        try
        {
            await using var h = new Harness(new HealthCheckSpec("ready!", null, TimeSpan.FromSeconds(5)), log);
            Assert.Equal(HealthState.Starting, (await h.NextReportAsync()).State);
            await h.Time.WaitForTimerAsync(0); // the deadline's timer
            h.Time.Advance(TimeSpan.FromSeconds(5));
            var unhealthy = await h.NextReportAsync();
            Assert.Equal(HealthState.Unhealthy, unhealthy.State);
            Assert.Contains("did not appear on the console within 5s", unhealthy.Detail);
            await File.AppendAllTextAsync(log, "ready!\n");
            Assert.Equal(HealthState.Healthy, (await h.NextReportAsync()).State);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public async Task Dispose_DisposesTheProbe()
    {
        var h = new Harness(Tcp(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), 3));
        await h.NextReportAsync();
        await h.DisposeAsync();
        Assert.Equal(1, h.Probe.Disposed);
    }
}
