using Hangar.Agent.Health;
using Hangar.Protocol.Agent;
using Hangar.Spec;

namespace Hangar.Agent.Vms;

/// <summary>
/// What a <see cref="VmSupervisor"/> and the <see cref="Reconciler"/> need from the thing that runs VMs, in the spirit
/// of Nomad's task driver: plan and prepare, start (paused) returning a handle, recover a handle from the persisted
/// <see cref="RuntimeRecord"/>, and end processes that no handle owns. The decisions (restart policy, backoff,
/// adoption, orphans) stay above this seam, so they are unit-tested with a fake driver; <see cref="QemuVmDriver"/>
/// is the real one and keeps its integration tests.
/// </summary>
/// <remarks>
/// Failures that come from the VM's process (it does not answer, refuses a command) are <see cref="Hangar.Qemu.QemuException"/>s.
/// <see cref="StartAsync"/> writes the runtime record before it returns, so that a crash of the agent right after
/// leaves a record to recover from.
/// </remarks>
public interface IVmDriver
{
    /// <summary>Resolves a desired VM into what would run; its <see cref="VmLaunchPlan.ConfigHash"/> decides restarts.</summary>
    Task<VmLaunchPlan> PlanAsync(DesiredVm desired, IProgress<string>? progress, CancellationToken ct);

    /// <summary>Makes the VM's disk what <paramref name="plan"/> says before it starts; returns what was done, for the log.</summary>
    Task<string?> PrepareDiskAsync(VmLaunchPlan plan, long generation, CancellationToken ct);

    /// <summary>Starts the VM paused and writes its runtime record; it runs once the handle is continued.</summary>
    Task<(IVmHandle Handle, RuntimeRecord Record)> StartAsync(VmLaunchPlan plan, long restartNonce, CancellationToken ct);

    /// <summary>
    /// Applies a change of the disk's size alone to the running VM. Returns the record to keep, or null when more
    /// than the size changed (the VM must restart).
    /// </summary>
    Task<RuntimeRecord?> TryResizeOnlineAsync(IVmHandle handle, RuntimeRecord record, VmLaunchPlan plan, CancellationToken ct);

    /// <summary>Whether the process a record names still runs (the same process, not a recycled pid).</summary>
    bool IsAlive(RuntimeRecord record);

    /// <summary>Re-attaches to the running VM a record names (after an agent restart, or to stop an orphan).</summary>
    /// <exception cref="Hangar.Qemu.QemuException">It does not answer.</exception>
    Task<IVmHandle> RecoverAsync(string vmName, RuntimeRecord record, CancellationToken ct);

    /// <summary>Kills the process a record names, without asking it.</summary>
    void Kill(RuntimeRecord record);

    /// <summary>Kills a VM process that runs in the VM's runtime directory with no record; returns its pid, or null when there is none.</summary>
    Task<int?> KillUnrecordedAsync(string vmName, CancellationToken ct);

    /// <summary>The probe of a <c>tcp</c> or <c>http</c> check of a running VM (how a guest port is reached depends on the driver).</summary>
    IHealthProbe CreateProbe(HealthCheckSpec check, VmSpec spec, IVmHandle handle);
}
