using Hangar.Protocol.Agent;
using Hangar.Spec;

namespace Hangar.Agent.Health;

/// <summary>
/// Runs one VM's health check from the moment it starts (or from the moment its check changed) and reports each
/// change of state. For a <c>serial</c> check, the marker turns the VM healthy and it stays so until the VM stops.
/// A <c>tcp</c> or <c>http</c> check runs every <see cref="StartingInterval"/> until its first pass, then every
/// <see cref="HealthCheckSpec.Interval"/>:
/// <code>
///  starting ──pass──► healthy ──Failures failed checks in a row──► unhealthy ──pass──► healthy
///     └──no pass within Timeout of the start──► unhealthy
/// </code>
/// </summary>
public sealed class HealthMonitor : IAsyncDisposable
{
    /// <summary>How often a check runs until it first passes: a rollout waits on that moment.</summary>
    public static readonly TimeSpan StartingInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one attempt may take before it counts as failed, before and after the first pass.</summary>
    public static readonly TimeSpan StartingAttemptTimeout = TimeSpan.FromSeconds(2), AttemptTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _cts = new();
    private readonly Task _task;
    private readonly Action<HealthReport> _report;
    private readonly TimeProvider _time;
    private readonly IHealthProbe? _probe;
    private HealthState _state = HealthState.Unknown;

    /// <param name="check">The check; null reports healthy at once.</param>
    /// <param name="probe">The probe of a tcp, http or exec check (owned and disposed by the monitor); null for serial.</param>
    /// <param name="serialLog">The VM's serial log, for a serial check.</param>
    /// <param name="serialOffset">Where this start of the VM begins in the serial log.</param>
    /// <param name="startedAt">When the VM (or the check) started; <see cref="HealthCheckSpec.Timeout"/> counts from it.</param>
    /// <param name="time">The clock.</param>
    /// <param name="report">Called on every change of state, never concurrently.</param>
    public HealthMonitor(HealthCheckSpec? check, IHealthProbe? probe, string serialLog, long serialOffset,
        DateTimeOffset startedAt, TimeProvider time, Action<HealthReport> report)
    {
        if (check is { Kind: not HealthCheckKind.Serial } && probe is null)
            throw new ArgumentException("A tcp, http or exec check needs a probe", nameof(probe));
        Check = check;
        _probe = probe;
        _report = report;
        _time = time;
        _task = Task.Run(() => RunAsync(check, serialLog, serialOffset, startedAt, _cts.Token));
    }

    /// <summary>The check this monitor runs.</summary>
    public HealthCheckSpec? Check { get; }

    private void Report(HealthState state, string? detail)
    {
        _state = state;
        _report(new HealthReport(state, detail));
    }

    private async Task RunAsync(HealthCheckSpec? check, string serialLog, long serialOffset, DateTimeOffset startedAt, CancellationToken ct)
    {
        try
        {
            if (check is null)
            {
                Report(HealthState.Healthy, null);
                return;
            }
            Report(HealthState.Starting, null);
            if (check.Kind == HealthCheckKind.Serial) await RunSerialAsync(check, serialLog, serialOffset, startedAt, ct);
            else await RunProbeAsync(check, startedAt, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task RunSerialAsync(HealthCheckSpec check, string serialLog, long serialOffset, DateTimeOffset startedAt, CancellationToken ct)
    {
        var marker = check.SerialMarker!;
        using (var timeout = new CancellationTokenSource(Remaining(check, startedAt), _time))
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
        {
            try
            {
                await SerialLogWatcher.WaitForAsync(serialLog, serialOffset, marker, deadline.Token);
                Report(HealthState.Healthy, $"\"{marker}\" appeared on the console");
                return;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Report(HealthState.Unhealthy, $"\"{marker}\" did not appear on the console within {Seconds(check.Timeout)}s");
            }
        }
        // Late is better than never: a guest that prints its marker after the timeout becomes healthy then.
        await SerialLogWatcher.WaitForAsync(serialLog, serialOffset, marker, ct);
        Report(HealthState.Healthy, $"\"{marker}\" appeared on the console, after the timeout");
    }

    private async Task RunProbeAsync(HealthCheckSpec check, DateTimeOffset startedAt, CancellationToken ct)
    {
        var failuresInRow = 0;
        var passedOnce = false;
        while (true)
        {
            var starting = _state == HealthState.Starting;
            var result = await AttemptAsync(passedOnce ? AttemptTimeout : StartingAttemptTimeout, ct);
            if (result.Passed)
            {
                failuresInRow = 0;
                passedOnce = true;
                if (_state != HealthState.Healthy) Report(HealthState.Healthy, result.Detail);
            }
            else if (starting)
            {
                if (_time.GetUtcNow() - startedAt >= check.Timeout)
                    Report(HealthState.Unhealthy, $"not healthy within {Seconds(check.Timeout)}s: {result.Detail}");
            }
            else
            {
                failuresInRow++;
                if (_state == HealthState.Healthy && failuresInRow >= check.Failures)
                    Report(HealthState.Unhealthy, $"{result.Detail} ({failuresInRow} {(failuresInRow == 1 ? "check" : "checks in a row")} failed)");
            }
            // Until the first pass (also after the timeout made it unhealthy), check often: a rollout waits on it.
            var wait = passedOnce ? check.Interval : Min(StartingInterval, check.Interval);
            await Task.Delay(wait, _time, ct);
        }
    }

    /// <summary>One attempt; a probe that throws (a bug, or something it did not foresee) counts as a failed check
    /// that says why, rather than ending the monitor and freezing the VM's health at its last value.</summary>
    private async Task<ProbeResult> AttemptAsync(TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return await _probe!.CheckAsync(timeout, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return ProbeResult.Fail($"the check could not run: {e.Message}");
        }
    }

    private TimeSpan Remaining(HealthCheckSpec check, DateTimeOffset startedAt)
    {
        var remaining = check.Timeout - (_time.GetUtcNow() - startedAt);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _task;
        }
        catch (Exception)
        {
            // Cancellation, or a failure of the serial watcher or the report callback: either way this monitor is
            // over, and stopping a VM must not fail because its health check did.
        }
        finally
        {
            _probe?.Dispose();
            _cts.Dispose();
        }
    }
}
