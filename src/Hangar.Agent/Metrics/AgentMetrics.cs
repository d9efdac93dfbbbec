using Hangar.Metrics;
using Hangar.Protocol.Agent;
using Hangar.Qemu;

namespace Hangar.Agent.Metrics;

/// <summary>
/// The agent's metrics (docs/operations.md, "Metrics"): whether it is connected, its VMs by phase, each running VM's CPU time and resident memory
/// from <c>/proc/PID</c> of its QEMU, read at scrape time from the <see cref="Reconciler"/>'s snapshot, and the latency of
/// the QMP commands this process sends (<see cref="QmpMetrics"/>, bridged into a histogram by command).
/// </summary>
public sealed class AgentMetrics : IMetricSource, IDisposable
{
    private readonly Reconciler _reconciler;
    private readonly Func<bool>? _connected;
    private readonly Func<int, QemuProcessUsage?> _usage;
    private readonly MeterBridge _qmpBridge;

    /// <param name="connected">Whether the agent has a session with a control plane now; null writes no such gauge.</param>
    /// <param name="usage">Reads a process's usage; <see cref="QemuProcessUsage.Read"/> unless a test gives another.</param>
    public AgentMetrics(Reconciler reconciler, Func<bool>? connected = null, Func<int, QemuProcessUsage?>? usage = null)
    {
        _reconciler = reconciler;
        _connected = connected;
        _usage = usage ?? QemuProcessUsage.Read;
        QmpCommandDuration = new Histogram("hangar_qmp_command_duration_seconds",
            "Seconds from sending a QMP command to QEMU to its reply (or error, timeout, closed connection), by command.",
            Histogram.ShortDurations, "command");
        _qmpBridge = new MeterBridge(QmpMetrics.MeterName, QmpMetrics.CommandDurationName, QmpMetrics.CommandTag, QmpCommandDuration);
    }

    /// <summary>QMP latency by command: every QMP command this process sends (the instruments are process-wide).</summary>
    public Histogram QmpCommandDuration { get; }

    /// <summary>Adds the agent's metrics to <paramref name="registry"/>.</summary>
    public AgentMetrics AddTo(MetricsRegistry registry)
    {
        registry.Add(this);
        return this;
    }

    public void Collect(ExpositionWriter writer)
    {
        if (_connected is not null)
        {
            writer.Family("hangar_agent_connected", "1 while the agent has a session with a control plane (handshake done), else 0: it then keeps running its last desired state and reconnects with backoff.", MetricType.Gauge);
            writer.Sample("hangar_agent_connected", _connected() ? 1 : 0);
        }
        var vms = _reconciler.Snapshot().Vms;
        writer.Family("hangar_agent_vms", "VMs this agent runs or keeps, by phase (every phase is listed, 0 included).", MetricType.Gauge);
        string[] phase = ["phase"];
        foreach (var value in Enum.GetValues<VmPhase>())
            writer.Sample("hangar_agent_vms", phase, [ExpositionWriter.Word(value)], vms.Count(v => v.Phase == value));

        var usages = vms.Where(v => v.Pid is not null).Select(v => (v.Name, Usage: _usage(v.Pid!.Value))).Where(u => u.Usage is not null).ToArray();
        string[] vm = ["vm"];
        writer.Family("hangar_vm_cpu_seconds_total", "CPU time (user + system) of the VM's QEMU process since it started, from /proc/PID/stat; resets when the VM restarts.", MetricType.Counter);
        foreach (var (name, usage) in usages) writer.Sample("hangar_vm_cpu_seconds_total", vm, [name], usage!.CpuSeconds);
        writer.Family("hangar_vm_memory_rss_bytes", "Resident memory of the VM's QEMU process (VmRSS of /proc/PID/status): guest RAM it touched plus QEMU's own.", MetricType.Gauge);
        foreach (var (name, usage) in usages) writer.Sample("hangar_vm_memory_rss_bytes", vm, [name], usage!.ResidentBytes);

        QmpCommandDuration.Collect(writer);
    }

    public void Dispose() => _qmpBridge.Dispose();
}
