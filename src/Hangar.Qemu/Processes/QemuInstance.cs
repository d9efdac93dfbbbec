using System.Text.Json;
using System.Threading.Channels;

namespace Hangar.Qemu;

/// <summary>
/// One running QEMU that we own, reached over QMP. Used right after <see cref="QemuLauncher.LaunchAsync"/> and to
/// adopt a QEMU that survived an agent restart. Disposing detaches (closes QMP) and leaves QEMU running.
/// </summary>
/// <remarks>
/// <code>
///  AttachAsync ──► Attached ──ContinueAsync──► guest runs
///                     │
///                     ├── StopAsync: guest-shutdown or ACPI ─(SHUTDOWN in timeout)─────► Graceful
///                     │                               └(no SHUTDOWN)─► quit ─(exits in grace)─► Quit
///                     │                                                     └(still alive)────► SIGKILL ─► Killed
///                     ├── QMP closes, process gone ──► Exited completes (GuestShutdown from SHUTDOWN's "guest")
///                     └── DisposeAsync ──► detached: QEMU keeps running, Exited is cancelled
/// </code>
/// </remarks>
public sealed class QemuInstance : IAsyncDisposable
{
    private readonly QmpClient _qmp;
    private readonly QemuInstanceOptions _options;
    private readonly Channel<QmpEvent> _events = Channel.CreateUnbounded<QmpEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource<QmpEvent> _shutdownEvent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<QemuExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _detach = new();
    private readonly Task _watch;

    private QemuInstance(QemuRuntimePaths paths, QemuProcessIdentity process, QmpClient qmp, QemuInstanceOptions options)
    {
        Paths = paths;
        Process = process;
        _qmp = qmp;
        _options = options;
        _watch = Task.Run(WatchAsync, CancellationToken.None);
    }

    public QemuRuntimePaths Paths { get; }

    public QemuProcessIdentity Process { get; }

    /// <summary>The QMP session, for commands without a typed method here. Do not read its events: this instance does.</summary>
    public QmpClient Qmp => _qmp;

    /// <summary>Every QMP event of this QEMU, in order, including <c>SHUTDOWN</c>. Completes when QMP closes.</summary>
    public ChannelReader<QmpEvent> Events => _events.Reader;

    /// <summary>
    /// Completes when QEMU has exited: QMP closed and the process is gone. Cancelled if this instance is disposed
    /// (detached) first.
    /// </summary>
    public Task<QemuExit> Exited => _exited.Task;

    /// <summary>Connects to the QMP socket of a running QEMU.</summary>
    /// <exception cref="QemuNotRunningException">The process is gone or its pid was recycled.</exception>
    /// <exception cref="QmpConnectException">No QMP session within the connect timeout.</exception>
    public static Task<QemuInstance> AttachAsync(QemuRuntimePaths paths, QemuProcessIdentity process, CancellationToken cancellationToken) =>
        AttachAsync(paths, process, QemuInstanceOptions.Default, cancellationToken);

    /// <inheritdoc cref="AttachAsync(QemuRuntimePaths, QemuProcessIdentity, CancellationToken)"/>
    public static async Task<QemuInstance> AttachAsync(
        QemuRuntimePaths paths, QemuProcessIdentity process, QemuInstanceOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(options);
        if (!process.IsAlive()) throw new QemuNotRunningException(process);

        var qmp = await QmpClient.ConnectAsync(paths.QmpSocket, options.ConnectTimeout, options.Qmp, cancellationToken)
            .ConfigureAwait(false);
        return new QemuInstance(paths, process, qmp, options);
    }

    /// <summary>Starts the guest CPUs (valid while the VM is paused or in <c>prelaunch</c>).</summary>
    public Task ContinueAsync(CancellationToken cancellationToken) => _qmp.ContinueAsync(cancellationToken);

    /// <summary>
    /// Grows the disk <paramref name="driveId"/> (a <see cref="QemuDrive.Id"/>) to <paramref name="sizeBytes"/> while the
    /// guest runs. Valid while QEMU runs, paused or not; the caller checks that the size is larger than the disk's.
    /// </summary>
    public Task GrowDiskAsync(string driveId, long sizeBytes, CancellationToken cancellationToken) =>
        _qmp.BlockResizeAsync(driveId, sizeBytes, cancellationToken);

    public Task<QmpStatus> QueryStatusAsync(CancellationToken cancellationToken) => _qmp.QueryStatusAsync(cancellationToken);

    /// <summary>Sets the memory balloon's target (QMP <c>balloon</c>); the guest's driver gets there gradually.</summary>
    public Task SetBalloonAsync(long targetBytes, CancellationToken cancellationToken) => _qmp.SetBalloonAsync(targetBytes, cancellationToken);

    /// <summary>The guest's memory as its balloon leaves it now (QMP <c>query-balloon</c>).</summary>
    public Task<long> QueryBalloonAsync(CancellationToken cancellationToken) => _qmp.QueryBalloonAsync(cancellationToken);

    /// <summary>The sockets of the user-mode network, as QEMU sees them (<c>info usernet</c>).</summary>
    public async Task<IReadOnlyList<Networking.UserNetConnection>> QueryUserNetAsync(CancellationToken cancellationToken) =>
        Networking.UserNetInfo.Parse(await _qmp.HumanMonitorCommandAsync("info usernet", cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Stops the VM: presses the ACPI power button and waits for the guest's <c>SHUTDOWN</c> event up to
    /// <paramref name="gracefulTimeout"/>; then sends <c>quit</c>; then SIGKILL if QEMU still lives after
    /// <see cref="QemuInstanceOptions.ExitGrace"/>. Returns once the process is gone.
    /// </summary>
    public Task<QemuStopOutcome> StopAsync(TimeSpan gracefulTimeout, CancellationToken cancellationToken) =>
        StopAsync(gracefulTimeout, askGuest: null, cancellationToken);

    /// <summary>
    /// As <see cref="StopAsync(TimeSpan, CancellationToken)"/>, but first lets <paramref name="askGuest"/> ask the guest
    /// to power off another way (its guest agent); ACPI is pressed only when that returns false.
    /// </summary>
    public async Task<QemuStopOutcome> StopAsync(TimeSpan gracefulTimeout, Func<CancellationToken, Task<bool>>? askGuest, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_detach.IsCancellationRequested, this);
        if (_exited.Task.IsCompleted) return QemuStopOutcome.AlreadyExited;

        try
        {
            if (askGuest is null || !await askGuest(cancellationToken).ConfigureAwait(false))
                await _qmp.SystemPowerdownAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException)
        {
            // QMP is unusable (closed, timed out); what remains is waiting for the exit and, failing that, SIGKILL.
            var outcome = _shutdownEvent.Task.IsCompleted ? QemuStopOutcome.Graceful : QemuStopOutcome.AlreadyExited;
            return await WaitForExitOrKillAsync(outcome, cancellationToken).ConfigureAwait(false);
        }

        await AnyCompletesWithin(gracefulTimeout, cancellationToken, _shutdownEvent.Task, _exited.Task).ConfigureAwait(false);
        // Decide by state, not by which task WhenAny reports: SHUTDOWN always completes before Exited, but their
        // continuations may run in either order.
        if (_shutdownEvent.Task.IsCompleted)
        {
            return await WaitForExitOrKillAsync(QemuStopOutcome.Graceful, cancellationToken).ConfigureAwait(false);
        }
        if (_exited.Task.IsCompleted) return QemuStopOutcome.AlreadyExited;

        try
        {
            await _qmp.QuitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException)
        {
            // Quit could not be delivered; SIGKILL below ends it.
        }
        return await WaitForExitOrKillAsync(QemuStopOutcome.Quit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills QEMU with SIGKILL and waits until it is gone. Nothing happens to the guest's disks first.</summary>
    public async Task<QemuExit> KillAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_detach.IsCancellationRequested, this);
        Process.Kill();
        return await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Detaches: closes the QMP session and leaves QEMU running, so that it can be adopted again later.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_detach.IsCancellationRequested) await _detach.CancelAsync().ConfigureAwait(false);
        await _qmp.DisposeAsync().ConfigureAwait(false);
        await _watch.ConfigureAwait(false);
    }

    private async Task<QemuStopOutcome> WaitForExitOrKillAsync(QemuStopOutcome outcomeIfExited, CancellationToken cancellationToken)
    {
        if (await AnyCompletesWithin(_options.ExitGrace, cancellationToken, _exited.Task).ConfigureAwait(false))
            return outcomeIfExited;
        Process.Kill();
        await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return QemuStopOutcome.Killed;
    }

    /// <summary>Whether one of <paramref name="tasks"/> completes within <paramref name="timeout"/>.</summary>
    private async Task<bool> AnyCompletesWithin(TimeSpan timeout, CancellationToken cancellationToken, params Task[] tasks)
    {
        try
        {
            await Task.WhenAny(tasks).WaitAsync(timeout, _options.Qmp.TimeProvider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Forwards QMP events, remembers SHUTDOWN, and completes <see cref="Exited"/> once QEMU is gone.</summary>
    private async Task WatchAsync()
    {
        await foreach (var qmpEvent in _qmp.Events.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (qmpEvent.Name == "SHUTDOWN") _shutdownEvent.TrySetResult(qmpEvent);
            _events.Writer.TryWrite(qmpEvent);
        }
        _events.Writer.TryComplete();

        try
        {
            // Polling on purpose: an adopted QEMU is not our child, and one we started is reaped by the runtime, so
            // no exit notification reaches us (short of a pidfd). QMP closing already said it is exiting; this waits
            // out its last milliseconds.
            while (Process.IsAlive())
            {
                await Task.Delay(_options.ExitPollInterval, _options.Qmp.TimeProvider, _detach.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        if (_detach.IsCancellationRequested && Process.IsAlive())
        {
            _exited.TrySetCanceled(_detach.Token);
            return;
        }
        _exited.TrySetResult(ToExit(_shutdownEvent.Task.IsCompletedSuccessfully ? _shutdownEvent.Task.Result : null));
    }

    private static QemuExit ToExit(QmpEvent? shutdown)
    {
        if (shutdown is null) return new QemuExit(false, null);
        var data = shutdown.Data;
        var guest = data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("guest", out var g) && g.ValueKind == JsonValueKind.True;
        var reason = data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String
            ? r.GetString()
            : "unknown";
        return new QemuExit(guest, reason);
    }
}
