using Hangar.Agent.Health;
using Hangar.Protocol.Agent;
using Hangar.Qemu;
using Hangar.Spec;
using Microsoft.Extensions.Logging;

namespace Hangar.Agent.Vms;

/// <summary>
/// Keeps one VM as its desired state says, in one loop (so no two actions on a VM ever overlap): adopts a QEMU that
/// survived an agent restart, prepares and starts, restarts on a configuration change or request, stops, restarts
/// after an exit per the restart policy with jittered backoff (and after its health check failed, when the check
/// says <c>restart: true</c>), and reports what it observes. It decides; its parts each do one thing: an
/// <see cref="IVmDriver"/> starts and recovers the VM (QEMU in production, a fake in the unit tests) and a
/// <see cref="VmRun"/> stops and lets go of the process it gave; the <see cref="RestartTracker"/> says whether and
/// when to start again; the <see cref="VmHealthWatch"/> runs the health check and asks for health restarts; the
/// <see cref="LoopSignal"/> wakes the loop. Its clock is <see cref="AgentOptions.Time"/>.
/// <code>
///  Pending ─► Preparing ─► Starting ─► Running ─► Stopping ─► Stopped
///                              ▲          │ exits on its own, or unhealthy with health.restart
///                              └─ Backoff ◄┘ (policy allows)      Failed: prepare/start failed → Backoff
/// </code>
/// </summary>
public sealed partial class VmSupervisor : IAsyncDisposable
{
    private readonly string _name;
    private readonly AgentOptions _options;
    private readonly IVmDriver _driver;
    private readonly Action _changed;
    private readonly ILogger _logger;
    private readonly VmPaths _paths;
    private readonly CancellationTokenSource _cts = new();
    private readonly LoopSignal _signal = new();
    private readonly RestartTracker _restartTracker;
    private readonly VmHealthWatch _health;
    private readonly Lock _gate = new();
    private readonly Task _loop;

    // Desired, written by Update, read by the loop.
    private DesiredVm? _desired;
    private long _generation, _revision;
    private bool _removed, _purge, _left;
    private long _convergedRevision = -1; // the revision the loop last finished acting on

    // Observed, written by the loop (and the health watch's reports), read by Snapshot.
    private VmPhase _phase = VmPhase.Pending;
    private string? _detail, _lastError;
    private RestartCause? _backoffCause;
    private int _restarts;
    private VmRun? _run; // the VM's process while there is one (started, adopted, or exited and not yet handled)
    private long _handledNonce;
    private long _convergedGeneration;
    private string[]? _consoleTail; // the console's last lines, kept while the VM is unhealthy, failed or exited

    /// <param name="changed">Called (on any thread) whenever something <see cref="Snapshot"/> shows may have changed.</param>
    public VmSupervisor(string name, DesiredVm desired, long generation, long revision, AgentOptions options, IVmDriver driver, Action changed, ILogger logger)
    {
        _name = name;
        _desired = desired;
        _generation = generation;
        _convergedGeneration = generation;
        _revision = revision;
        _handledNonce = desired.RestartNonce;
        _options = options;
        _driver = driver;
        _changed = changed;
        _logger = logger;
        _paths = VmPaths.For(options, name);
        _restartTracker = new RestartTracker(options.RestartBackoff, options.Time);
        _health = new VmHealthWatch(driver, _paths.SerialLog, options.Time, OnHealthReported);
        _loop = Task.Run(() => RunAsync(_cts.Token));
    }

    private const int ConsoleTailLines = 10;

    public string Name => _name;

    /// <summary>Completes when the VM was removed from the desired state and is stopped (and purged if asked).</summary>
    public Task Completion => _loop;

    /// <summary>A new desired state for this VM; null removes it (stop, and delete its disk when <paramref name="purge"/>).</summary>
    /// <returns>False when the VM had already left (stopped, and purged or not): this update came too late for it.</returns>
    public bool Update(DesiredVm? desired, long generation, long revision, bool purge)
    {
        lock (_gate)
        {
            if (_left) return false;
            if (desired is null) { _removed = true; _purge = purge; }
            else { _desired = desired; _removed = false; }
            _generation = generation;
            _revision = revision;
        }
        _signal.Set();
        return true;
    }

    /// <summary>The guest agent of the VM's running process; null while there is none.</summary>
    public Guests.GuestAgentLink? GuestAgent { get { lock (_gate) return _run?.Handle.GuestAgent; } }

    /// <summary>The VM's running process; null while there is none.</summary>
    public IVmHandle? Handle { get { lock (_gate) return _run?.Handle; } }

    public ObservedVm Snapshot()
    {
        lock (_gate)
        {
            var spec = _desired?.Spec;
            var record = _run?.Record;
            var health = _run is not null ? _health.Verdict : default;
            return new ObservedVm(_name, _phase, _detail, _run is not null ? health.State : HealthState.Unknown,
                record?.Accelerator, record?.Pid, spec?.Forwards.Select(f => f.ToString()).ToArray() ?? [],
                _lastError, _restarts,
                record?.StartedAt, _convergedGeneration, _convergedRevision, _consoleTail, record?.ImageDigest, health.Detail,
                _phase is VmPhase.Backoff or VmPhase.Stopping ? _backoffCause : null, _run?.Adopted == true, _run?.Handle.Guest,
                _phase == VmPhase.Running ? _run?.Handle.BalloonBytes : null, record?.Confinement);
        }
    }

    private void Set(VmPhase phase, string? detail = null)
    {
        lock (_gate) { _phase = phase; _detail = detail; }
        _changed();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await TryAdoptAsync(ct);
            while (true)
            {
                DesiredVm desired;
                bool removed, purge;
                long revision;
                lock (_gate) { desired = _desired!; removed = _removed; purge = _purge; revision = _revision; }

                if (_run is { Exited.IsCompleted: true }) await OnExitedAsync(desired, ct);

                if (removed)
                {
                    if (_run is not null) await StopAsync("removed from the fleet", ct);
                    // A purge asked for while the VM stopped (hangar down --purge after it left the fleet) counts too.
                    lock (_gate) { purge = _purge; _left = true; }
                    if (purge) Purge();
                    lock (_gate) _convergedRevision = revision;
                    Set(VmPhase.Stopped, purge ? "deleted" : "removed");
                    return;
                }

                var restartRequested = desired.RestartNonce != _handledNonce;
                if (restartRequested) _restartTracker.RestartRequested();

                if (_run is { } run)
                {
                    if (!desired.Running)
                    {
                        await StopAsync("stop requested", ct);
                        continue;
                    }
                    VmLaunchPlan plan;
                    try
                    {
                        plan = await _driver.PlanAsync(desired, null, ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // The new settings cannot be resolved (say, its image file went missing): keep the running
                        // VM as it is, and say why it was not changed.
                        lock (_gate) _lastError = $"Cannot apply the new settings: {e.Message}";
                        _changed();
                        lock (_gate) _convergedRevision = revision;
                        await WaitAsync(ct);
                        continue;
                    }
                    if (plan.ConfigHash != run.Record.ConfigHash && !restartRequested) await run.TryResizeOnlineAsync(plan, ct);
                    if (plan.ConfigHash != run.Record.ConfigHash || restartRequested)
                    {
                        await StopAsync(restartRequested ? "restart requested" : "restart to apply changes", ct);
                        continue; // the next pass starts it with the new plan
                    }
                    await _health.ApplyCheckAsync(desired.Spec, run.Handle, run.Record.SerialLogOffset);
                    // Last: a stop, a removal or a new configuration (perhaps the fix) goes before a health restart.
                    if (_health.TakeRestart(desired.Spec.Health))
                    {
                        await RestartUnhealthyAsync(desired, ct);
                        continue;
                    }
                }
                else if (desired.Running && !_restartTracker.HeldStopped)
                {
                    if (_restartTracker.BackoffOver)
                    {
                        _handledNonce = desired.RestartNonce;
                        await StartAsync(desired, ct);
                        continue;
                    }
                }
                else
                {
                    _handledNonce = desired.RestartNonce;
                    _restartTracker.Cancel();
                    if (_phase != VmPhase.Stopped) Set(VmPhase.Stopped, _restartTracker.HeldStopped ? _detail : null);
                }

                // Nothing left to do for this revision: report it as reached, then sleep until something changes.
                if (_convergedRevision != revision)
                {
                    lock (_gate) { _convergedRevision = revision; _convergedGeneration = _generation; }
                    _changed();
                }
                await WaitAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The agent is shutting down: the QEMU keeps running and the next agent adopts it.
        }
        catch (Exception e)
        {
            Log.SupervisorFailed(_logger, _name, e);
            lock (_gate) { _lastError = e.Message; }
            Set(VmPhase.Failed, "supervisor failed");
        }
    }

    /// <summary>Sleeps until something changes: a signal, the running VM's exit, or the end of the restart backoff.</summary>
    private Task WaitAsync(CancellationToken ct) =>
        _signal.WaitAsync(_run?.Exited, _run is null ? _restartTracker.NotBefore : null, _options.Time, ct);

    private async Task TryAdoptAsync(CancellationToken ct)
    {
        if (RuntimeRecord.TryRead(_paths.RuntimeRecordPath) is not { } record || !_driver.IsAlive(record))
        {
            TryDelete(_paths.RuntimeRecordPath);
            // A QEMU with no record: the previous agent died between launching it and recording it. Its configuration
            // is unknown, so it cannot be adopted safely; end it so that a fresh start can take its sockets.
            if (await _driver.KillUnrecordedAsync(_name, ct) is { } unrecorded)
                Log.KilledUnrecordedQemu(_logger, _name, unrecorded);
            return;
        }
        try
        {
            var instance = await _driver.RecoverAsync(_name, record, ct);
            lock (_gate) { _run = new VmRun(_name, instance, record, adopted: true, _driver, _logger); _handledNonce = record.RestartNonce; }
            instance.WatchGuest(_changed);
            Log.Adopted(_logger, _name, record.Pid);
            if (!await instance.IsRunningAsync(ct)) await instance.ContinueAsync(ct);
            // The check starts afresh, its timeout counted from now: an agent restart must not turn one slow first
            // answer of a VM that ran healthy for days into "unhealthy" (and a restart, with health.restart).
            await _health.StartAsync(_desired!.Spec, instance, record.SerialLogOffset, Now);
            Set(VmPhase.Running, "adopted");
        }
        catch (QemuException e)
        {
            // Alive but not answering QMP: it is ours (pid and start time match), so end it and start afresh.
            Log.AdoptionFailed(_logger, _name, record.Pid, e);
            _driver.Kill(record);
            TryDelete(_paths.RuntimeRecordPath);
        }
    }

    private async Task StartAsync(DesiredVm desired, CancellationToken ct)
    {
        try
        {
            Set(VmPhase.Preparing, "resolving image");
            var progress = new Progress<string>(line => { lock (_gate) { _detail = line; } _changed(); });
            var plan = await _driver.PlanAsync(desired, progress, ct);
            Set(VmPhase.Preparing, "preparing disk");
            long generation;
            lock (_gate) generation = _generation;
            if (await _driver.PrepareDiskAsync(plan, generation, ct) is { } disk) Log.DiskPrepared(_logger, _name, disk);
            Set(VmPhase.Starting, "launching QEMU");
            var (instance, record) = await _driver.StartAsync(plan, desired.RestartNonce, ct);
            lock (_gate) { _run = new VmRun(_name, instance, record, adopted: false, _driver, _logger); _lastError = null; _consoleTail = null; }
            instance.WatchGuest(_changed);
            await instance.ContinueAsync(ct);
            await _health.StartAsync(desired.Spec, instance, record.SerialLogOffset, record.StartedAt);
            Set(VmPhase.Running);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.StartFailed(_logger, _name, e);
            await DiscardRunAsync(kill: true);
            var delay = _restartTracker.Failed();
            var tail = SerialLogWatcher.LastLines(_paths.SerialLog, ConsoleTailLines);
            lock (_gate) { _lastError = e.Message; _consoleTail = tail; }
            Set(VmPhase.Failed, $"retry in {delay.TotalSeconds:0.#}s");
        }
    }

    /// <summary>A new verdict of the health check: keep the console's last lines while unhealthy, wake the loop for a restart.</summary>
    private void OnHealthReported(HealthReport report, bool restartDue)
    {
        var tail = report.State == HealthState.Unhealthy ? SerialLogWatcher.LastLines(_paths.SerialLog, ConsoleTailLines) : null; // never throws
        lock (_gate) _consoleTail = tail;
        if (restartDue) _signal.Set();
        _changed();
    }

    /// <summary>
    /// The health check failed and says <c>restart: true</c>: stop the VM and start it again after a backoff, as an
    /// exit would be (a restart policy of <c>never</c> keeps it running, unhealthy, for someone to look at).
    /// </summary>
    private async Task RestartUnhealthyAsync(DesiredVm desired, CancellationToken ct)
    {
        var why = _health.Verdict.Detail ?? "its health check failed";
        if (desired.Spec.Restart == RestartPolicy.Never)
        {
            Log.UnhealthyNotRestarted(_logger, _name, why);
            return;
        }
        var ranFor = Now - _run!.Record.StartedAt;
        var tail = SerialLogWatcher.LastLines(_paths.SerialLog, ConsoleTailLines);
        Log.UnhealthyRestarting(_logger, _name, why);
        // Said before the stop, so that a rollout gate that sees the VM stopping knows why.
        lock (_gate) _lastError = $"Restarted after its health check failed: {why}";
        await StopAsync($"unhealthy: {why}", ct, RestartCause.Unhealthy);
        var delay = _restartTracker.Stopped(ranFor);
        lock (_gate) { _restarts++; _lastError = $"Restarted after its health check failed: {why}"; _consoleTail = tail; _backoffCause = RestartCause.Unhealthy; }
        Set(VmPhase.Backoff, $"unhealthy ({why}); restart in {delay.TotalSeconds:0.#}s");
    }

    /// <param name="cause">Set when the stop is the first half of a restart the agent decided on (reported while stopping).</param>
    private async Task StopAsync(string reason, CancellationToken ct, RestartCause? cause = null)
    {
        lock (_gate) _backoffCause = cause;
        Set(VmPhase.Stopping, reason);
        await _run!.StopAsync(_options.GracefulStopTimeout, reason, ct);
        await DiscardRunAsync(kill: false);
        Set(VmPhase.Stopped, reason);
    }

    private async Task OnExitedAsync(DesiredVm desired, CancellationToken ct)
    {
        var exit = await _run!.Exited;
        var ranFor = Now - _run!.Record.StartedAt;
        await DiscardRunAsync(kill: false);
        var what = exit.GuestShutdown ? $"guest powered off ({exit.ShutdownReason ?? "shutdown"})" : "QEMU exited unexpectedly";
        var tail = SerialLogWatcher.LastLines(_paths.SerialLog, ConsoleTailLines);
        lock (_gate) { _lastError = what; _consoleTail = tail; }
        Log.Exited(_logger, _name, what);
        if (_restartTracker.Exited(desired.Spec.Restart, exit, desired.Running, ranFor) is not { } delay)
        {
            Set(VmPhase.Stopped, what);
            return;
        }
        lock (_gate) { _restarts++; _backoffCause = RestartCause.Exited; }
        Set(VmPhase.Backoff, $"{what}; restart in {delay.TotalSeconds:0.#}s");
    }

    private async Task DiscardRunAsync(bool kill)
    {
        await _health.StopAsync();
        var ended = false;
        if (_run is { } run) { await run.EndAsync(kill); ended = true; }
        lock (_gate) _run = null;
        TryDelete(_paths.RuntimeRecordPath);
        // The run's QEMU is gone: its sockets and pid file (the runtime directory) mean nothing any more. Only after a
        // run of ours: a start refused because another QEMU still runs there must not take that one's sockets away.
        if (ended)
        {
            try { if (Directory.Exists(_paths.Runtime.Directory)) Directory.Delete(_paths.Runtime.Directory, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private void Purge()
    {
        try
        {
            if (Directory.Exists(_paths.StateDirectory)) Directory.Delete(_paths.StateDirectory, recursive: true);
            if (Directory.Exists(_paths.Runtime.Directory)) Directory.Delete(_paths.Runtime.Directory, recursive: true);
        }
        catch (IOException e)
        {
            Log.FilesNotDeleted(_logger, _name, e);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
    }

    private DateTimeOffset Now => _options.Time.GetUtcNow();

    /// <summary>Ends the loop without touching the QEMU: it keeps running for the next agent to adopt.</summary>
    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try { await _loop; }
        catch (OperationCanceledException) { }
        await _health.DisposeAsync();
        if (_run is { } run) await run.EndAsync(kill: false);
        _cts.Dispose();
    }
}
