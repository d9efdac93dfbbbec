using Hangar.Metrics;
using Hangar.Protocol.Agent;
using Hangar.Qemu;

namespace Hangar.Agent.Metrics;

/// <summary>
/// The agent's metrics (docs/operations.md, "Metrics"): its VMs by phase, each running VM's CPU time and resident memory
/// from <c>/proc/PID</c> of its QEMU, read at scrape time from the <see cref="Reconciler"/>'s snapshot, and the latency of
/// the QMP commands this process sends (<see cref="QmpMetrics"/>, bridged into a histogram by command).
/// </summary>
public sealed class AgentMetrics : IMetricSource, IDisposable
{
    private readonly Reconciler _reconciler;
    private readonly Func<int, QemuProcessUsage?> _usage;
    private readonly MeterBridge _qmpBridge;

    /// <param name="usage">Reads a process's usage; <see cref="QemuProcessUsage.Read"/> unless a test gives another.</param>
    public AgentMetrics(Reconciler reconciler, Func<int, QemuProcessUsage?>? usage = null)
    {
        _reconciler = reconciler;
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
