using Hangar.Agent.Health;
using Hangar.Agent.Tests.Health;
using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using Hangar.Qemu;
using Hangar.Spec;

namespace Hangar.Agent.Tests.Vms;

/// <summary>
/// An <see cref="IVmDriver"/> with no QEMU behind it, in the spirit of Nomad's mock driver: its "processes" are
/// <see cref="FakeVm"/>s that the test ends as it likes (a crash, a guest power-off), and it writes and reads real
/// runtime records in the test's directories, so the supervisor's adoption works on files as it does on a host.
/// </summary>
internal sealed class FakeVmDriver(AgentOptions options) : IVmDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, FakeVm> _processes = [];
    private readonly Dictionary<string, FakeVm> _unrecorded = new(StringComparer.Ordinal);
    private readonly List<FakeVm> _started = [];
    private readonly List<string> _log = [];
    private int _nextPid = 4000;

    /// <summary>When set, every start fails with this exception (as a QEMU that will not launch).</summary>
    public Exception? StartFailure { get; set; }

    /// <summary>The VMs started through <see cref="StartAsync"/>, in order.</summary>
    public IReadOnlyList<FakeVm> Started { get { lock (_gate) return [.. _started]; } }

    /// <summary>What the driver was asked to do, in order: "start 4001", "kill 4000", "recover 4000".</summary>
    public IReadOnlyList<string> Log { get { lock (_gate) return [.. _log]; } }

    /// <summary>The configuration hash a plan of <paramref name="spec"/> has: what decides a restart to apply a change.</summary>
    public static string HashOf(VmSpec spec) =>
        $"{spec.Image}|{spec.Vcpu}|{spec.Memory.Bytes}|{spec.Disk?.Bytes}|{spec.KernelArgs}|{spec.Forwards}";

    public Task<VmLaunchPlan> PlanAsync(DesiredVm desired, IProgress<string>? progress, CancellationToken ct)
    {
        var spec = desired.Spec;
        var config = new QemuVmConfig
        {
            Name = spec.Name,
            Accelerator = QemuAccelerator.Tcg,
            Vcpu = spec.Vcpu,
            MemoryMiB = checked((int)(spec.Memory.Bytes / (1024 * 1024))),
            Paths = VmPaths.For(options, spec.Name).Runtime,
        };
        return Task.FromResult(new VmLaunchPlan(config, HashOf(spec), false, null, null, spec.Disk?.Bytes, "fake", null));
    }

    public Task<string?> PrepareDiskAsync(VmLaunchPlan plan, long generation, CancellationToken ct) => Task.FromResult<string?>(null);

    public Task<(IVmHandle Handle, RuntimeRecord Record)> StartAsync(VmLaunchPlan plan, long restartNonce, CancellationToken ct)
    {
        if (StartFailure is { } failure) throw failure;
        var vm = NewProcess(plan.Config.Name, paused: true);
        var record = WriteRecord(vm, plan.ConfigHash, restartNonce);
        lock (_gate) { _started.Add(vm); _log.Add($"start {vm.Pid}"); }
        return Task.FromResult<(IVmHandle, RuntimeRecord)>((vm, record));
    }

    /// <summary>When set, answers online resizes (a new record, null for "more than the size changed", or a throw); else null.</summary>
    public Func<RuntimeRecord, VmLaunchPlan, RuntimeRecord?>? OnlineResize { get; set; }

    public Task<RuntimeRecord?> TryResizeOnlineAsync(IVmHandle handle, RuntimeRecord record, VmLaunchPlan plan, CancellationToken ct) =>
        Task.FromResult(OnlineResize?.Invoke(record, plan));

    public bool IsAlive(RuntimeRecord record)
    {
        lock (_gate)
            return _processes.TryGetValue(record.Pid, out var vm) && vm.StartTime == record.ProcessStartTime && !vm.Exited.IsCompleted;
    }

    public Task<IVmHandle> RecoverAsync(string vmName, RuntimeRecord record, CancellationToken ct)
    {
        FakeVm? vm;
        lock (_gate)
        {
            _log.Add($"recover {record.Pid}");
            _processes.TryGetValue(record.Pid, out vm);
        }
        if (vm is null || !IsAlive(record) || vm.Unresponsive) throw new QemuException($"Fake VM {vmName} (pid {record.Pid}) does not answer");
        return Task.FromResult<IVmHandle>(vm);
    }

    public void Kill(RuntimeRecord record)
    {
        FakeVm? vm;
        lock (_gate)
        {
            _log.Add($"kill {record.Pid}");
            _processes.TryGetValue(record.Pid, out vm);
        }
        vm?.End(new QemuExit(false, null));
    }

    public Task<int?> KillUnrecordedAsync(string vmName, CancellationToken ct)
    {
        FakeVm? vm;
        lock (_gate)
        {
            if (!_unrecorded.Remove(vmName, out vm)) return Task.FromResult<int?>(null);
            _log.Add($"kill {vm.Pid}");
        }
        vm.End(new QemuExit(false, null));
        return Task.FromResult<int?>(vm.Pid);
    }

    public IHealthProbe CreateProbe(HealthCheckSpec check, VmSpec spec, IVmHandle handle)
    {
        var probe = new ScriptedProbe();
        ((FakeVm)handle).Probe = probe;
        return probe;
    }

    /// <summary>A VM left running by a previous agent: with a runtime record (adoptable) or without (an interrupted start).</summary>
    public FakeVm AddRunning(VmSpec spec, bool recorded, long restartNonce = 0, bool paused = false)
    {
        var vm = NewProcess(spec.Name, paused);
        if (recorded) WriteRecord(vm, HashOf(spec), restartNonce);
        else lock (_gate) _unrecorded[spec.Name] = vm;
        return vm;
    }

    /// <summary>A runtime record of a process that no longer runs (the host rebooted, or QEMU died with the agent).</summary>
    public void AddDeadRecord(VmSpec spec)
    {
        var vm = NewProcess(spec.Name, paused: false);
        WriteRecord(vm, HashOf(spec), 0);
        vm.End(new QemuExit(false, null));
    }

    private FakeVm NewProcess(string name, bool paused)
    {
        lock (_gate)
        {
            var pid = ++_nextPid;
            var vm = new FakeVm(name, pid, (ulong)pid * 31, paused);
            _processes[pid] = vm;
            return vm;
        }
    }

    private RuntimeRecord WriteRecord(FakeVm vm, string configHash, long restartNonce)
    {
        var paths = VmPaths.For(options, vm.Name);
        Directory.CreateDirectory(paths.Runtime.Directory);
        var record = new RuntimeRecord(vm.Pid, vm.StartTime, configHash, "tcg", options.Time.GetUtcNow(), 0, restartNonce, "fake");
        record.Write(paths.RuntimeRecordPath);
        return record;
    }
}
