using Hangar.Metrics;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;

namespace Hangar.ControlPlane.Metrics;

/// <summary>
/// The control plane's metrics (docs/operations.md, "Metrics"): what it counts as it goes (rollout verdicts and their
/// durations, heartbeats received) and what it reads from the fleet's status at scrape time (VMs by phase and by health,
/// agents connected and known). One per <see cref="Fleet.FleetService"/>.
/// </summary>
public sealed class ControlPlaneMetrics : IMetricSource
{
    /// <summary>Rollouts through the health gate that ended, by <c>outcome</c>: <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>.</summary>
    public Counter Rollouts { get; } = new("hangar_rollouts_total",
        "Rollouts of a generation through the health gate that ended, by outcome (succeeded, failed, cancelled: superseded by a newer generation or ended by down).", "outcome");

    /// <summary>Seconds from a gate's start to its verdict, by <c>outcome</c> (as <see cref="Rollouts"/>).</summary>
    public Histogram RolloutDuration { get; } = new("hangar_rollout_duration_seconds",
        "Seconds from the start of a rollout's health gate to its end, by outcome.", Histogram.LongDurations, "outcome");

    /// <summary>Heartbeat frames received, by <c>agent</c>.</summary>
    public Counter Heartbeats { get; } = new("hangar_agent_heartbeats_total",
        "Heartbeat frames received from agents (sent in an interval in which the agent had nothing else to report), by agent.", "agent");

    /// <summary>Set by the <see cref="Fleet.FleetService"/> that owns this: the status the gauges are read from.</summary>
    internal Func<FleetStatus>? Status { get; set; }

    public void Collect(ExpositionWriter writer)
    {
        if (Status?.Invoke() is { } status)
        {
            string[] phase = ["phase"], health = ["health"];
            writer.Family("hangar_vms", "VMs of the current generation (and removed ones still running), by phase as the fleet status reports it (every phase listed, 0 included).", MetricType.Gauge);
            foreach (var value in Enum.GetValues<VmPhase>())
                writer.Sample("hangar_vms", phase, [ExpositionWriter.Word(value)], status.Vms.Count(v => v.Phase == value));
            writer.Family("hangar_vms_health", "VMs by the verdict of their health check (unknown: not running, so not checked).", MetricType.Gauge);
            foreach (var value in Enum.GetValues<HealthState>())
                writer.Sample("hangar_vms_health", health, [ExpositionWriter.Word(value)], status.Vms.Count(v => v.Health == value));
            writer.Family("hangar_agents_connected", "Agents connected to this control plane and heard from within three heartbeat intervals (online), or connected to another replica of its store.", MetricType.Gauge);
            writer.Sample("hangar_agents_connected", status.Agents.Count(a => a.Connected));
            writer.Family("hangar_agents", "Agents known to the control plane (joined and not removed).", MetricType.Gauge);
            writer.Sample("hangar_agents", status.Agents.Count);
            writer.Family("hangar_generation", "The number of the current generation (0 before the first apply).", MetricType.Gauge);
            writer.Sample("hangar_generation", status.Generation);
        }
        Rollouts.Collect(writer);
        RolloutDuration.Collect(writer);
        Heartbeats.Collect(writer);
    }
}
