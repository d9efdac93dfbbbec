using Hangar.Agent.Health;
using Hangar.Protocol.Agent;
using Hangar.Qemu;
using Hangar.Spec;

namespace Hangar.Agent.Vms;

/// <summary>The real <see cref="IVmDriver"/>: QEMU, through <see cref="VmLauncher"/> and <see cref="QemuInstance"/>.</summary>
public sealed class QemuVmDriver(VmLauncher launcher) : IVmDriver
{
    private AgentOptions Options => launcher.Options;

    public Task<VmLaunchPlan> PlanAsync(DesiredVm desired, IProgress<string>? progress, CancellationToken ct) =>
        launcher.PlanAsync(desired, progress, ct);

    public Task<string?> PrepareDiskAsync(VmLaunchPlan plan, long generation, CancellationToken ct) =>
        launcher.PrepareDiskAsync(plan, generation, ct);

    public async Task<(IVmHandle Handle, RuntimeRecord Record)> StartAsync(VmLaunchPlan plan, long restartNonce, CancellationToken ct)
    {
        var (instance, record) = await launcher.LaunchAsync(plan, restartNonce, ct);
        return (new QemuVmHandle(instance, Options.Time), record);
    }

    public Task<RuntimeRecord?> TryResizeOnlineAsync(IVmHandle handle, RuntimeRecord record, VmLaunchPlan plan, CancellationToken ct) =>
        launcher.TryResizeOnlineAsync(Instance(handle), record, plan, ct);

    public bool IsAlive(RuntimeRecord record) => record.Identity.IsAlive();

    public async Task<IVmHandle> RecoverAsync(string vmName, RuntimeRecord record, CancellationToken ct) =>
        new QemuVmHandle(await QemuInstance.AttachAsync(VmPaths.For(Options, vmName).Runtime, record.Identity, ct), Options.Time);

    public void Kill(RuntimeRecord record) => record.Identity.Kill();

    public async Task<int?> KillUnrecordedAsync(string vmName, CancellationToken ct)
    {
        if (QemuLauncher.FindRunning(VmPaths.For(Options, vmName).Runtime) is not { } unrecorded) return null;
        unrecorded.Kill();
        // SIGKILL takes effect at once; the process table entry goes when the kernel has torn it down.
        for (var i = 0; i < 100 && unrecorded.IsAlive(); i++) await Task.Delay(20, ct);
        return unrecorded.Pid;
    }

    public IHealthProbe CreateProbe(HealthCheckSpec check, VmSpec spec, IVmHandle handle)
    {
        if (check.Kind == HealthCheckKind.Exec) return new GuestExecProbe(handle.GuestAgent, check.Exec!);
        // The parser makes sure a tcp forward to the checked port exists.
        var hostPort = spec.Forwards.First(f => f.Protocol == PortProtocol.Tcp && f.GuestPort == check.GuestPort).HostPort;
        var instance = Instance(handle);
        return check.Kind == HealthCheckKind.Http
            ? new HttpProbe(hostPort, check.Http!)
            : new ForwardedTcpProbe(hostPort, check.TcpGuestPort!.Value, instance.Process.Pid, instance.QueryUserNetAsync, Options.Time);
    }

    private static QemuInstance Instance(IVmHandle handle) =>
        handle is QemuVmHandle qemu ? qemu.Instance : throw new ArgumentException("The handle is not one of this driver's", nameof(handle));
}
