using Hangar.Agent.Health;
using Hangar.Protocol.Agent;
using Hangar.Spec;

namespace Hangar.Agent.Vms;

/// <summary>
/// The health check of the VM one <see cref="VmSupervisor"/> runs: starts a <see cref="HealthMonitor"/> when the VM
/// starts or is adopted, replaces it when the check changes, ends it with the VM, and keeps its latest verdict (what
/// the VM's snapshot reports) and whether that verdict asks for a restart. It asks; the supervisor's loop decides
/// whether and when to restart.
/// <code>
///  (no VM) Unknown ─Start─► Starting (Healthy without a check) ─monitor reports─► Healthy / Unhealthy …
///     ▲                                                   │ Unhealthy with restart: true ─► restart due
///     └──────────────────────────── Stop ◄────────────────┘
/// </code>
/// </summary>
/// <remarks>
/// <see cref="StartAsync"/>, <see cref="ApplyCheckAsync"/>, <see cref="TakeRestart"/> and <see cref="StopAsync"/> are
/// called by the supervisor's loop, one at a time; <see cref="Verdict"/> may be read from any thread.
/// </remarks>
public sealed class VmHealthWatch : IAsyncDisposable
{
    private static readonly HealthReport NoVerdict = new(HealthState.Unknown, null);

    private readonly IVmDriver _driver;
    private readonly string _serialLog;
    private readonly TimeProvider _time;
    private readonly Action<HealthReport, bool> _reported;
    private readonly Lock _gate = new();
    private HealthMonitor? _monitor;
    private HealthReport _verdict = NoVerdict;
    private bool _restartDue; // set by the monitor's report, taken by the supervisor's loop

    /// <param name="driver">Makes the probe of a <c>tcp</c> or <c>http</c> check.</param>
    /// <param name="serialLog">The VM's serial log, for a <c>serial</c> check.</param>
    /// <param name="time">The clock; a check's timeout counts on it.</param>
    /// <param name="reported">
    /// Called on every change of the verdict (on the monitor's thread, never concurrently), once <see cref="Verdict"/>
    /// shows it, with whether it asks for a restart (unhealthy, and the check says <c>restart: true</c>).
    /// </param>
    public VmHealthWatch(IVmDriver driver, string serialLog, TimeProvider time, Action<HealthReport, bool> reported)
    {
        _driver = driver;
        _serialLog = serialLog;
        _time = time;
        _reported = reported;
    }

    /// <summary>The latest verdict and what the check saw; <see cref="HealthState.Unknown"/> while no VM is watched.</summary>
    public HealthReport Verdict { get { lock (_gate) return _verdict; } }

    /// <summary>The check in force for the watched VM (null: it has none, or no VM is watched).</summary>
    public HealthCheckSpec? Check => _monitor?.Check;

    /// <summary>
    /// Starts checking a VM that was just started or adopted, as <paramref name="spec"/>'s check says, its timeout
    /// counted from <paramref name="checkStartedAt"/>. A check already running is ended first.
    /// </summary>
    /// <param name="spec">The spec the running VM was started or checked against (its check and forwards).</param>
    /// <param name="serialOffset">Where this start of the VM begins in the serial log.</param>
    public async Task StartAsync(VmSpec spec, IVmHandle vm, long serialOffset, DateTimeOffset checkStartedAt)
    {
        await EndMonitorAsync();
        var check = spec.Health;
        var probe = check is null || check.Kind == HealthCheckKind.Serial ? null : _driver.CreateProbe(check, spec, vm);
        // Set here, not only when the monitor's first report arrives: the supervisor may report its revision as
        // reached right after, and must not report the previous check's verdict with it.
        lock (_gate)
        {
            _restartDue = false;
            _verdict = new HealthReport(check is null ? HealthState.Healthy : HealthState.Starting, null);
        }
        _monitor = new HealthMonitor(check, probe, _serialLog, serialOffset, checkStartedAt, _time, report => OnReport(check, report));
    }

    /// <summary>
    /// Applies the check of a new desired <paramref name="spec"/> to the VM watched now: a changed check replaces the
    /// running one at once, as <c>starting</c>, its timeout counted from now (the VM is not restarted for it).
    /// Returns whether the check changed.
    /// </summary>
    public async Task<bool> ApplyCheckAsync(VmSpec spec, IVmHandle vm, long serialOffset)
    {
        if (Check == spec.Health) return false;
        await StartAsync(spec, vm, serialOffset, _time.GetUtcNow());
        return true;
    }

    /// <summary>
    /// Whether a restart is due now, and clears the request. The check in force decides: a request made under a
    /// check with <c>restart: true</c> is dropped once <paramref name="inForce"/> says <c>restart: false</c>, and one
    /// made while unhealthy is dropped once the VM is healthy again.
    /// </summary>
    public bool TakeRestart(HealthCheckSpec? inForce)
    {
        lock (_gate)
        {
            var due = _restartDue && _verdict.State == HealthState.Unhealthy && inForce is { Restart: true };
            _restartDue = false;
            return due;
        }
    }

    /// <summary>Stops checking (the VM stopped, exited or was discarded): the verdict is unknown, no restart is due.</summary>
    public async Task StopAsync()
    {
        await EndMonitorAsync();
        lock (_gate) { _verdict = NoVerdict; _restartDue = false; }
    }

    private void OnReport(HealthCheckSpec? check, HealthReport report)
    {
        var restart = report.State == HealthState.Unhealthy && check is { Restart: true };
        lock (_gate)
        {
            _verdict = report;
            if (restart) _restartDue = true;
        }
        _reported(report, restart);
    }

    private async Task EndMonitorAsync()
    {
        // Disposing waits for the monitor's task, so no report of the old check arrives after this.
        if (_monitor is { } monitor) await monitor.DisposeAsync();
        _monitor = null;
    }

    /// <summary>Ends the check without touching the VM (the agent is shutting down).</summary>
    public async ValueTask DisposeAsync() => await EndMonitorAsync();
}
