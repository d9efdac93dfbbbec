using Hangar.Qemu;
using Microsoft.Extensions.Logging;

namespace Hangar.Agent.Vms;

/// <summary>
/// One run of a VM's process, from its start or adoption to its end: the <see cref="IVmHandle"/> to it, the
/// <see cref="RuntimeRecord"/> that lets a later agent adopt it, and whether this agent adopted it. It stops, resizes
/// and lets go of that one process; a <see cref="VmSupervisor"/> decides when, and starts the next run.
/// </summary>
public sealed partial class VmRun(string vmName, IVmHandle handle, RuntimeRecord record, bool adopted, IVmDriver driver, ILogger logger)
{
    private volatile RuntimeRecord _record = record;

    public IVmHandle Handle => handle;

    /// <summary>The run's runtime record; replaced when a resize applied online changed it (read from any thread).</summary>
    public RuntimeRecord Record => _record;

    /// <summary>The process was running when this agent started, and was adopted rather than started by it.</summary>
    public bool Adopted => adopted;

    /// <summary>Completes when the process has ended (see <see cref="IVmHandle.Exited"/>).</summary>
    public Task<QemuExit> Exited => handle.Exited;

    /// <summary>
    /// Asks the guest to power off, waiting up to <paramref name="gracefulTimeout"/>, and kills the process when it
    /// does not answer. <paramref name="reason"/> is for the log.
    /// </summary>
    public async Task StopAsync(TimeSpan gracefulTimeout, string reason, CancellationToken ct)
    {
        try
        {
            var how = await handle.StopAsync(gracefulTimeout, ct);
            Log.Stopped(logger, vmName, how, reason);
        }
        catch (QemuException e)
        {
            Log.StopNotClean(logger, vmName, e);
            await handle.KillAsync(ct);
        }
    }

    /// <summary>A change of the disk's size alone is applied to the running VM (see <see cref="IVmDriver.TryResizeOnlineAsync"/>).</summary>
    public async Task TryResizeOnlineAsync(VmLaunchPlan plan, CancellationToken ct)
    {
        try
        {
            if (await driver.TryResizeOnlineAsync(handle, _record, plan, ct) is not { } resized) return;
            _record = resized;
            Log.DiskResizedOnline(logger, vmName, plan.DiskBytes);
        }
        catch (QemuException e)
        {
            // The restart that follows grows the disk offline instead.
            Log.OnlineResizeFailed(logger, vmName, e);
        }
    }

    /// <summary>
    /// Lets go of the process: kills it first when <paramref name="kill"/> (a start that failed half-way), else leaves
    /// it as it is (stopped, ended, or running on for the next agent to adopt). The runtime record stays on disk.
    /// </summary>
    public async Task EndAsync(bool kill)
    {
        if (kill)
        {
            try { await handle.KillAsync(CancellationToken.None); }
            catch (QemuException) { }
        }
        await handle.DisposeAsync();
    }

    private static partial class Log
    {
        // The event ids are those these lines had in VmSupervisor, whose logger a run writes to.
        [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "VM {Vm}: disk size applied online ({Bytes} bytes)")]
        public static partial void DiskResizedOnline(ILogger logger, string vm, long? bytes);

        [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "VM {Vm}: could not resize its disk online; restarting it to resize offline")]
        public static partial void OnlineResizeFailed(ILogger logger, string vm, Exception exception);

        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "VM {Vm} stopped ({How}): {Reason}")]
        public static partial void Stopped(ILogger logger, string vm, QemuStopOutcome how, string reason);

        [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "VM {Vm} did not stop cleanly; killing it")]
        public static partial void StopNotClean(ILogger logger, string vm, Exception exception);
    }
}
