using Hangar.Agent.Guests;
using Hangar.Protocol.Agent;
using Hangar.Qemu;

namespace Hangar.Agent.Vms;

/// <summary>The handle of a VM run by <see cref="QemuVmDriver"/>: its <see cref="QemuInstance"/>, and its guest agent.</summary>
public sealed class QemuVmHandle : IVmHandle
{
    private readonly QemuInstance _instance;
    private readonly CancellationTokenSource _watching = new();
    private Task _watch = Task.CompletedTask;
    private Task _balloonWatch = Task.CompletedTask;
    private long _balloonBytes = -1;

    public QemuVmHandle(QemuInstance instance, TimeProvider time)
    {
        _instance = instance;
        GuestAgent = instance.Paths.GuestAgentSocket is { } socket ? new GuestAgentLink(socket, time) : null;
    }

    public QemuInstance Instance => _instance;

    /// <summary>The VM's guest agent; null for a QEMU started without the channel (before version 5 of the agent).</summary>
    public GuestAgentLink? GuestAgent { get; }

    public Task<QemuExit> Exited => _instance.Exited;

    public ObservedGuest? Guest => GuestAgent?.Guest;

    public long? BalloonBytes => Interlocked.Read(ref _balloonBytes) is >= 0 and var bytes ? bytes : null;

    public void WatchGuest(Action changed)
    {
        if (_balloonWatch.IsCompleted) _balloonWatch = Task.Run(() => WatchBalloonAsync(changed, _watching.Token));
        if (GuestAgent is null || !_watch.IsCompleted) return;
        _watch = Task.Run(() => GuestAgent.WatchAsync(changed, _watching.Token));
    }

    public async Task<long> BalloonAsync(long? targetBytes, CancellationToken ct)
    {
        try
        {
            if (targetBytes is { } target) await _instance.SetBalloonAsync(target, ct);
            var actual = await _instance.QueryBalloonAsync(ct);
            Interlocked.Exchange(ref _balloonBytes, actual);
            return actual;
        }
        catch (QmpCommandException e) when (e.Class == NoBalloonClass)
        {
            throw new NotSupportedException("The VM has no memory balloon: give it balloon: true in the fleet file.", e);
        }
    }

    /// <summary>QEMU's error class for a balloon command on a VM without a balloon device.</summary>
    private const string NoBalloonClass = "DeviceNotActive";

    /// <summary>Reads the balloon once, then follows QEMU's BALLOON_CHANGE events (at most one a second) until the VM ends;
    /// ends at once for a VM without a balloon (QEMU refuses <c>query-balloon</c> then).</summary>
    private async Task WatchBalloonAsync(Action changed, CancellationToken ct)
    {
        try
        {
            Interlocked.Exchange(ref _balloonBytes, await _instance.QueryBalloonAsync(ct));
            changed();
            await foreach (var qmpEvent in _instance.Events.ReadAllAsync(ct))
            {
                if (qmpEvent.Name != "BALLOON_CHANGE" || !qmpEvent.Data.TryGetProperty("actual", out var actual)) continue;
                if (Interlocked.Exchange(ref _balloonBytes, actual.GetInt64()) != actual.GetInt64()) changed();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (QemuException) { }
        catch (InvalidOperationException) { }
    }

    public async Task<bool> IsRunningAsync(CancellationToken ct) => (await _instance.QueryStatusAsync(ct)).Running;

    public Task ContinueAsync(CancellationToken ct) => _instance.ContinueAsync(ct);

    /// <summary>Asks the guest agent to power the guest off when one answers, else presses ACPI; see <see cref="QemuInstance.StopAsync(TimeSpan, Func{CancellationToken, Task{bool}}?, CancellationToken)"/>.</summary>
    public Task<QemuStopOutcome> StopAsync(TimeSpan gracefulTimeout, CancellationToken ct) =>
        _instance.StopAsync(gracefulTimeout, GuestAgent is { Guest: not null } agent ? agent.TryShutdownAsync : null, ct);

    public Task KillAsync(CancellationToken ct) => _instance.KillAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _watching.CancelAsync();
        await _watch;
        await _balloonWatch;
        await _instance.DisposeAsync();
    }
}
