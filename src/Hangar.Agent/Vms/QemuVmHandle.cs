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

    public void WatchGuest(Action changed)
    {
        if (GuestAgent is null || !_watch.IsCompleted) return;
        _watch = Task.Run(() => GuestAgent.WatchAsync(changed, _watching.Token));
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
        await _instance.DisposeAsync();
    }
}
