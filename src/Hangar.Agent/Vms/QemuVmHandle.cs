using Hangar.Qemu;

namespace Hangar.Agent.Vms;

/// <summary>The handle of a VM run by <see cref="QemuVmDriver"/>: its <see cref="QemuInstance"/>.</summary>
public sealed class QemuVmHandle(QemuInstance instance) : IVmHandle
{
    public QemuInstance Instance => instance;

    public Task<QemuExit> Exited => instance.Exited;

    public async Task<bool> IsRunningAsync(CancellationToken ct) => (await instance.QueryStatusAsync(ct)).Running;

    public Task ContinueAsync(CancellationToken ct) => instance.ContinueAsync(ct);

    public Task<QemuStopOutcome> StopAsync(TimeSpan gracefulTimeout, CancellationToken ct) => instance.StopAsync(gracefulTimeout, ct);

    public Task KillAsync(CancellationToken ct) => instance.KillAsync(ct);

    public ValueTask DisposeAsync() => instance.DisposeAsync();
}
